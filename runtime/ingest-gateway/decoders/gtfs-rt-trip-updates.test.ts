// The GTFS-RT trip-updates decoder: the real Caltrain snapshot record for record against its JSON twin (decoded
// by the official JavaScript bindings when the data set was assembled), and the simulator's feeds.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encodeFeedMessage } from '../../gtfs-rt-simulator/gtfs-rt-encode.ts';
import { DecodeError } from './decode-error.ts';
import { decodeGtfsRtTripUpdates } from './gtfs-rt-trip-updates.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const GTFS = process.env.IOT_PLATFORM_GTFS_DIR ?? resolve(root, '../shared/reference/data/gtfs');
const TU = join(GTFS, 'caltrain-2023-11/realtime/trip-updates-1699405534');

type Json = Record<string, any>;

/** The records expected from the JSON twin, by the decoder's documented rules. */
function fromJsonTwin(): Record<string, unknown>[] {
  const feed = JSON.parse(readFileSync(`${TU}.json`, 'utf8')) as Json;
  return (feed.entity as Json[]).flatMap(({ id, trip_update: u }) =>
    (u.stop_time_update as Json[]).map((s) =>
      Object.fromEntries(
        Object.entries({
          entityId: id,
          tripId: u.trip.trip_id,
          routeId: u.trip.route_id,
          directionId: u.trip.direction_id,
          startDate: u.trip.start_date,
          startTime: u.trip.start_time,
          scheduleRelationship: u.trip.schedule_relationship,
          vehicleId: u.vehicle?.id || undefined,
          vehicleLabel: u.vehicle?.label || undefined,
          stopSequence: s.stop_sequence,
          stopId: s.stop_id,
          arrivalDelay: s.arrival?.delay,
          arrivalTime: s.arrival?.time && s.arrival.time * 1000,
          arrivalUncertainty: s.arrival?.uncertainty,
          departureDelay: s.departure?.delay,
          departureTime: s.departure?.time && s.departure.time * 1000,
          departureUncertainty: s.departure?.uncertainty,
          stopScheduleRelationship: s.schedule_relationship,
          timestamp: (u.timestamp ?? feed.header.timestamp) * 1000,
        }).filter(([, v]) => v !== undefined),
      ),
    ),
  );
}

describe('decodeGtfsRtTripUpdates', () => {
  it('decodes the Caltrain snapshot: 19 trip updates, 220 stop time updates, equal to the official bindings', () => {
    const decoded = decodeGtfsRtTripUpdates(new Uint8Array(readFileSync(`${TU}.pb`)));
    expect(decoded.headerTimestampMs).toBe(1699405534000);
    expect(decoded.tripUpdates).toHaveLength(19);
    expect(decoded.tripUpdates[0]).toMatchObject({ entityId: '124', tripId: '124', startDate: '20231107', timestampMs: 1699405520000 });
    const records = decoded.tripUpdates.flatMap((u) => u.records);
    expect(records).toHaveLength(220);
    expect(records).toEqual(fromJsonTwin());
    expect(records[0]).toEqual({
      entityId: '124', tripId: '124', routeId: 'L1', directionId: 1, startDate: '20231107', startTime: '15:37:00', scheduleRelationship: 'SCHEDULED',
      vehicleId: '124', stopSequence: 20, stopId: '70232', departureTime: 1699405504000, stopScheduleRelationship: 'SCHEDULED', timestamp: 1699405520000,
    });
  });

  it('reads negative delays, skips vehicle entities, and rejects a malformed feed with DecodeError', () => {
    const bytes = encodeFeedMessage({
      timestamp: 1_700_000_000,
      entities: [
        { id: 'v', vehicle: { position: { latitude: 1, longitude: 2 } } },
        { id: 'u', tripUpdate: { trip: { tripId: 'T1' }, delay: -30, stopTimeUpdates: [{ stopSequence: 3, arrival: { delay: -90, time: 1_700_000_100 } }] } },
        { id: 'no-trip', tripUpdate: { trip: {}, stopTimeUpdates: [] } },
      ],
    });
    expect(decodeGtfsRtTripUpdates(bytes)).toEqual({
      headerTimestampMs: 1_700_000_000_000,
      withoutTripUpdate: 1,
      tripUpdates: [
        { entityId: 'u', tripId: 'T1', startDate: undefined, timestampMs: undefined, records: [{ entityId: 'u', tripId: 'T1', tripDelay: -30, stopSequence: 3, arrivalDelay: -90, arrivalTime: 1_700_000_100_000, timestamp: 1_700_000_000_000 }] },
        { entityId: 'no-trip', tripId: undefined, startDate: undefined, timestampMs: undefined, records: [] },
      ],
    });
    expect(() => decodeGtfsRtTripUpdates(Buffer.from('<html>'))).toThrow(DecodeError);
    expect(() => decodeGtfsRtTripUpdates(bytes.subarray(0, bytes.length - 3))).toThrow(/truncated/);
  });
});
