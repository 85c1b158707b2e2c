// Plays the transport scenario on the running stack once: the static feed loaded (npm run gtfs:load), then the
// scenario's positions served as GTFS-Realtime snapshots where the gateway polls, with the Flink jobs killed and
// restarted half-way (as a crash does), so whichever e2e file needs the scenario's results first also proves that
// a restored job detects every arrival exactly once, and that Redis then holds the last vehicles' states and last
// arrivals. Played again only when its arrivals are not all in PostgreSQL; replaying is harmless: detection
// ignores samples behind a vehicle's last.
import { spawnSync } from 'node:child_process';
import { pgPool, redisClient, runId } from './clients.ts';
import { ControlledFeed, feedOf, snapshotsOf, type ScenarioPosition } from './feed.ts';
import { arrivalKey, expectedArrivals, scenarioPositions, SCENARIO, storedArrivals } from './arrivals.ts';
import { flinkJobCount, restartFlink, waitForCheckpointsSince } from './flink.ts';
import { waitFor } from './wait-for.ts';

const tripIds = () => [...new Set(scenarioPositions().flatMap((p) => (p.tripId ? [p.tripId] : [])))];

async function played(): Promise<boolean> {
  const db = pgPool();
  try {
    const stored = new Set((await storedArrivals(db, tripIds())).map(arrivalKey));
    return expectedArrivals().every((a) => stored.has(arrivalKey(a)));
  } finally {
    await db.end();
  }
}

/**
 * What Redis must show right after the play, the only moment it can (states expire after the manifest's TTL, and a
 * replay's older positions never replace newer ones): for each vehicle of the last snapshot, its newest position and
 * trip, and its latest arrival on that trip. Throws naming the first difference.
 */
async function checkRedisAfterPlay(lastSnapshot: ScenarioPosition[]): Promise<void> {
  const redis = redisClient();
  try {
    const expected = expectedArrivals();
    for (const p of lastSnapshot.filter((q) => q.tripId)) {
      const state = await waitFor(async () => {
        const hash = await redis.hgetall(`transport:vehicle:${p.vehicleId}`);
        return hash.position_time_ms === String(p.timestamp) ? hash : undefined;
      }, { timeoutMs: 30_000, what: `the Redis state of ${p.vehicleId} at ${p.timestamp}` });
      const got = { trip: state.trip_id, latitude: Number(state.latitude), longitude: Number(state.longitude) };
      const want = { trip: p.tripId, latitude: p.latitude, longitude: p.longitude };
      if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`Redis state of ${p.vehicleId}: ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
      const own = expected.filter((a) => a.vehicleId === p.vehicleId && a.tripId === p.tripId);
      if (own.length === 0) continue;
      const latest = own.reduce((a, b) => (b.arrivalTime > a.arrivalTime ? b : a));
      const arrival = await redis.hgetall(`transport:vehicle:${p.vehicleId}:arrival`);
      const gotArrival = { trip: arrival.trip_id, stop: arrival.stop_id, at: Number(arrival.arrival_time_ms), delay: arrival.delay_seconds ?? null };
      const wantArrival = { trip: latest.tripId, stop: latest.stopId, at: latest.arrivalTime, delay: latest.delaySeconds === null ? null : String(latest.delaySeconds) };
      if (JSON.stringify(gotArrival) !== JSON.stringify(wantArrival)) {
        throw new Error(`Redis last arrival of ${p.vehicleId}: ${JSON.stringify(gotArrival)}, expected ${JSON.stringify(wantArrival)}`);
      }
    }
  } finally {
    redis.disconnect();
  }
}

/** Resolves once the scenario's arrivals are in PostgreSQL and its vehicles' newest states in Redis. */
export async function scenarioPlayed(): Promise<void> {
  if (await played()) return;
  const load = spawnSync('npm', ['run', '--silent', 'gtfs:load', '--', `${SCENARIO}/fixtures/synthetic-gtfs`], { encoding: 'utf8' });
  if (load.status !== 0) throw new Error(`npm run gtfs:load failed (exit ${load.status}):\n${load.stdout}${load.stderr}`);
  const feed = await ControlledFeed.start();
  try {
    const snapshots = snapshotsOf(scenarioPositions());
    const half = Math.ceil(snapshots.length / 2);
    for (const [i, s] of snapshots.slice(0, half).entries()) await feed.serve(feedOf(s.headerSeconds, s.positions), `scenario snapshot ${i + 1}`);
    const db = pgPool();
    try {
      await waitFor(async () => (await storedArrivals(db, tripIds())).length > 0, { timeoutMs: 120_000, what: 'the first stop arrivals in PostgreSQL' });
    } finally {
      await db.end();
    }
    // The gateway keeps polling while Flink is down; the restored jobs read on from their checkpoints.
    const restarted = restartFlink();
    for (const [i, s] of snapshots.slice(half).entries()) await feed.serve(feedOf(s.headerSeconds, s.positions), `scenario snapshot ${half + i + 1}`);
    await restarted;
    await waitForCheckpointsSince(Date.now(), flinkJobCount(), 180_000);
    await waitFor(played, { timeoutMs: 180_000, intervalMs: 1000, what: 'the scenario arrivals in PostgreSQL' });
    await checkRedisAfterPlay(snapshots.at(-1)!.positions);
  } finally {
    await feed.close();
  }
}

type Place = { latitude: number; longitude: number };

/**
 * `count` scenario positions as far apart as they go, and from `avoid`: each time the one farthest from those taken
 * and avoided (the first scenario position when there is nothing to keep away from).
 */
function spreadPositions(count: number, avoid: Place[]): ScenarioPosition[] {
  const all = scenarioPositions();
  const k = Math.cos((all[0]!.latitude * Math.PI) / 180);
  const apart = (a: Place, b: Place) => Math.hypot(a.latitude - b.latitude, (a.longitude - b.longitude) * k);
  const taken: ScenarioPosition[] = avoid.length > 0 ? [] : [all[0]!];
  while (taken.length < Math.min(count, all.length)) {
    const distance = (p: Place) => Math.min(...[...avoid, ...taken].map((q) => apart(p, q)));
    taken.push(all.reduce((best, p) => (distance(p) > distance(best) ? p : best)));
  }
  return taken;
}

/**
 * Vehicles reporting now (current timestamps), on trips the static feed does not have (so they add no arrivals):
 * for the pages and answers that show "vehicles now" after the scenario's own states expired, placed far apart (and
 * from `avoid`) so that a map shows each on its own. Resolves once their states are in Redis; the feed server stops
 * again.
 */
export async function liveVehicles(count = 3, avoid: Place[] = []): Promise<ScenarioPosition[]> {
  const run = runId();
  const now = Math.floor(Date.now() / 1000);
  const live = spreadPositions(count, avoid).map((p, i) => ({
    entityId: `live-${run}-${i}`, vehicleId: `live-${run}-${i}`, tripId: `live-${run}`, latitude: p.latitude, longitude: p.longitude, timestamp: now * 1000,
  }));
  const feed = await ControlledFeed.start();
  const redis = redisClient();
  try {
    await feed.serve(feedOf(now, live), 'a feed of live vehicles');
    await waitFor(async () => {
      for (const v of live) if ((await redis.hget(`transport:vehicle:${v.vehicleId}`, 'position_time_ms')) !== String(v.timestamp)) return false;
      return true;
    }, { timeoutMs: 60_000, what: 'the live vehicles in Redis' });
    return live;
  } finally {
    redis.disconnect();
    await feed.close();
  }
}
