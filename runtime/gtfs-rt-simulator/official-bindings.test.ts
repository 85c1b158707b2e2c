// The simulator's protobuf checked by an independent implementation: Python's official gtfs-realtime-bindings
// (PyPI, in a venv under the cache folder; scripts/ensure-gtfs-rt-bindings.sh). It must parse every feed, give
// back the values the simulator put in, and serialize the parsed message to the very same bytes.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureTool } from '../../test/helpers/ensure.ts';
import { encodeFeedMessage, type FeedMessage } from './gtfs-rt-encode.ts';
import { readStaticFeed } from './static-feed.ts';
import { VehicleSimulator } from './vehicle-simulator.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/straight-line', import.meta.url));

// Prints, per feed (hex on stdin, one per line): whether re-serializing gives the same bytes, and every set field
// by its proto name (enums by name, repeated fields as lists).
const SCRIPT = `
import json, sys
from google.transit import gtfs_realtime_pb2 as rt

def plain(message):
    out = {}
    for field, value in message.ListFields():
        def one(v):
            if field.message_type is not None:
                return plain(v)
            if field.enum_type is not None:
                return field.enum_type.values_by_number[v].name
            return v
        repeated = hasattr(value, '__len__') and not isinstance(value, (str, bytes))
        out[field.name] = [one(v) for v in value] if repeated else one(value)
    return out

for line in sys.stdin:
    data = bytes.fromhex(line.strip())
    feed = rt.FeedMessage.FromString(data)
    print(json.dumps({'sameBytes': feed.SerializeToString() == data, 'feed': plain(feed)}))
`;

let python: string;
beforeAll(() => {
  python = ensureTool('ensure-gtfs-rt-bindings.sh');
}, 600_000);

function official(feeds: Uint8Array[]): { sameBytes: boolean; feed: Record<string, unknown> }[] {
  const input = feeds.map((f) => Buffer.from(f).toString('hex')).join('\n') + '\n';
  return execFileSync(python, ['-c', SCRIPT], { input, encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { sameBytes: boolean; feed: Record<string, unknown> });
}

/** The same feed as the official bindings should see it: proto names, float32 floats, enums by name. */
function expected(feed: FeedMessage): Record<string, unknown> {
  const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  const trip = (t: NonNullable<FeedMessage['entities'][number]['vehicle']>['trip']) =>
    t && defined({ trip_id: t.tripId, start_time: t.startTime, start_date: t.startDate, route_id: t.routeId, direction_id: t.directionId });
  // ListFields() leaves empty repeated fields out.
  return defined({
    header: { gtfs_realtime_version: '2.0', incrementality: 'FULL_DATASET', timestamp: feed.timestamp },
    entity: feed.entities.length === 0 ? undefined : feed.entities.map((e) =>
      defined({
        id: e.id,
        trip_update: e.tripUpdate && defined({
          trip: trip(e.tripUpdate.trip),
          stop_time_update: e.tripUpdate.stopTimeUpdates.map((u) => defined({
            stop_sequence: u.stopSequence,
            arrival: u.arrival && defined({ delay: u.arrival.delay, time: u.arrival.time }),
            departure: u.departure && defined({ delay: u.departure.delay, time: u.departure.time }),
            stop_id: u.stopId,
          })),
          vehicle: e.tripUpdate.vehicle && defined({ id: e.tripUpdate.vehicle.id }),
          timestamp: e.tripUpdate.timestamp,
          delay: e.tripUpdate.delay,
        }),
        vehicle: e.vehicle && defined({
          trip: trip(e.vehicle.trip),
          position: e.vehicle.position && defined({
            latitude: Math.fround(e.vehicle.position.latitude),
            longitude: Math.fround(e.vehicle.position.longitude),
            bearing: e.vehicle.position.bearing === undefined ? undefined : Math.fround(e.vehicle.position.bearing),
            speed: e.vehicle.position.speed === undefined ? undefined : Math.fround(e.vehicle.position.speed),
          }),
          current_stop_sequence: e.vehicle.currentStopSequence,
          current_status: e.vehicle.currentStatus,
          timestamp: e.vehicle.timestamp,
          stop_id: e.vehicle.stopId,
          vehicle: e.vehicle.vehicle && defined({ id: e.vehicle.vehicle.id, label: e.vehicle.vehicle.label }),
        }),
      }),
    ),
  });
}

describe('the simulator feed parsed by the official Python bindings', () => {
  it('gives back every value and re-serializes to the same bytes (vehicle positions and trip updates)', async () => {
    const simulator = new VehicleSimulator(await readStaticFeed(FIXTURE), { delays: { T1: -90, F1: 45 }, noiseMetres: 3, seed: 11, omitStartDate: ['NOSHAPE'] });
    const instants = ['2026-03-09T13:40:00Z', '2026-03-09T15:03:30Z', '2026-03-09T15:09:59Z', '2026-03-09T16:05:00Z', '2026-03-08T08:45:00Z'].map(Date.parse);
    const models = instants.flatMap((t) => [simulator.vehiclePositions(t), simulator.tripUpdates(t)]);
    expect(models.map((m) => m.entities.length)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    const parsed = official(models.map(encodeFeedMessage));
    expect(parsed.map((p) => p.sameBytes)).toEqual(models.map(() => true));
    expect(parsed.map((p) => p.feed)).toEqual(models.map(expected));
    // A negative delay (T1 is 90 s early) takes the 10-byte varint of a negative int32.
    expect((parsed[3]!.feed.entity as { trip_update: { delay: number } }[])[0]!.trip_update.delay).toBe(-90);
  });

  it('handles an empty feed and large values', () => {
    const feeds: FeedMessage[] = [
      { timestamp: 0, entities: [] },
      { timestamp: 4_102_444_800, entities: [{ id: 'é-ü', vehicle: { vehicle: { id: 'x'.repeat(300) }, currentStopSequence: 2 ** 32 - 1, timestamp: 2 ** 40 } }] },
    ];
    const parsed = official(feeds.map(encodeFeedMessage));
    expect(parsed.map((p) => p.sameBytes)).toEqual([true, true]);
    expect(parsed.map((p) => p.feed)).toEqual(feeds.map(expected));
  });
});
