// The transport pipeline end to end on the running stack: the scenario's positions served as GTFS-Realtime
// snapshots where the gateway polls, through Kafka and Flink's arrival detection into PostgreSQL, Kafka and Redis.
// The expected arrivals come from the independent reference implementation (scenarios/transport/): a trip past
// midnight, service dates on both daylight-saving changes, trips without start_date, several stops passed between
// two samples, a sample behind, frequency trips. On the way the feed repeats itself (same header time), answers
// 304, sends a body that is not GTFS-RT and a position without a trip, and the Flink jobs are killed and restarted
// mid-scenario.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { pgPool, redisClient, TopicRecorder } from './helpers/clients.ts';
import { ControlledFeed, feedOf, snapshotsOf } from './helpers/feed.ts';
import { arrivalKey, expectedArrivals, scenarioPositions, SCENARIO, sortByKey, storedArrivals, type Arrival } from './helpers/arrivals.ts';
import { flinkJobCount, restartFlink, waitForCheckpointsSince } from './helpers/flink.ts';
import { waitFor } from './helpers/wait-for.ts';

const POSITIONS = 'transport.positions.v1';
const ARRIVALS = 'transport.arrivals.v1';
const DLQ = 'transport.dlq';

const db = pgPool();
const redis = redisClient();
const positions = scenarioPositions();
const snapshots = snapshotsOf(positions);
const expected = expectedArrivals();
const tripIds = [...new Set(positions.flatMap((p) => (p.tripId ? [p.tripId] : [])))];
let feed: ControlledFeed;
let recorder: TopicRecorder;

beforeAll(async () => {
  // The static feed: schema gtfs and the trip records arrival detection reads (idempotent).
  const load = spawnSync('npm', ['run', '--silent', 'gtfs:load', '--', `${SCENARIO}/fixtures/synthetic-gtfs`], { encoding: 'utf8' });
  expect(load.status, `${load.stdout}${load.stderr}`).toBe(0);
  recorder = await TopicRecorder.start([POSITIONS, ARRIVALS, DLQ]);
  feed = await ControlledFeed.start();
}, 120_000);

afterAll(async () => {
  await feed?.close();
  await recorder?.stop();
  await db.end();
  redis.disconnect();
});

/** Positions the gateway wrote since the test began, per vehicle: their timestamps. */
const publishedPositions = () => recorder.json(POSITIONS).map((p) => `${p.vehicleId}@${p.timestamp}`);

