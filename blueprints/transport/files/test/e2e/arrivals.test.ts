// The transport pipeline end to end on the running stack. First the gateway's feed rules, with probe vehicles of
// this run: a repeated feed (same header time), a 304, a body that is not GTFS-RT, a position without a trip and a
// vehicle whose timestamp did not move. Then the scenario (helpers/scenario.ts: the Flink jobs are killed and
// restarted half-way) through Kafka and Flink's arrival detection into PostgreSQL, Kafka and Redis, compared with
// the arrivals of the independent reference implementation (scenarios/transport/): a trip past midnight, service
// dates on both daylight-saving changes, trips without start_date, several stops passed between two samples, a
// sample behind, frequency trips with headways.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifest, pgPool, redisClient, runId, TopicRecorder } from './helpers/clients.ts';
import { encodeFeedMessage } from 'create-iot-platform/gtfs-rt-simulator';
import { ControlledFeed, feedOf, pollUrl, type ScenarioPosition } from './helpers/feed.ts';
import { arrivalKey, expectedArrivals, readTopic, scenarioPositions, sortByKey, storedArrivals, type Arrival } from './helpers/arrivals.ts';
import { liveVehicles, scenarioPlayed } from './helpers/scenario.ts';
import { waitFor } from './helpers/wait-for.ts';

const POSITIONS = 'transport.positions.v1';
const ARRIVALS = 'transport.arrivals.v1';
const DLQ = 'transport.dlq';
const TRIP_UPDATES = 'transport.trip-updates.v1';

const db = pgPool();
const redis = redisClient();
const positions = scenarioPositions();
const expected = expectedArrivals();
const tripIds = [...new Set(positions.flatMap((p) => (p.tripId ? [p.tripId] : [])))];
let recorder: TopicRecorder;

beforeAll(async () => {
  recorder = await TopicRecorder.start([POSITIONS, DLQ, TRIP_UPDATES]);
}, 60_000);

afterAll(async () => {
  await recorder?.stop();
  await db.end();
  redis.disconnect();
});

