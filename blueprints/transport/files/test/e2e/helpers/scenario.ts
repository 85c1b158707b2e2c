// Plays the transport scenario on the running stack once: the static feed loaded (npm run gtfs:load), then the
// scenario's positions served as GTFS-Realtime snapshots where the gateway polls, with the Flink jobs killed and
// restarted half-way (as a crash does), so whichever e2e file needs the scenario's results first also proves that
// a restored job detects every arrival exactly once. Played again only when its results are gone (Redis states
// expire after the manifest's TTL); replaying is harmless: detection ignores samples behind a vehicle's last.
import { spawnSync } from 'node:child_process';
import { pgPool, redisClient } from './clients.ts';
import { ControlledFeed, feedOf, snapshotsOf } from './feed.ts';
import { arrivalKey, expectedArrivals, scenarioPositions, SCENARIO, storedArrivals } from './arrivals.ts';
import { flinkJobCount, restartFlink, waitForCheckpointsSince } from './flink.ts';
import { waitFor } from './wait-for.ts';

/** Each scenario vehicle's newest position time (epoch ms): what its Redis state shows once the scenario played. */
export function newestPositions(): Map<string, number> {
  const newest = new Map<string, number>();
  for (const p of scenarioPositions()) if (p.tripId) newest.set(p.vehicleId, Math.max(newest.get(p.vehicleId) ?? 0, p.timestamp));
  return newest;
}

const tripIds = () => [...new Set(scenarioPositions().flatMap((p) => (p.tripId ? [p.tripId] : [])))];

async function played(): Promise<boolean> {
  const db = pgPool();
  const redis = redisClient();
  try {
    const stored = new Set((await storedArrivals(db, tripIds())).map(arrivalKey));
    if (!expectedArrivals().every((a) => stored.has(arrivalKey(a)))) return false;
    for (const [vehicleId, newest] of newestPositions()) {
      if ((await redis.hget(`transport:vehicle:${vehicleId}`, 'position_time_ms')) !== String(newest)) return false;
    }
    return true;
  } finally {
    await db.end();
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
    await waitFor(played, { timeoutMs: 180_000, intervalMs: 1000, what: 'the scenario in PostgreSQL and Redis' });
  } finally {
    await feed.close();
  }
}
