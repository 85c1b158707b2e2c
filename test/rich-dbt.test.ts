// The RICH blueprint's dbt project on real engines: a rendered project's PostgreSQL init scripts on a throwaway
// cluster, seeded rich_hits and rich_rings (as Flink's ring filter writes them: several runs of two tenants, one run
// of a single hit instant), then `dbt parse` and `dbt build` with the parameters every stack passes. Every mart row
// is computed here from the seeded rows, independently of the SQL (exact decimals with BigInt).
// Tools: scripts/ensure-postgres.sh (apt) and scripts/ensure-dbt.sh (venv); the suite fails when they fail.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectDbt, type ProjectDbt } from './helpers/dbt.ts';
import { startPostgres, type PostgresCluster } from './helpers/postgres.ts';
import { renderSensors, renderToDir } from './helpers/render.ts';

const DB = 'my_rich';
const PIXELS_PER_SIDE = 240; // the blueprint's default, which the rendered iot-platform.yaml keeps
const NS = 1_000_000_000n;
const T0 = 1_767_225_600n * NS;

interface Hit { env: string; tenant: string; runId: string; timeNs: bigint; ix: number; iy: number; label: 'signal' | 'noise'; trackId: bigint | null }
interface Ring { env: string; tenant: string; runId: string; trackId: bigint; found: boolean; hits: number; radius: number | null }

// ---- the seeded rows: a small deterministic generator (no randomness between runs) ----

function seed(): { hits: Hit[]; rings: Ring[] } {
  let state = 12345;
  const next = (n: number) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
  const hits: Hit[] = [];
  const rings: Ring[] = [];
  const runs = [
    { env: 'dev', tenant: 'detector', runId: 'run-a', spanNs: 2_500_000_000, count: 300 },
    { env: 'dev', tenant: 'detector', runId: 'run-b', spanNs: 1_234_567_891, count: 150 },
    { env: 'prod', tenant: 'detector', runId: 'run-a', spanNs: 700_000_000, count: 40 },
  ];
  for (const run of runs) {
    const start = T0 + BigInt(next(1000)) * NS;
    const tracks = [0, 1, 2, 3, 4, 5].map((i) => start + BigInt(i) * 100_000_000n + 7n);
    const seen = new Set<string>();
    const add = (hit: Hit) => {
      const key = `${hit.timeNs}|${hit.ix}|${hit.iy}`;
      if (seen.has(key)) return;
      seen.add(key);
      hits.push(hit);
    };
    // the run's first and last hit fix its duration
    add({ ...run, timeNs: start, ix: 0, iy: 0, label: 'noise', trackId: null });
    add({ ...run, timeNs: start + BigInt(run.spanNs), ix: PIXELS_PER_SIDE - 1, iy: 5, label: 'signal', trackId: tracks[5]! });
    for (let i = 0; i < run.count; i++) {
      const signal = next(10) < 4;
      // a few pixels (0..5) see most of the noise, so pixels repeat within and across runs
      const [ix, iy] = signal ? [100 + next(40), 100 + next(40)] : [next(6), next(3)];
      add({ ...run, timeNs: start + 1n + BigInt(next(run.spanNs - 1)), ix, iy, label: signal ? 'signal' : 'noise', trackId: signal ? tracks[next(6)]! : null });
    }
    const radii = [60.25, 60.5, 60.999, 61, 63.75, null];
    for (const [i, trackId] of tracks.entries()) {
      const radius = radii[(i + runs.indexOf(run)) % radii.length]!;
      rings.push({ ...run, trackId, found: radius !== null, hits: radius === null ? 0 : 5 + ((i * 3 + runs.indexOf(run)) % 4), radius });
    }
  }
  // another tenant's run of one hit instant: duration 0, no rates
  hits.push({ env: 'dev', tenant: 'lab', runId: 'single', timeNs: T0, ix: 3, iy: 4, label: 'noise', trackId: null });
  hits.push({ env: 'dev', tenant: 'lab', runId: 'single', timeNs: T0, ix: 3, iy: 5, label: 'noise', trackId: null });
  return { hits, rings };
}

