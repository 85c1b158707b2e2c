// The static GTFS feed the simulator runs, read by the platform's reader (runtime/gtfs-static): a .zip or a
// folder, every row checked, the first problem one line naming file, row and field. Each trip is its trip record
// (stops in stop_sequence order with their positions, shape, frequencies, service dates, agency time zone) plus
// its direction_id, which the records leave out.
import { FeedError } from '../gtfs-static/feed-error.ts';
import type { FeedModel } from '../gtfs-static/feed-model.ts';
import { openFeed } from '../gtfs-static/feed-source.ts';
import { readFeed, type FeedSink } from '../gtfs-static/read-feed.ts';
import { tripRecords, type TripRecord } from '../gtfs-static/trip-records.ts';

export type { TripStop } from '../gtfs-static/trip-records.ts';

export interface Trip extends TripRecord {
  directionId: number | null;
}

export interface StaticFeed {
  /** In trips.txt order. */
  trips: Trip[];
}

export async function readStaticFeed(path: string): Promise<StaticFeed> {
  const directions = new Map<string, number>();
  const { model } = await readFeed(await openFeed(path), directionsInto(directions));
  requireStopPositions(model);
  return { trips: [...tripRecords(model)].map((record) => ({ ...record, directionId: directions.get(record.tripId) ?? null })) };
}

/** A sink that keeps trips.txt's direction_id per trip_id and ignores every other row. */
function directionsInto(directions: Map<string, number>): FeedSink {
  const ignore = { add() {}, finish() {} };
  return {
    table(spec) {
      if (spec.file !== 'trips.txt') return ignore;
      const tripAt = spec.fields.findIndex((field) => field.name === 'trip_id');
      const directionAt = spec.fields.findIndex((field) => field.name === 'direction_id');
      return {
        add(values) {
          if (values[directionAt] !== null) directions.set(values[tripAt] as string, values[directionAt] as number);
        },
        finish() {},
      };
    },
  };
}

/** A vehicle can only call where it has a place: stops of stop_times.txt need stop_lat and stop_lon. */
function requireStopPositions(model: FeedModel): void {
  const { stop, row } = model.stopTimes;
  for (let i = 0; i < stop.length; i++) {
    if (model.stopLat[stop.at(i)] !== null && model.stopLon[stop.at(i)] !== null) continue;
    const id = model.stopIds[stop.at(i)]!;
    throw new FeedError('stop_times.txt', row.at(i), 'stop_id', `${JSON.stringify(id)} has no stop_lat and stop_lon in stops.txt`, 'call at stops with a position (location_type 0)');
  }
}
