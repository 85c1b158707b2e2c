// The fixture run (helpers/run.ts) on the running stack, played once per stack: published as run
// `fixture-<shift in seconds>` of tenant `fixture` in env `e2e`, so that every e2e file finds the same run and knows
// its shift from its id. Played again only when PostgreSQL holds no fixture run with all its tracks.
import type pg from 'pg';
import { pgPool } from './clients.ts';
import { expected, publishRun, shiftToNow } from './run.ts';
import { waitFor } from './wait-for.ts';

export interface Run { env: string; tenant: string; runId: string }
export const FIXTURE = { env: 'e2e', tenant: 'fixture' } as const;
const NS_PER_S = 1_000_000_000n;
const runOf = (shift: bigint): Run => ({ ...FIXTURE, runId: `fixture-${shift / NS_PER_S}` });

async function playedBefore(): Promise<{ run: Run; shift: bigint } | undefined> {
  const db = pgPool();
  try {
    const { rows } = await db.query<{ run_id: string }>(
      `select run_id from rich_rings where env = $1 and tenant = $2 and run_id ~ '^fixture-[0-9]+$'
        group by run_id having count(*) = $3 order by length(run_id) desc, run_id desc limit 1`,
      [FIXTURE.env, FIXTURE.tenant, expected(0n).rings.length],
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

/** Waits until PostgreSQL holds every hit and every track of the run (as many as the reference has). */
export async function runStored(db: pg.Pool, run: Run, shift: bigint, timeoutMs = 240_000): Promise<void> {
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