const { hits: HITS, rings: RINGS } = seed();

// ---- the expected marts ----

/** num/den rounded half away from zero to `places` decimals, printed like PostgreSQL's numeric; '' for den 0. */
function decimal(num: bigint, den: bigint, places: number): string {
  if (den === 0n) return '';
  const scale = 10n ** BigInt(places);
  const rounded = (2n * num * scale + den) / (2n * den); // num, den ≥ 0 here
  const digits = rounded.toString().padStart(places + 1, '0');
  return places === 0 ? digits : `${digits.slice(0, -places)}.${digits.slice(-places)}`;
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return new Map([...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const runKey = (r: { env: string; tenant: string; runId: string }) => `${r.env}|${r.tenant}|${r.runId}`;
const min = (values: bigint[]) => values.reduce((a, b) => (a < b ? a : b));
const max = (values: bigint[]) => values.reduce((a, b) => (a > b ? a : b));

/** Per run: its hits, noise hits, first and last hit time and duration in ns. */
const RUNS = new Map([...groupBy(HITS, runKey)].map(([key, hits]) => {
  const times = hits.map((h) => h.timeNs);
  return [key, { hits: hits.length, noise: hits.filter((h) => h.label === 'noise').length, first: min(times), last: max(times), duration: max(times) - min(times) }];
}));

const noise = HITS.filter((h) => h.label === 'noise');
const seconds = (ns: bigint) => decimal(ns, NS, 9);
const rate = (count: number, ns: bigint) => decimal(BigInt(count) * NS, ns, 9);

function expectedPerPixel(): string[] {
  return [...groupBy(noise, (h) => `${runKey(h)}|${h.ix}|${h.iy}`)].map(([key, hits]) => {
    const run = RUNS.get(runKey(hits[0]!))!;
    const { env, tenant, runId, ix, iy } = hits[0]!;
    return [key, env, tenant, runId, ix, iy, hits.length, seconds(run.duration), rate(hits.length, run.duration)].join('|');
  });
}

function expectedPerRun(): string[] {
  return [...RUNS].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, run]) => [
    key, ...key.split('|'), run.hits, run.noise, run.first, run.last, seconds(run.duration), rate(run.noise, run.duration),
    decimal(BigInt(run.noise) * NS, run.duration * BigInt(PIXELS_PER_SIDE * PIXELS_PER_SIDE), 9),
  ].join('|'));
}

function expectedNoiseMap(): string[] {
  const tenants = groupBy([...RUNS].map(([key, run]) => ({ tenantKey: key.split('|').slice(0, 2).join('|'), run })), (r) => r.tenantKey);
  return [...groupBy(noise, (h) => `${h.env}|${h.tenant}|${h.ix}|${h.iy}`)].map(([key, hits]) => {
    const runs = tenants.get(`${hits[0]!.env}|${hits[0]!.tenant}`)!;
    const duration = runs.reduce((sum, r) => sum + r.run.duration, 0n);
    const { env, tenant, ix, iy } = hits[0]!;
    return [key, env, tenant, ix, iy, hits.length, new Set(hits.map((h) => h.runId)).size, runs.length, seconds(duration), rate(hits.length, duration)].join('|');
  });
}

/** Found rings per run and bin: bin key, the bin's columns, rings, share of the run's found rings. */
function expectedDistribution(bin: (ring: Ring) => number, extra: (value: number) => number[]): string[] {
  const found = RINGS.filter((r) => r.found);
  const perRun = new Map([...groupBy(found, runKey)].map(([key, rings]) => [key, rings.length]));
  return [...groupBy(found, (r) => `${runKey(r)}|${bin(r)}`)]
    .map(([key, rings]) => {
      const value = bin(rings[0]!);
      const all = perRun.get(runKey(rings[0]!))!;
      return [key, ...runKey(rings[0]!).split('|'), value, ...extra(value), rings.length, decimal(BigInt(rings.length), BigInt(all), 4)].join('|');
    });
}

