// Reads a whole feed file by file in GTFS_FILES order, checks every row (types, unique ids, references to
// files read before it), hands each row to the sink (the PostgreSQL load) and keeps what the trip records
// need in a FeedModel. The first problem throws a FeedError; the caller rolls the sink back.
import { FeedError } from './feed-error.ts';
import type { FieldValue } from './field-types.ts';
import type { FeedSource } from './feed-source.ts';
import { FeedModel, NO_TIME } from './feed-model.ts';
import { GTFS_FILES, type FileSpec } from './gtfs-files.ts';
import { readTable, type TypedRow } from './table-reader.ts';

export interface TableWriter {
  add(values: FieldValue[]): void | Promise<void> | undefined;
  finish(): void | Promise<void>;
}

export interface FeedSink {
  table(spec: FileSpec): TableWriter;
}

export interface FeedRead {
  model: FeedModel;
  /** Rows per file name; a file the feed lacks is not listed. */
  counts: Record<string, number>;
}

const REQUIRED_FILES = 'agency.txt, stops.txt, routes.txt, trips.txt, stop_times.txt and calendar.txt or calendar_dates.txt';

export async function readFeed(source: FeedSource, sink?: FeedSink): Promise<FeedRead> {
  for (const spec of GTFS_FILES) {
    if (spec.required && !source.has(spec.file)) throw new FeedError(spec.file, undefined, undefined, 'missing from the feed', `a GTFS feed needs ${REQUIRED_FILES}`);
  }
  if (!source.has('calendar.txt') && !source.has('calendar_dates.txt')) {
    throw new FeedError('calendar.txt', undefined, undefined, 'missing from the feed, and so is calendar_dates.txt', 'give the service days in calendar.txt, calendar_dates.txt or both');
  }
  const model = new FeedModel();
  const counts: Record<string, number> = {};
  for (const spec of GTFS_FILES) {
    if (!source.has(spec.file)) continue;
    const check = checkerFor(spec, model, source);
    const writer = sink?.table(spec);
    let count = 0;
    for await (const rows of readTable(source, spec)) {
      for (const row of rows) {
        check.row(row);
        const added = writer?.add(row.values);
        if (added) await added;
      }
      count += rows.length;
    }
    check.end?.();
    await writer?.finish();
    counts[spec.file] = count;
  }
  return { model, counts };
}

interface Checker {
  row(row: TypedRow): void;
  end?(): void;
}

/** The position of a field by name in a row of that spec. */
function fieldReader(spec: FileSpec) {
  const positions = new Map(spec.fields.map((field, i) => [field.name, i]));
  return (name: string) => {
    const at = positions.get(name);
    if (at === undefined) throw new Error(`${spec.file} has no field ${name}`);
    return at;
  };
}

function problem(spec: FileSpec, row: number, field: string, text: string, fix: string): FeedError {
  return new FeedError(spec.file, row, field, text, fix);
}

/** Remembers ids and reports a repeat with the row it first appeared on. */
function uniqueIds(spec: FileSpec, field: string) {
  const seen = new Map<string, number>();
  return (id: string, row: number) => {
    const first = seen.get(id);
    if (first !== undefined) throw problem(spec, row, field, `${JSON.stringify(id)} repeats row ${first}`, `give each row of ${spec.file} its own ${field}`);
    seen.set(id, row);
  };
}

