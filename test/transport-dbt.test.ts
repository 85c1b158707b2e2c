// The transport blueprint's dbt project on real engines: a rendered project's PostgreSQL init scripts on a throwaway
// cluster, the scenario's static feed loaded into schema gtfs by the platform loader (PostgreSQL only), the
// scenario's 29 expected arrivals in public.stop_arrivals, then `dbt parse` and `dbt build`. Every mart row is
// computed here from scenarios/transport/expected-arrivals.jsonl and the feed's files, independently of the SQL.
// Tools: scripts/ensure-postgres.sh (apt) and scripts/ensure-dbt.sh (venv); the suite fails when they fail.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGtfsLoad } from '../runtime/gtfs-static/load.ts';
import { runDbt as stackDbt } from '../stack/native/dbt.ts';
import { ADDRESSES_FILE } from '../stack/native/driver.ts';
import { projectDbt, type ProjectDbt } from './helpers/dbt.ts';
import { startPostgres, type PostgresCluster } from './helpers/postgres.ts';
import { renderSensors, renderToDir } from './helpers/render.ts';

const SCENARIO = fileURLToPath(new URL('../scenarios/transport', import.meta.url));
const FEED = join(SCENARIO, 'fixtures/synthetic-gtfs');
const DB = 'my_transport';
const AGENCY_TIME_ZONE = 'America/Los_Angeles'; // agency.txt; the project's TZ stays UTC, so hours must not use it

interface Arrival {
  agencyId: string;
  tripId: string;
  routeId: string;
  vehicleId: string;
  serviceDate: string;
  stopId: string;
  stopSequence: number;
  arrivalTime: number;
  scheduledArrivalTime: number | null;
  delaySeconds: number | null;
  onTime: boolean | null;
  headwaySeconds: number | null;
}

const ARRIVALS = readFileSync(join(SCENARIO, 'expected-arrivals.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.trim())
  .map((line) => JSON.parse(line) as Arrival);

// ---- the expected marts, computed from the arrivals and the feed's files ----

/** RFC 4180 lines of a GTFS file as objects keyed by the trimmed header names. */
function readGtfs(file: string): Record<string, string>[] {
  const rows = readFileSync(join(FEED, file), 'utf8')
    .split(/\r?\n/)
    .filter((line) => line.trim())
    .map((line) => [...line.matchAll(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g)].map((m) => m[1]!.replace(/^"(.*)"$/, '$1').replaceAll('""', '"')));
  const header = rows[0]!.map((name) => name.trim());
  return rows.slice(1).map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ''])));
}

const gtfsSeconds = (time: string) => {
  const [h, m, s] = time.split(':').map(Number);
  return h! * 3600 + m! * 60 + s!;
};