// ---- the engines ----

let pg: PostgresCluster;
let projectDir: string;
let dbt: ProjectDbt;

const rows = (sql: string) => pg.psql(sql, { database: DB, user: 'api_reader' }).split('\n').filter(Boolean);

/** The seeded rows as the Flink JDBC sinks write them, inserted as flink_writer. */
function insertRows(): void {
  const text = (v: string) => `'${v}'`;
  const hits = HITS.map((h) => `(${[text(h.env), text(h.tenant), text(h.runId), h.timeNs, h.ix, h.iy, text(h.label), h.trackId ?? 'NULL'].join(', ')})`);
  pg.psql(`INSERT INTO public.rich_hits (env, tenant, run_id, time_ns, ix, iy, label, track_id) VALUES ${hits.join(', ')}`, { database: DB, user: 'flink_writer' });
  const fit = (r: Ring) => (r.found ? `${r.radius! - 1}, 0.5, ${r.radius}, 1.5, ${r.hits - 3}, 0.3, 0.99` : 'NULL, NULL, NULL, NULL, NULL, NULL, NULL');
  const rings = RINGS.map((r) => `(${[text(r.env), text(r.tenant), text(r.runId), r.trackId, '10, -20, 0, 0, 1', r.found, r.hits, fit(r)].join(', ')})`);
  pg.psql(
    `INSERT INTO public.rich_rings (env, tenant, run_id, track_id, x, y, vx, vy, vz, found, hits, centre_x, centre_y, radius, chi2, ndf, cherenkov_angle, beta)
     VALUES ${rings.join(', ')}`,
    { database: DB, user: 'flink_writer' },
  );
}