describe('transport: GTFS-RT positions to stop arrivals', () => {
  it('applies the feed rules: a repeated feed, a 304, an undecodable body and a position without a trip', async () => {
    const [first, ...rest] = snapshots;
    await feed.serve(feedOf(first!.headerSeconds, first!.positions), 'the first snapshot');
    const withTrip = first!.positions.filter((p) => p.tripId);
    await waitFor(() => publishedPositions().length === withTrip.length, { timeoutMs: 30_000, what: 'the first snapshot on the positions topic' });
    expect(publishedPositions().sort()).toEqual(withTrip.map((p) => `${p.vehicleId}@${p.timestamp}`).sort());

    // Unchanged: the gateway's conditional GET gets 304.
    await feed.notModified();
    // The same header time with other bytes (entities reversed): a repeated feed, skipped.
    await feed.serve(feedOf(first!.headerSeconds, [...first!.positions].reverse()), 'a repeat of the first snapshot');
    // Not GTFS-RT at all: dead-lettered with the reason, and polling goes on.
    await feed.serve(new TextEncoder().encode('<html>503 upstream error</html>'), 'an undecodable body');
    const dead = await waitFor(() => recorder.json(DLQ).find((d) => d.source === 'poll'), { timeoutMs: 30_000, what: 'the dead letter of the undecodable body' });
    expect(String(dead.reason)).toMatch(/^vehicle_positions: FeedMessage: /);
    // A vehicle without a trip, and the repeated feed, wrote nothing.
    const ghost = { entityId: 'ghost-e2e', vehicleId: 'ghost-e2e', latitude: 37.78, longitude: -122.41, timestamp: (first!.headerSeconds + 1) * 1000 };
    await feed.serve(feedOf(first!.headerSeconds + 1, [ghost]), 'a position without a trip');
    expect(publishedPositions()).toHaveLength(withTrip.length);

    // The rest of the scenario until half of it, then the Flink jobs crash and restart while the feed goes on.
    const half = Math.ceil(rest.length / 2);
    for (const [i, s] of rest.slice(0, half).entries()) await feed.serve(feedOf(s.headerSeconds, s.positions), `snapshot ${i + 2}`);
    await waitFor(async () => (await storedArrivals(db, tripIds)).length > 0, { timeoutMs: 120_000, what: 'the first stop arrivals in PostgreSQL' });
    const restart = restartFlink();
    for (const [i, s] of rest.slice(half).entries()) await feed.serve(feedOf(s.headerSeconds, s.positions), `snapshot ${half + i + 2}`);
    await restart;
    await waitForCheckpointsSince(Date.now(), flinkJobCount(), 180_000);
  }, 600_000);

  it('writes exactly the reference arrivals to PostgreSQL: stop, service date, arrival second, delay, on time, headway', async () => {
    const stored = await waitFor(
      async () => {
        const rows = await storedArrivals(db, tripIds);
        return rows.length >= expected.length ? rows : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 1000, what: `${expected.length} stop arrivals in PostgreSQL` },
    );
    expect(stored).toEqual(expected);
  }, 240_000);

  it('publishes the same arrivals on transport.arrivals.v1 (last value per key)', async () => {
    const last = new Map<string, Arrival>();
    await waitFor(
      () => {
        for (const a of recorder.json(ARRIVALS) as unknown as Arrival[]) last.set(arrivalKey(a), a);
        return last.size >= expected.length;
      },
      { timeoutMs: 60_000, what: 'the arrivals topic' },
    );
    expect(sortByKey([...last.values()])).toEqual(expected);
  });

  it("keeps each vehicle's current state and last arrival in Redis, with the manifest's TTL", async () => {
    const vehicles = [...new Set(expected.map((a) => a.vehicleId))];
    for (const vehicleId of vehicles) {
      const own = positions.filter((p) => p.vehicleId === vehicleId);
      const newest = own.reduce((a, b) => (b.timestamp > a.timestamp ? b : a));
      const state = await waitFor(async () => {
        const hash = await redis.hgetall(`transport:vehicle:${vehicleId}`);
        return hash.position_time_ms === String(newest.timestamp) ? hash : undefined;
      }, { timeoutMs: 30_000, what: `the Redis state of ${vehicleId}` });
      expect({ trip: state.trip_id, lat: Number(state.latitude), lon: Number(state.longitude) }).toEqual({ trip: newest.tripId, lat: newest.latitude, lon: newest.longitude });
      const ttl = await redis.ttl(`transport:vehicle:${vehicleId}`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(120);
      // Its last arrival: the latest the reference found for the vehicle's newest trip.
      const ownArrivals = expected.filter((a) => a.vehicleId === vehicleId && a.tripId === newest.tripId);
      if (ownArrivals.length === 0) continue;
      const latest = ownArrivals.reduce((a, b) => (b.arrivalTime > a.arrivalTime ? b : a));
      const arrival = await redis.hgetall(`transport:vehicle:${vehicleId}:arrival`);
      expect({ trip: arrival.trip_id, stop: arrival.stop_id, at: Number(arrival.arrival_time_ms), delay: arrival.delay_seconds ?? null }).toEqual({
        trip: latest.tripId,
        stop: latest.stopId,
        at: latest.arrivalTime,
        delay: latest.delaySeconds === null ? null : String(latest.delaySeconds),
      });
    }
  });
});

