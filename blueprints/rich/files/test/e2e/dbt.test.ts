// dbt over the fixture run on the running stack: once PostgreSQL holds the fixture run's labelled hits and ring fits
// (helpers/scenario.ts), `npm run stack -- dbt build` (models and their data tests) leaves in the marts exactly the
// rows computed here: the run's rows from the reference's labels and fits (scenarios/rich/expected-labels.jsonl),
// the noise map of the fixture tenant from its stored hits, pixelsPerSide from iot-platform.yaml. In trackless mode the
// run's rows come from the stored labels and rings (rings.test.ts judges those against the run's truth).
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveParameters } from 'create-iot-platform/rich-simulator';
import { manifest, pgPool } from './helpers/clients.ts';
import { stack } from './helpers/stack.ts';
import type { ExpectedHit } from './helpers/run.ts';
import { FIXTURE, fixturePlayed, runStored, wanted, type Run } from './helpers/scenario.ts';

const NS = 1_000_000_000n;
let db: pg.Pool;
let run: Run;
let want: Awaited<ReturnType<typeof wanted>>;

/** num/den ≥ 0 rounded half up to `places` decimals, printed like PostgreSQL's numeric; '' (null) for den 0. */
function decimal(num: bigint, den: bigint, places: number): string {
  if (den === 0n) return '';
  const rounded = (2n * num * 10n ** BigInt(places) + den) / (2n * den);
  const digits = rounded.toString().padStart(places + 1, '0');
  return `${digits.slice(0, -places)}.${digits.slice(-places)}`;
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return new Map([...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Hits grouped by pixel, in (ix, iy) order. */
const byPixel = <T extends { ix: number; iy: number }>(hits: T[]): T[][] =>
  [...groupBy(hits, (h) => `${h.ix}|${h.iy}`).values()].sort((a, b) => a[0]!.ix - b[0]!.ix || a[0]!.iy - b[0]!.iy);

const span = (hits: { timeNs: string }[]) => {
  const times = hits.map((h) => BigInt(h.timeNs));
  const [first, last] = [times.reduce((a, b) => (a < b ? a : b)), times.reduce((a, b) => (a > b ? a : b))];
  return { first, last, duration: last - first };
};

/** Rows as `|`-joined text (null as ''), as the expectations are written. */
async function rows(sql: string, values: unknown[] = []): Promise<string[]> {
  const { rows: result } = await db.query<Record<string, unknown>>(sql, values);
  return result.map((row) => Object.values(row).map((v) => (v === null ? '' : String(v))).join('|'));
}

beforeAll(async () => {
  db = pgPool();
  const played = await fixturePlayed();
  run = played.run;
  await runStored(db, run, played.shift);
  want = await wanted(db, run, played.shift);
  await stack('dbt', 'build');
}, 900_000);

afterAll(async () => {
  await db?.end();
});

describe('dbt marts of the fixture run', () => {
  const key = () => `${run.env}|${run.tenant}|${run.runId}`;
  const where = 'where env = $1 and tenant = $2 and run_id = $3';
  const params = () => [run.env, run.tenant, run.runId];

  it('dark_count_rate_per_run and dark_count_rate_per_pixel: noise hits over the span of the run', async () => {
    const pixelsPerSide = BigInt(resolveParameters(manifest().parameters).pixelsPerSide);
    const { first, last, duration } = span(want.hits);
    const noise = want.hits.filter((h) => h.label === 'noise');
    expect(await rows(`select run_key, hits, noise_hits, first_time_ns, last_time_ns, duration_seconds, dark_count_rate_hz, dark_count_rate_per_pixel_hz
      from marts.dark_count_rate_per_run ${where}`, params())).toEqual([
      [key(), want.hits.length, noise.length, first, last, decimal(duration, NS, 9), decimal(BigInt(noise.length) * NS, duration, 9),
        decimal(BigInt(noise.length) * NS, duration * pixelsPerSide * pixelsPerSide, 9)].join('|'),
    ]);
    const perPixel = byPixel(noise).map((hits) =>
      [`${key()}|${hits[0]!.ix}|${hits[0]!.iy}`, hits[0]!.ix, hits[0]!.iy, hits.length, decimal(duration, NS, 9), decimal(BigInt(hits.length) * NS, duration, 9)].join('|'));
    expect(await rows(`select pixel_key, ix, iy, noise_hits, duration_seconds, dark_count_rate_hz
      from marts.dark_count_rate_per_pixel ${where} order by ix, iy`, params())).toEqual(perPixel);
  });

  it("ring_radius_distribution and hits_per_ring_distribution: the run's found rings per 1 mm bin and per hit count", async () => {
    const found = want.rings.filter((r) => r.found);
    const share = (n: number) => decimal(BigInt(n), BigInt(found.length), 4);
    const byRadius = [...groupBy(found, (r) => String(Math.floor(r.radius!)).padStart(6, '0'))].map(([, rings]) => {
      const bin = Math.floor(rings[0]!.radius!);
      return [bin, bin + 1, rings.length, share(rings.length)].join('|');
    });
    expect(await rows(`select radius_bin_mm, radius_bin_end_mm, rings, ring_share from marts.ring_radius_distribution ${where} order by radius_bin_mm`, params())).toEqual(byRadius);
    const byHits = [...groupBy(found, (r) => String(r.hits).padStart(6, '0'))].map(([, rings]) => [rings[0]!.hits, rings.length, share(rings.length)].join('|'));
    expect(await rows(`select hits, rings, ring_share from marts.hits_per_ring_distribution ${where} order by hits`, params())).toEqual(byHits);
  });

  it("noise_map: each pixel's noise over every run of the fixture tenant", async () => {
    const { rows: stored } = await db.query<ExpectedHit & { runId: string }>(
      `select run_id as "runId", time_ns::text as "timeNs", ix, iy, label from rich_hits where env = $1 and tenant = $2`, [FIXTURE.env, FIXTURE.tenant]);
    const runs = groupBy(stored, (h) => h.runId);
    const duration = [...runs.values()].reduce((sum, hits) => sum + span(hits).duration, 0n);
    const expectedMap = byPixel(stored.filter((h) => h.label === 'noise')).map((hits) =>
      [hits[0]!.ix, hits[0]!.iy, hits.length, new Set(hits.map((h) => h.runId)).size, runs.size, decimal(duration, NS, 9), decimal(BigInt(hits.length) * NS, duration, 9)].join('|'));
    expect(await rows(`select ix, iy, noise_hits, noisy_runs, runs, duration_seconds, dark_count_rate_hz from marts.noise_map
      where env = $1 and tenant = $2 order by ix, iy`, [FIXTURE.env, FIXTURE.tenant])).toEqual(expectedMap);
  });
});