beforeAll(async () => {
  pg = await startPostgres();
  projectDir = renderToDir({ blueprint: 'rich', name: 'my-rich', components: ['redis', 'api', 'dbt'] });
  const env = Object.fromEntries(readFileSync(join(projectDir, '.env'), 'utf8').split('\n').flatMap((line) => {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    return match ? [[match[1]!, match[2]!]] : [];
  }));
  pg.createDatabase(DB);
  const initDir = join(projectDir, 'postgres/init');
  const files = readdirSync(initDir).sort();
  expect(files).toEqual(['00-roles.sh', '10-rich.sql']);
  execFileSync('bash', [join(initDir, '00-roles.sh')], {
    env: { ...process.env, ...env, PATH: `${pg.binDir}:${process.env.PATH}`, POSTGRES_USER: pg.user, POSTGRES_DB: DB, PGHOST: pg.host, PGPORT: String(pg.port), PGUSER: pg.user, PGDATABASE: DB },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  pg.psqlFile(join(initDir, '10-rich.sql'), { database: DB });
  insertRows();
  dbt = projectDbt(projectDir, pg, DB, env);
}, 600_000);

afterAll(() => {
  pg?.stop();
});

describe('dbt project of the RICH blueprint', () => {
  it('parses without warnings and has the staging views and the marts', () => {
    expect(dbt.env.PIXELS_PER_SIDE).toBe(String(PIXELS_PER_SIDE));
    const out = dbt.run(['parse']);
    expect(out).not.toMatch(/\[ERROR\]|Compilation Error|WARNING/);
    const manifest = JSON.parse(readFileSync(join(dbt.dir, 'target/manifest.json'), 'utf8')) as { nodes: Record<string, { resource_type: string; name: string }> };
    const models = Object.values(manifest.nodes).filter((n) => n.resource_type === 'model').map((n) => n.name).sort();
    expect(models).toEqual([
      'dark_count_rate_per_pixel', 'dark_count_rate_per_run', 'hits_per_ring_distribution', 'noise_map', 'ring_radius_distribution',
      'stg_rich_hits', 'stg_rich_rings', 'stg_rich_runs',
    ]);
  }, 300_000);

  it('builds (models and data tests) into the marts computed from the seeded rows', () => {
    const out = dbt.run(['build']);
    expect(out).toMatch(/Completed successfully/);
    expect(out).toMatch(/PASS=\d+ WARN=0 ERROR=0 SKIP=0/);

    expect(rows(`SELECT pixel_key, env, tenant, run_id, ix, iy, noise_hits, duration_seconds, dark_count_rate_hz
      FROM marts.dark_count_rate_per_pixel ORDER BY pixel_key COLLATE "C"`)).toEqual(expectedPerPixel());
    expect(rows(`SELECT run_key, env, tenant, run_id, hits, noise_hits, first_time_ns, last_time_ns, duration_seconds,
        dark_count_rate_hz, dark_count_rate_per_pixel_hz
      FROM marts.dark_count_rate_per_run ORDER BY run_key COLLATE "C"`)).toEqual(expectedPerRun());
    expect(rows(`SELECT pixel_key, env, tenant, ix, iy, noise_hits, noisy_runs, runs, duration_seconds, dark_count_rate_hz
      FROM marts.noise_map ORDER BY pixel_key COLLATE "C"`)).toEqual(expectedNoiseMap());
    expect(rows(`SELECT bin_key, env, tenant, run_id, radius_bin_mm, radius_bin_end_mm, rings, ring_share
      FROM marts.ring_radius_distribution ORDER BY bin_key COLLATE "C"`)).toEqual(expectedDistribution((r) => Math.floor(r.radius!), (bin) => [bin + 1]));
    expect(rows(`SELECT bin_key, env, tenant, run_id, hits, rings, ring_share
      FROM marts.hits_per_ring_distribution ORDER BY bin_key COLLATE "C"`)).toEqual(expectedDistribution((r) => r.hits, () => []));

    // by hand: a run of one hit instant has a duration of 0 and no rates; 60.999 mm is in bin 60, 61 mm in bin 61
    expect(rows(`SELECT duration_seconds || '|' || coalesce(dark_count_rate_hz::text, 'null') FROM marts.dark_count_rate_per_run WHERE tenant = 'lab'`)).toEqual(['0.000000000|null']);
    expect(rows(`SELECT run_key || ':' || duration_seconds FROM marts.dark_count_rate_per_run WHERE run_id = 'run-b'`)).toEqual(['dev|detector|run-b:1.234567891']);
    expect(rows(`SELECT radius_bin_mm || ':' || rings FROM marts.ring_radius_distribution WHERE env = 'dev' AND run_id = 'run-a' ORDER BY 1`)).toEqual(['60:3', '61:1', '63:1']);
  }, 300_000);
});

describe('data tests of the RICH dbt project', () => {
  it('fail on bad data in rich_hits (a pixel off the detector)', () => {
    pg.psql(
      `INSERT INTO public.rich_hits (env, tenant, run_id, time_ns, ix, iy, label) VALUES ('dev', 'bad', 'r', ${T0}, ${PIXELS_PER_SIDE}, 0, 'noise')`,
      { database: DB, user: 'flink_writer' },
    );
    try {
      expect(() => dbt.run(['test', '--select', 'source:rich'])).toThrow(/FAIL 1 source_accepted_range_rich_rich_hits_ix/);
    } finally {
      pg.psql(`DELETE FROM public.rich_hits WHERE tenant = 'bad'`, { database: DB });
    }
  }, 300_000);
});

describe('the RICH blueprint without dbt', () => {
  it('leaves the dbt project and its e2e test out', () => {
    const paths = renderSensors({ blueprint: 'rich', name: 'my-rich', components: ['redis', 'api'] }).files.map((f) => f.path);
    expect(paths.filter((p) => p.startsWith('dbt/') || p === 'test/e2e/dbt.test.ts')).toEqual([]);
  });
});
