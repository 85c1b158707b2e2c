// The fixture run (helpers/run.ts) on the running stack, played once per stack: published as run
// `fixture-<shift in seconds>` of tenant `fixture` in env `e2e`, so that every e2e file finds the same run and knows
// its shift from its id. Played again only when PostgreSQL holds no fixture run with all its tracks (trackless mode:
// all its hits).
import type pg from 'pg';
import { pgPool } from './clients.ts';
import { expected, publishRun, runHits, shiftToNow, storedHits, storedRings, trackless, type ExpectedHit, type ExpectedRing } from './run.ts';
import { waitFor } from './wait-for.ts';

export interface Run { env: string; tenant: string; runId: string }
export const FIXTURE = { env: 'e2e', tenant: 'fixture' } as const;
const NS_PER_S = 1_000_000_000n;
const runOf = (shift: bigint): Run => ({ ...FIXTURE, runId: `fixture-${shift / NS_PER_S}` });

async function playedBefore(): Promise<{ run: Run; shift: bigint } | undefined> {
  const db = pgPool();
  try {
    const [table, complete] = trackless() ? ['rich_hits', runHits().length] : ['rich_rings', expected(0n).rings.length];
    const { rows } = await db.query<{ run_id: string }>(
      `select run_id from ${table} where env = $1 and tenant = $2 and run_id ~ '^fixture-[0-9]+$'
        group by run_id having count(*) = $3 order by length(run_id) desc, run_id desc limit 1`,
      [FIXTURE.env, FIXTURE.tenant, complete],
    );
    if (rows.length === 0) return undefined;
    const shift = BigInt(rows[0]!.run_id.slice('fixture-'.length)) * NS_PER_S;
    return { run: runOf(shift), shift };
  } finally {
    await db.end();
  }
}

/** The fixture run on this stack: published now unless an earlier play's tracks are all in PostgreSQL. */
export async function fixturePlayed(): Promise<{ run: Run; shift: bigint }> {
  const before = await playedBefore();
  if (before) return before;
  const shift = shiftToNow();
  const run = runOf(shift);
  await publishRun(run, shift);
  return { run, shift };
}

/**
 * Waits until PostgreSQL holds every hit and every track of the run (as many as the reference has); in trackless
 * mode every hit and a ring row for every ring id its hits are labelled with.
 */
export async function runStored(db: pg.Pool, run: Run, shift: bigint, timeoutMs = 240_000): Promise<void> {
  if (trackless()) return ringsStored(db, run, timeoutMs);
  const want = expected(shift);
  await waitFor(async () => {
    const { rows } = await db.query<{ hits: number; rings: number }>(
      `select (select count(*)::int from rich_hits where env = $1 and tenant = $2 and run_id = $3) as hits,
              (select count(*)::int from rich_rings where env = $1 and tenant = $2 and run_id = $3) as rings`,
      [run.env, run.tenant, run.runId],
    );
    return rows[0]!.hits >= want.hits.length && rows[0]!.rings >= want.rings.length;
  }, { timeoutMs, intervalMs: 1000, what: `the ${want.hits.length} hits and ${want.rings.length} tracks of ${run.runId} in PostgreSQL` });
}

async function ringsStored(db: pg.Pool, run: Run, timeoutMs: number): Promise<void> {
  const hits = runHits().length;
  await waitFor(async () => {
    const { rows } = await db.query<{ hits: number; rings: number; labelled: number }>(
      `select (select count(*)::int from rich_hits where env = $1 and tenant = $2 and run_id = $3) as hits,
              (select count(*)::int from rich_rings where env = $1 and tenant = $2 and run_id = $3) as rings,
              (select count(distinct track_id)::int from rich_hits where env = $1 and tenant = $2 and run_id = $3) as labelled`,
      [run.env, run.tenant, run.runId],
    );
    return rows[0]!.hits >= hits && rows[0]!.rings >= rows[0]!.labelled;
  }, { timeoutMs, intervalMs: 1000, what: `the ${hits} hits of ${run.runId} and a ring row for each ring they are labelled with, in PostgreSQL` });
}

const numberOrNull = (value: unknown) => (value === null ? null : Number(value));

/** The run's stored labels and rings in the form of the reference's. */
async function storedAsExpected(db: pg.Pool, run: { env: string; tenant: string; runId: string }): Promise<{ hits: ExpectedHit[]; rings: ExpectedRing[] }> {
  const rings = (await storedRings(db, run)).map((r) => ({
    trackId: String(r.track_id), found: r.found as boolean, hits: Number(r.hits), centreX: numberOrNull(r.centre_x), centreY: numberOrNull(r.centre_y),
    radius: numberOrNull(r.radius), chi2: numberOrNull(r.chi2), ndf: numberOrNull(r.ndf), cherenkovAngle: numberOrNull(r.cherenkov_angle), beta: numberOrNull(r.beta),
  }));
  return { hits: await storedHits(db, run), rings };
}

/**
 * What the API, dbt and display tests compare with, once the run is stored: the reference's labels and fits; in
 * trackless mode the stored ones (rings.test.ts judges those against the run's truth).
 */
export async function wanted(db: pg.Pool, run: Run, shift: bigint): Promise<{ hits: ExpectedHit[]; rings: ExpectedRing[] }> {
  return trackless() ? storedAsExpected(db, run) : expected(shift);
}