/** num/den rounded half away from zero to `places` decimals, printed like PostgreSQL's numeric. */
function decimal(num: bigint, den: bigint, places: number): string {
  const negative = num < 0n !== den < 0n;
  const [n, d] = [num < 0n ? -num : num, den < 0n ? -den : den];
  const scale = 10n ** BigInt(places);
  const rounded = (2n * n * scale + d) / (2n * d);
  const digits = rounded.toString().padStart(places + 1, '0');
  const text = places === 0 ? digits : `${digits.slice(0, -places)}.${digits.slice(-places)}`;
  return negative && rounded !== 0n ? `-${text}` : text;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const average = (values: number[]) => decimal(BigInt(sum(values)), BigInt(values.length), 2);

/** PostgreSQL's percentile_cont: linear interpolation at fraction (percent/100)·(n−1) of the sorted values. */
function percentile(values: number[], percent: number): string {
  const sorted = [...values].sort((a, b) => a - b);
  const position = percent * (sorted.length - 1); // in hundredths
  const index = Math.floor(position / 100);
  const low = sorted[index]!;
  const high = sorted[index + 1] ?? low;
  return decimal(BigInt(low * 100 + (position % 100) * (high - low)), 100n, 2);
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return new Map([...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function localParts(ms: number, timeZone: string): Record<string, number> {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
  });
  return Object.fromEntries(format.formatToParts(ms).filter((p) => p.type !== 'literal').map((p) => [p.type, Number(p.value)]));
}

/** "Noon minus 12 h" of a service date in the time zone, epoch ms: the origin of GTFS times. */
function serviceDayOrigin(date: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number);
  const utcNoon = Date.UTC(y!, m! - 1, d!, 12);
  const p = localParts(utcNoon, timeZone);
  const offset = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - utcNoon;
  return utcNoon - offset - 12 * 3600_000;
}

type Parameters = { min: number; max: number };

function expectedOnTimePerformance({ min, max }: Parameters): string[] {
  const delayed = ARRIVALS.filter((a) => a.delaySeconds !== null);
  const groups = groupBy(delayed, (a) => `${a.routeId}|${a.serviceDate}|${String(localParts(a.scheduledArrivalTime!, AGENCY_TIME_ZONE).hour).padStart(2, '0')}`);
  return [...groups.values()].map((rows) => {
    const first = rows[0]!;
    const hour = localParts(first.scheduledArrivalTime!, AGENCY_TIME_ZONE).hour;
    const delays = rows.map((a) => a.delaySeconds!);
    const onTime = rows.filter((a) => a.onTime).length;
    return [
      `${first.routeId}|${first.serviceDate}|${hour}`, first.routeId, first.serviceDate, hour, rows.length, onTime,
      delays.filter((d) => d < min).length, delays.filter((d) => d > max).length,
      decimal(BigInt(onTime), BigInt(rows.length), 4), average(delays), percentile(delays, 50), percentile(delays, 95),
    ].join('|');
  });
}

function expectedStopDelays(): string[] {
  const stops = new Map(readGtfs('stops.txt').map((s) => [s.stop_id!, s]));
  return [...groupBy(ARRIVALS, (a) => `${a.routeId}|${a.stopId}`)].map(([key, rows]) => {
    const stop = stops.get(rows[0]!.stopId)!;
    const delays = rows.filter((a) => a.delaySeconds !== null).map((a) => a.delaySeconds!);
    const onTime = rows.filter((a) => a.onTime).length;
    const stats = delays.length === 0
      ? ['', '', '', '', '']
      : [decimal(BigInt(onTime), BigInt(delays.length), 4), average(delays), percentile(delays, 50), percentile(delays, 95), Math.max(...delays)];
    return [
      key, rows[0]!.routeId, rows[0]!.stopId, stop.stop_name, Number(stop.stop_lat), Number(stop.stop_lon),
      rows.length, delays.length, onTime, ...stats,
    ].join('|');
  });
}

interface Headway { key: string; routeId: string; stopId: string; serviceDate: string; tripId: string; previousTripId: string; actual: number; scheduled: number | null }

/** headway_secs of the exact_times=0 frequency window that holds the trip's estimated start, else null. */
function frequencyHeadway(arrival: Arrival): number | null {
  const stopTimes = readGtfs('stop_times.txt').filter((s) => s.trip_id === arrival.tripId);
  const time = (s: Record<string, string>) => gtfsSeconds(s.arrival_time || s.departure_time!);
  const offset = time(stopTimes.find((s) => Number(s.stop_sequence) === arrival.stopSequence)!) - Math.min(...stopTimes.filter((s) => s.arrival_time || s.departure_time).map(time));
  const start = (arrival.arrivalTime - serviceDayOrigin(arrival.serviceDate, AGENCY_TIME_ZONE)) / 1000 - offset;
  const window = readGtfs('frequencies.txt').find(
    (f) => f.trip_id === arrival.tripId && (f.exact_times ?? '0') !== '1' && gtfsSeconds(f.start_time!) <= start && start < gtfsSeconds(f.end_time!),
  );
  return window ? Number(window.headway_secs) : null;
}

function expectedHeadways(): Headway[] {
  const headways: Headway[] = [];
  for (const rows of groupBy(ARRIVALS, (a) => `${a.routeId}|${a.stopId}|${a.serviceDate}`).values()) {
    const visits = [...rows].sort((a, b) => a.arrivalTime - b.arrivalTime || (a.tripId < b.tripId ? -1 : 1));
    for (const [i, a] of visits.entries()) {
      const previous = visits[i - 1];
      if (!previous) continue;
      const scheduled = a.scheduledArrivalTime !== null && previous.scheduledArrivalTime !== null
        ? (a.scheduledArrivalTime - previous.scheduledArrivalTime) / 1000
        : frequencyHeadway(a);
      headways.push({
        key: `${a.routeId}|${a.stopId}|${a.serviceDate}|${a.tripId}|${a.stopSequence}`, routeId: a.routeId, stopId: a.stopId,
        serviceDate: a.serviceDate, tripId: a.tripId, previousTripId: previous.tripId,
        actual: a.headwaySeconds ?? (a.arrivalTime - previous.arrivalTime) / 1000, scheduled,
      });
    }
  }
  return headways.sort((a, b) => (a.key < b.key ? -1 : 1));
}

function expectedHeadwaySummary(): string[] {
  return [...groupBy(expectedHeadways(), (h) => `${h.routeId}|${h.stopId}|${h.serviceDate}`)].map(([key, rows]) => {
    const scheduled = rows.filter((h) => h.scheduled !== null);
    const [a, s] = [scheduled.map((h) => BigInt(h.actual)), scheduled.map((h) => BigInt(h.scheduled!))];
    const total = (values: bigint[]) => values.reduce((x, y) => x + y, 0n);
    const squares = (values: bigint[]) => total(values.map((v) => v * v));
    const figures = scheduled.length === 0
      ? ['', '', '', '', '', '']
      : [
          decimal(total(s), BigInt(s.length), 2), decimal(total(a), total(s), 4), decimal(squares(a), 2n * total(a), 2),
          decimal(squares(s), 2n * total(s), 2), decimal(squares(a) * total(s) - squares(s) * total(a), 2n * total(a) * total(s), 2),
        ];
    return [key, rows[0]!.routeId, rows[0]!.stopId, rows[0]!.serviceDate, rows.length, scheduled.length, average(rows.map((h) => h.actual)), ...figures].join('|');
  });
}

// ---- the engines ----

let pg: PostgresCluster;
let projectDir: string;
let env: Record<string, string>;
let dbt: ProjectDbt;

function parseEnv(text: string): Record<string, string> {
  return Object.fromEntries(text.split('\n').flatMap((line) => {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    return match ? [[match[1]!, match[2]!]] : [];
  }));
}

/** Applies postgres/init/* in name order, like the postgres image's docker-entrypoint-initdb.d does. */
function applyInitScripts(): string[] {
  const initDir = join(projectDir, 'postgres/init');
  const files = readdirSync(initDir).sort();
  const scriptEnv = {
    ...process.env, ...env, PATH: `${pg.binDir}:${process.env.PATH}`, POSTGRES_USER: pg.user, POSTGRES_DB: DB,
    PGHOST: pg.host, PGPORT: String(pg.port), PGUSER: pg.user, PGDATABASE: DB,
  };
  for (const file of files) {
    const path = join(initDir, file);
    if (file.endsWith('.sql')) pg.psqlFile(path, { database: DB });
    else if (file.endsWith('.sh')) execFileSync('bash', [path], { env: scriptEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  }
  return files;
}

async function loadFeed(): Promise<string> {
  let output = '';
  const code = await runGtfsLoad([FEED, '--no-kafka'], {
    cwd: projectDir,
    env: { PGHOST: pg.host, PGPORT: String(pg.port), PGDATABASE: DB, PGUSER: pg.user },
    stdout: (text) => (output += text),
    stderr: (text) => (output += text),
  });
  if (code !== 0) throw new Error(`gtfs:load failed: ${output}`);
  return output;
}

/** The arrivals as the Flink JDBC sink writes them, inserted as flink_writer. */
function insertArrivals(): void {
  const literal = (v: string | number | boolean | null) => (v === null ? 'NULL' : typeof v === 'string' ? `'${v}'` : String(v));
  const instant = (ms: number | null) => (ms === null ? 'NULL' : `to_timestamp(${ms / 1000})`);
  const values = ARRIVALS.map((a) =>
    `(${[a.agencyId, a.tripId, a.serviceDate, a.stopSequence, a.routeId, a.vehicleId, a.stopId].map(literal).join(', ')}, ` +
    `${instant(a.arrivalTime)}, ${instant(a.scheduledArrivalTime)}, ${[a.delaySeconds, a.onTime, a.headwaySeconds].map(literal).join(', ')})`,
  );
  pg.psql(
    `INSERT INTO public.stop_arrivals (agency_id, trip_id, service_date, stop_sequence, route_id, vehicle_id, stop_id,
       arrival_time, scheduled_arrival_time, delay_seconds, on_time, headway_seconds) VALUES ${values.join(', ')}`,
    { database: DB, user: 'flink_writer' },
  );
}

const rows = (sql: string) => pg.psql(sql, { database: DB, user: 'api_reader' }).split('\n').filter(Boolean);

const ON_TIME_PERFORMANCE_SQL = `SELECT route_hour_key, route_id, service_date, scheduled_local_hour, arrivals, on_time_arrivals,
  early_arrivals, late_arrivals, on_time_share, avg_delay_seconds, p50_delay_seconds, p95_delay_seconds
  FROM marts.route_on_time_performance ORDER BY route_id COLLATE "C", service_date, scheduled_local_hour`;

beforeAll(async () => {
  pg = await startPostgres();
  projectDir = renderToDir({ blueprint: 'transport', name: 'my-transport', components: ['redis', 'api', 'dbt'] });
  env = parseEnv(readFileSync(join(projectDir, '.env'), 'utf8'));
  pg.createDatabase(DB);
  expect(applyInitScripts()).toEqual(['00-roles.sh', '10-transport.sql']);
  await loadFeed();
  insertArrivals();
  dbt = projectDbt(projectDir, pg, DB, env);

}, 600_000);

afterAll(() => {
  pg?.stop();
});

describe('the transport scenario in PostgreSQL', () => {
  it('holds the feed in schema gtfs (readable by dbt_runner) and the 29 expected arrivals', () => {
    expect(ARRIVALS).toHaveLength(29);
    expect(readGtfs('agency.txt').map((a) => a.agency_timezone)).toEqual([AGENCY_TIME_ZONE]);
    expect(env.TZ).toBe('UTC');
    expect(pg.psql('SELECT count(*) FROM gtfs.stop_times', { database: DB, user: 'dbt_runner' })).toBe(String(readGtfs('stop_times.txt').length));
    expect(pg.psql('SELECT count(*) FROM public.stop_arrivals', { database: DB, user: 'dbt_runner' })).toBe('29');
  });
});

describe('dbt project of the transport blueprint', () => {
  it('parses without warnings and has the staging view and the marts', () => {
    const out = dbt.run(['parse']);
    expect(out).not.toMatch(/\[ERROR\]|Compilation Error|WARNING/);
    const manifest = JSON.parse(readFileSync(join(dbt.dir, 'target/manifest.json'), 'utf8')) as { nodes: Record<string, { resource_type: string; name: string }> };
    const models = Object.values(manifest.nodes).filter((n) => n.resource_type === 'model').map((n) => n.name).sort();
    expect(models).toEqual(['route_on_time_performance', 'stg_stop_arrivals', 'stop_delays', 'stop_headway_summary', 'stop_headways']);
  }, 300_000);

  it('builds (models and data tests) into the marts computed from the scenario', () => {
    const out = dbt.run(['build']);
    expect(out).toMatch(/Completed successfully/);
    expect(out).toMatch(/PASS=\d+ WARN=0 ERROR=0 SKIP=0/);

    expect(rows(ON_TIME_PERFORMANCE_SQL)).toEqual(expectedOnTimePerformance({ min: -60, max: 300 }));
    // by hand: six arrivals more than 60 s early, none late; T101 (GTFS 24:43, local 00:43) is in hour 0
    expect(rows(`SELECT sum(early_arrivals) || '|' || sum(late_arrivals) FROM marts.route_on_time_performance`)).toEqual(['6|0']);
    expect(rows(`SELECT arrivals FROM marts.route_on_time_performance WHERE route_hour_key = 'R1|2026-03-10|0'`)).toEqual(['3']);

    expect(rows(`SELECT route_stop_key, route_id, stop_id, stop_name, stop_lat, stop_lon, arrivals, delayed_arrivals, on_time_arrivals,
        on_time_share, avg_delay_seconds, median_delay_seconds, p95_delay_seconds, max_delay_seconds
      FROM marts.stop_delays ORDER BY route_stop_key COLLATE "C"`)).toEqual(expectedStopDelays());

    const headways = expectedHeadways().map((h) => [h.key, h.routeId, h.stopId, h.serviceDate, h.tripId, h.previousTripId, h.actual, h.scheduled ?? ''].join('|'));
    expect(rows(`SELECT headway_key, route_id, stop_id, service_date, trip_id, previous_trip_id, actual_headway_seconds, scheduled_headway_seconds
      FROM marts.stop_headways ORDER BY headway_key COLLATE "C"`)).toEqual(headways);
    // by hand: the shuttle (exact_times = 0) runs every 600 s from 06:00 to 20:00; at A2 T202 came 329 s after T200
    expect(headways).toContain('R3|A2|2026-03-10|T202|2|R3|A2|2026-03-10|T202|T200|329|600');

    expect(rows(`SELECT route_stop_day_key, route_id, stop_id, service_date, headways, scheduled_headways, avg_actual_headway_seconds,
        avg_scheduled_headway_seconds, headway_ratio, actual_wait_seconds, scheduled_wait_seconds, excess_wait_seconds
      FROM marts.stop_headway_summary ORDER BY route_stop_day_key COLLATE "C"`)).toEqual(expectedHeadwaySummary());
  }, 300_000);

  it('counts early and late arrivals by the parameters of iot-platform.yaml (`stack dbt`, native)', () => {
    // The native driver's `stack dbt` takes the database address from .stack/addresses.env (written by `stack up`)
    // and the parameters from the manifest, as on a running stack.
    const manifestFile = join(projectDir, 'iot-platform.yaml');
    const original = readFileSync(manifestFile, 'utf8');
    const changed = original
      .replace('\n  onTimeMinDelaySeconds: -60\n', '\n  onTimeMinDelaySeconds: -40\n')
      .replace('\n  onTimeMaxDelaySeconds: 300\n', '\n  onTimeMaxDelaySeconds: 10\n');
    expect(changed.match(/onTimeM(in|ax)DelaySeconds: (-40|10)\n/g)).toHaveLength(2);
    mkdirSync(join(projectDir, '.stack'), { recursive: true });
    writeFileSync(join(projectDir, '.stack', ADDRESSES_FILE), `POSTGRES_HOST=${pg.host}\nPOSTGRES_PORT=${pg.port}\nPOSTGRES_DB=${DB}\n`);
    writeFileSync(manifestFile, changed);
    try {
      stackDbt(projectDir, ['build', '--select', 'route_on_time_performance']);
    } finally {
      writeFileSync(manifestFile, original);
    }
    expect(rows(ON_TIME_PERFORMANCE_SQL)).toEqual(expectedOnTimePerformance({ min: -40, max: 10 }));
    // by hand: -55 and -58 are now early too; 14 s (T100 at A5) and 30 s (T103 at B4) late, 9 s not; on time
    // stays the flag Flink wrote
    expect(rows(`SELECT sum(early_arrivals) || '|' || sum(late_arrivals) || '|' || sum(on_time_arrivals) FROM marts.route_on_time_performance`)).toEqual(['8|2|13']);
  }, 300_000);
});

describe('data tests of the transport dbt project', () => {
  it('fail on bad data in stop_arrivals (a negative headway)', () => {
    pg.psql(
      `INSERT INTO public.stop_arrivals (agency_id, trip_id, service_date, stop_sequence, route_id, stop_id, arrival_time, headway_seconds)
       VALUES ('SYN', 'T-bad', '2026-03-10', 1, 'R3', 'A1', '2026-03-10T17:00:00Z', -5)`,
      { database: DB, user: 'flink_writer' },
    );
    try {
      expect(() => dbt.run(['test', '--select', 'source:transport'])).toThrow(/FAIL 1 source_accepted_range_transport_stop_arrivals_headway_seconds/);
    } finally {
      pg.psql(`DELETE FROM public.stop_arrivals WHERE trip_id = 'T-bad'`, { database: DB });
    }
  }, 300_000);
});

describe('the transport blueprint without dbt', () => {
  it('leaves the dbt project and its e2e test out', () => {
    const paths = renderSensors({ blueprint: 'transport', name: 'my-transport', components: ['redis', 'api'] }).files.map((f) => f.path);
    expect(paths.filter((p) => p.startsWith('dbt/') || p === 'test/e2e/dbt.test.ts')).toEqual([]);
    const withDbt = renderSensors({ blueprint: 'transport', name: 'my-transport', components: ['dbt'] }).files.map((f) => f.path);
    expect(withDbt).toContain('dbt/dbt_project.yml');
  });
});