function checkerFor(spec: FileSpec, model: FeedModel, source: FeedSource): Checker {
  const at = fieldReader(spec);
  const text = (values: FieldValue[], name: string) => values[at(name)] as string | null;
  const num = (values: FieldValue[], name: string) => values[at(name)] as number | null;
  switch (spec.file) {
    case 'agency.txt': {
      const unique = uniqueIds(spec, 'agency_id');
      const unnamed: number[] = [];
      let firstZone: { zone: string; row: number } | undefined;
      return {
        row({ row, values }) {
          const id = text(values, 'agency_id') ?? '';
          if (id === '') unnamed.push(row);
          unique(id, row);
          const zone = text(values, 'agency_timezone')!;
          firstZone ??= { zone, row };
          if (zone !== firstZone.zone) {
            throw problem(spec, row, 'agency_timezone', `${JSON.stringify(zone)} differs from ${JSON.stringify(firstZone.zone)} of row ${firstZone.row}`, 'GTFS requires one agency_timezone for all agencies of a feed');
          }
          model.agencies.set(id, zone);
          // agency_id is the table's key; a feed's only agency may leave it empty.
          values[at('agency_id')] = id;
        },
        end() {
          if (model.agencies.size === 0) throw problem(spec, 2, 'agency_id', 'no agency', 'describe at least one agency in agency.txt');
          if (model.agencies.size > 1 && unnamed.length > 0) {
            throw problem(spec, unnamed[0]!, 'agency_id', 'empty while the feed has several agencies', 'give every agency an agency_id and name it in routes.txt');
          }
        },
      };
    }
    case 'calendar.txt': {
      const unique = uniqueIds(spec, 'service_id');
      const days = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
      return {
        row({ row, values }) {
          const id = text(values, 'service_id')!;
          unique(id, row);
          const start = text(values, 'start_date')!;
          const end = text(values, 'end_date')!;
          if (end < start) throw problem(spec, row, 'end_date', `${end.replaceAll('-', '')} is before start_date ${start.replaceAll('-', '')}`, 'swap the dates or fix the one that is wrong');
          model.calendars.set(id, { days: days.map((day) => values[at(day)] as boolean), start, end });
        },
      };
    }
    case 'calendar_dates.txt': {
      const seen = new Map<string, number>();
      return {
        row({ row, values }) {
          const id = text(values, 'service_id')!;
          const date = text(values, 'date')!;
          const first = seen.get(`${id}\n${date}`);
          if (first !== undefined) throw problem(spec, row, 'date', `${date.replaceAll('-', '')} repeats row ${first} for service ${JSON.stringify(id)}`, 'give each service one exception per date');
          seen.set(`${id}\n${date}`, row);
          let dates = model.calendarDates.get(id);
          if (!dates) model.calendarDates.set(id, (dates = new Map()));
          dates.set(date, num(values, 'exception_type')!);
        },
      };
    }
    case 'stops.txt': {
      const unique = uniqueIds(spec, 'stop_id');
      const parents: { row: number; parent: string }[] = [];
      return {
        row({ row, values }) {
          const id = text(values, 'stop_id')!;
          unique(id, row);
          const locationType = num(values, 'location_type') ?? 0;
          const lat = num(values, 'stop_lat');
          const lon = num(values, 'stop_lon');
          if (locationType <= 2) {
            if (lat === null) throw problem(spec, row, 'stop_lat', 'empty', 'stops, stations and entrances (location_type 0, 1, 2) need stop_lat and stop_lon');
            if (lon === null) throw problem(spec, row, 'stop_lon', 'empty', 'stops, stations and entrances (location_type 0, 1, 2) need stop_lat and stop_lon');
          }
          const parent = text(values, 'parent_station');
          if (parent !== null) parents.push({ row, parent });
          model.addStop(id, lat, lon);
        },
        end() {
          for (const { row, parent } of parents) {
            if (!model.stopIndex.has(parent)) throw problem(spec, row, 'parent_station', `${JSON.stringify(parent)} is not a stop_id of stops.txt`, 'name an existing station or leave parent_station empty');
          }
        },
      };
    }
    case 'routes.txt': {
      const unique = uniqueIds(spec, 'route_id');
      return {
        row({ row, values }) {
          const id = text(values, 'route_id')!;
          unique(id, row);
          const agencyId = text(values, 'agency_id');
          if (agencyId === null && model.agencies.size > 1) throw problem(spec, row, 'agency_id', 'empty while agency.txt lists several agencies', 'name the agency_id that runs this route');
          if (agencyId !== null && !model.agencies.has(agencyId)) throw problem(spec, row, 'agency_id', `${JSON.stringify(agencyId)} is not an agency_id of agency.txt`, 'use an agency_id that agency.txt lists');
          model.routes.set(id, agencyId ?? '');
        },
      };
    }
    case 'shapes.txt':
      return {
        row({ row, values }) {
          const id = text(values, 'shape_id')!;
          let points = model.shapes.get(id);
          if (!points) model.shapes.set(id, (points = []));
          points.push(num(values, 'shape_pt_sequence')!, num(values, 'shape_pt_lat')!, num(values, 'shape_pt_lon')!, row);
        },
        end() {
          for (const points of model.shapes.values()) {
            const order = sortedShape(points);
            for (let i = 1; i < order.length; i++) {
              if (points[order[i]!] === points[order[i - 1]!]) {
                const [first, repeat] = [points[order[i - 1]! + 3]!, points[order[i]! + 3]!].sort((a, b) => a - b);
                throw problem(spec, repeat!, 'shape_pt_sequence', `${points[order[i]!]} repeats row ${first} of the same shape`, 'number the points of a shape with distinct sequences');
              }
            }
          }
        },
      };
    case 'trips.txt': {
      const unique = uniqueIds(spec, 'trip_id');
      const hasShapes = source.has('shapes.txt');
      return {
        row({ row, values }) {
          const id = text(values, 'trip_id')!;
          unique(id, row);
          const routeId = text(values, 'route_id')!;
          if (!model.routes.has(routeId)) throw problem(spec, row, 'route_id', `${JSON.stringify(routeId)} is not a route_id of routes.txt`, 'add the route to routes.txt or fix the id');
          const serviceId = text(values, 'service_id')!;
          if (!model.calendars.has(serviceId) && !model.calendarDates.has(serviceId)) {
            throw problem(spec, row, 'service_id', `${JSON.stringify(serviceId)} is in neither calendar.txt nor calendar_dates.txt`, 'add the service to calendar.txt or calendar_dates.txt or fix the id');
          }
          const shapeId = text(values, 'shape_id');
          if (shapeId !== null && !model.shapes.has(shapeId)) {
            throw problem(spec, row, 'shape_id', `${JSON.stringify(shapeId)} is not a shape_id of shapes.txt${hasShapes ? '' : ' (the feed has no shapes.txt)'}`, 'add the shape to shapes.txt or leave shape_id empty');
          }
          model.addTrip(id, routeId, serviceId, shapeId);
        },
      };
    }
    case 'stop_times.txt':
      return {
        row({ row, values }) {
          const tripId = text(values, 'trip_id')!;
          const trip = model.trips.get(tripId);
          if (!trip) throw problem(spec, row, 'trip_id', `${JSON.stringify(tripId)} is not a trip_id of trips.txt`, 'add the trip to trips.txt or fix the id');
          const stopId = text(values, 'stop_id')!;
          const stop = model.stopIndex.get(stopId);
          if (stop === undefined) throw problem(spec, row, 'stop_id', `${JSON.stringify(stopId)} is not a stop_id of stops.txt`, 'add the stop to stops.txt or fix the id');
          const arrival = num(values, 'arrival_time');
          const departure = num(values, 'departure_time');
          if (arrival !== null && departure !== null && departure < arrival) {
            throw problem(spec, row, 'departure_time', 'earlier than arrival_time', 'a vehicle leaves a stop at or after it arrives; fix one of the two times');
          }
          model.addStopTime(trip.index, stop, num(values, 'stop_sequence')!, arrival, departure, row);
        },
        end() {
          const c = model.stopTimes;
          const order = model.stopTimeOrder();
          for (let i = 1; i < order.length; i++) {
            const [a, b] = [order[i - 1]!, order[i]!];
            if (c.trip.at(a) === c.trip.at(b) && c.sequence.at(a) === c.sequence.at(b)) {
              const [first, repeat] = [c.row.at(a), c.row.at(b)].sort((x, y) => x - y);
              throw problem(spec, repeat!, 'stop_sequence', `${c.sequence.at(b)} repeats row ${first} of trip ${JSON.stringify(model.tripIds[c.trip.at(b)])}`, 'give each stop of a trip its own stop_sequence');
            }
          }
          // The schedule of a trip is anchored at its ends; stops between may be left untimed (interpolated by users).
          for (let i = 0; i < order.length; i++) {
            const at = order[i]!;
            const isFirst = i === 0 || c.trip.at(order[i - 1]!) !== c.trip.at(at);
            const isLast = i === order.length - 1 || c.trip.at(order[i + 1]!) !== c.trip.at(at);
            if (!isFirst && !isLast) continue;
            const missing = c.arrival.at(at) === NO_TIME ? 'arrival_time' : c.departure.at(at) === NO_TIME ? 'departure_time' : undefined;
            if (missing) {
              throw problem(spec, c.row.at(at), missing, `empty at the ${isFirst ? 'first' : 'last'} stop of trip ${JSON.stringify(model.tripIds[c.trip.at(at)])}`, "GTFS requires both times at a trip's first and last stop");
            }
          }
        },
      };
    case 'frequencies.txt': {
      const seen = new Map<string, number>();
      return {
        row({ row, values }) {
          const tripId = text(values, 'trip_id')!;
          if (!model.trips.has(tripId)) throw problem(spec, row, 'trip_id', `${JSON.stringify(tripId)} is not a trip_id of trips.txt`, 'add the trip to trips.txt or fix the id');
          const startSeconds = num(values, 'start_time')!;
          const endSeconds = num(values, 'end_time')!;
          if (endSeconds <= startSeconds) throw problem(spec, row, 'end_time', 'not after start_time', 'a frequency period ends after it starts; fix one of the two times');
          const key = `${tripId}\n${startSeconds}`;
          const first = seen.get(key);
          if (first !== undefined) throw problem(spec, row, 'start_time', `repeats row ${first} of trip ${JSON.stringify(tripId)}`, 'give each period of a trip its own start_time');
          seen.set(key, row);
          let periods = model.frequencies.get(tripId);
          if (!periods) model.frequencies.set(tripId, (periods = []));
          periods.push({ startSeconds, endSeconds, headwaySeconds: num(values, 'headway_secs')!, exactTimes: num(values, 'exact_times') === 1 });
        },
      };
    }
    default:
      return { row() {} };
  }
}

/** Offsets of a flat [sequence, lat, lon, row, …] shape, ordered by sequence. */
export function sortedShape(points: number[]): number[] {
  const order: number[] = [];
  for (let i = 0; i < points.length; i += 4) order.push(i);
  return order.sort((a, b) => points[a]! - points[b]!);
}