describe('transport: GTFS-RT positions to stop arrivals', () => {
  it('applies the feed rules: a 304, a repeated feed, an undecodable body, a position without a trip, an unmoved vehicle', async () => {
    const run = runId();
    const now = Math.floor(Date.now() / 1000);
    const probe = (vehicle: string, seconds: number, tripId: string | null = 'e2e-probe'): ScenarioPosition => ({
      entityId: `${run}-${vehicle}`, vehicleId: `${run}-${vehicle}`, ...(tripId ? { tripId } : {}), latitude: 37.772, longitude: -122.42, timestamp: seconds * 1000,
    });
    const published = () => recorder.json(POSITIONS).filter((p) => String(p.vehicleId).startsWith(run)).map((p) => `${p.vehicleId}@${p.timestamp}`);
    const feed = await ControlledFeed.start();
    try {
      await feed.serve(feedOf(now, [probe('a', now - 5), probe('b', now - 5)]), 'the first probe feed');
      await waitFor(() => published().length === 2, { timeoutMs: 30_000, what: 'the probe positions on the positions topic' });
      // Unchanged: the gateway's conditional GET gets 304.
      await feed.notModified();
      // The same header time with other bytes: a repeated feed, skipped.
      await feed.serve(feedOf(now, [probe('b', now - 1), probe('a', now - 1)]), 'a repeated feed');
      // Not GTFS-RT at all: dead-lettered with the reason, and polling goes on.
      await feed.serve(new TextEncoder().encode('<html>503 upstream error</html>'), 'an undecodable body');
      const dead = await waitFor(() => recorder.json(DLQ).find((d) => d.source === 'poll'), { timeoutMs: 30_000, what: 'the dead letter of the undecodable body' });
      expect(String(dead.reason)).toMatch(/^vehicle_positions: FeedMessage: /);
      // A new feed: vehicle a did not move (same timestamp), b did, c has no trip.
      await feed.serve(feedOf(now + 1, [probe('a', now - 5), probe('b', now), probe('c', now, null)]), 'a feed with an unmoved vehicle and one without a trip');
      await waitFor(() => published().length === 3, { timeoutMs: 30_000, what: "b's new position on the positions topic" });
      expect(published().sort()).toEqual([`${run}-a@${(now - 5) * 1000}`, `${run}-b@${(now - 5) * 1000}`, `${run}-b@${now * 1000}`]);
    } finally {
      await feed.close();
    }
  }, 180_000);

  it('polls trip updates into transport.trip-updates.v1: one record per stop time update, a repeated update skipped', async () => {
    const run = runId();
    const now = Math.floor(Date.now() / 1000);
    const tripId = `${run}-trip`;
    const update = (headerSeconds: number, updateSeconds: number) =>
      encodeFeedMessage({
        timestamp: headerSeconds,
        entities: [{
          id: `${run}-u1`,
          tripUpdate: {
            trip: { tripId, routeId: 'R1', startDate: '20260310' },
            vehicle: { id: `${run}-bus` },
            timestamp: updateSeconds,
            stopTimeUpdates: [{ stopSequence: 3, stopId: 'S3', arrival: { delay: 90 } }, { stopSequence: 4, stopId: 'S4', arrival: { time: now + 300 } }],
          },
        }],
      });
    const fields = ['entityId', 'tripId', 'routeId', 'startDate', 'vehicleId', 'stopSequence', 'stopId', 'arrivalDelay', 'arrivalTime', 'timestamp'];
    const published = () => recorder.json(TRIP_UPDATES).filter((r) => r.tripId === tripId).map((r) => Object.fromEntries(fields.flatMap((f) => (f in r ? [[f, r[f]]] : []))));
    const feed = await ControlledFeed.start(pollUrl('gtfs-rt-trip-updates'));
    try {
      await feed.serve(update(now, now - 2), 'a trip updates feed');
      await waitFor(() => published().length === 2, { timeoutMs: 30_000, what: 'the two stop time updates on the trip updates topic' });
      // A new feed whose trip update kept its own timestamp: skipped, like an unmoved vehicle.
      await feed.serve(update(now + 1, now - 2), 'a feed with the same trip update');
      await feed.notModified();
      const common = { entityId: `${run}-u1`, tripId, routeId: 'R1', startDate: '20260310', vehicleId: `${run}-bus`, timestamp: (now - 2) * 1000 };
      expect(published()).toEqual([
        { ...common, stopSequence: 3, stopId: 'S3', arrivalDelay: 90 },
        { ...common, stopSequence: 4, stopId: 'S4', arrivalTime: (now + 300) * 1000 },
      ]);
    } finally {
      await feed.close();
    }
  }, 180_000);

  it('writes exactly the reference arrivals to PostgreSQL (stop, service date, arrival second, delay, on time, headway), across a Flink restart', async () => {
    await scenarioPlayed();
    expect(await storedArrivals(db, tripIds)).toEqual(expected);
  }, 900_000);

  it('publishes the same arrivals on transport.arrivals.v1 (last value per key)', async () => {
    const last = new Map<string, Arrival>();
    for (const value of await readTopic(ARRIVALS)) {
      const arrival = value as unknown as Arrival;
      if (tripIds.includes(arrival.tripId)) last.set(arrivalKey(arrival), arrival);
    }
    expect(sortByKey([...last.values()])).toEqual(expected);
  }, 60_000);

  it("keeps each vehicle's current state in Redis with the manifest's TTL (the scenario's last states: helpers/scenario.ts)", async () => {
    await scenarioPlayed();
    const [vehicle] = await liveVehicles(1);
    const state = await redis.hgetall(`transport:vehicle:${vehicle!.vehicleId}`);
    expect({ trip: state.trip_id, lat: Number(state.latitude), lon: Number(state.longitude), at: Number(state.position_time_ms) }).toEqual({
      trip: vehicle!.tripId, lat: vehicle!.latitude, lon: vehicle!.longitude, at: vehicle!.timestamp,
    });
    const ttl = await redis.ttl(`transport:vehicle:${vehicle!.vehicleId}`);
    const configured = manifest().sinks.redis.find((s) => s.topic === 'transport.vehicle-state')!.ttlSeconds!;
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(configured);
  }, 900_000);
});
