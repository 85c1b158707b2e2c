// dbt over the scenario's arrivals on the running stack: once the pipeline has written the scenario's arrivals
// (scenarios/transport/expected-arrivals.jsonl) to stop_arrivals, `npm run stack -- dbt build` (models and their data
// tests) leaves exactly the rows computed here from those arrivals, the static feed's files and the project's
// on-time parameters (iot-platform.yaml parameters:) in the marts.
// The stack must hold the scenario's feed (npm run gtfs:load -- scenarios/transport/fixtures/synthetic-gtfs), and of
// the scenario's routes only the scenario's arrivals: the marts aggregate every arrival of a route.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifest, pgPool } from './helpers/clients.ts';
import { stack } from './helpers/stack.ts';
import { expectedArrivals, type Arrival } from './helpers/arrivals.ts';
import { scenarioPlayed } from './helpers/scenario.ts';
import { waitFor } from './helpers/wait-for.ts';

const SCENARIO = fileURLToPath(new URL('../../scenarios/transport/', import.meta.url));
const FEED = `${SCENARIO}fixtures/synthetic-gtfs/`;

// The scenario's arrivals with the on-time flag Flink gives them under this project's parameters (helpers/arrivals.ts).
const ARRIVALS: Arrival[] = expectedArrivals();

/** iot-platform.yaml parameters:, else the blueprint's defaults. */
function parameter(name: 'onTimeMinDelaySeconds' | 'onTimeMaxDelaySeconds'): number {
  const value = (manifest() as { parameters?: Record<string, unknown> }).parameters?.[name];
  return value === undefined || value === null ? { onTimeMinDelaySeconds: -60, onTimeMaxDelaySeconds: 300 }[name] : Number(value);
}

// ---- the expected marts, computed from the arrivals and the feed's files ----

/** RFC 4180 lines of a GTFS file as objects keyed by the trimmed header names. */
function readGtfs(file: string): Record<string, string>[] {
  const rows = readFileSync(`${FEED}${file}`, 'utf8')
    .split(/\r?\n/)
    .filter((line) => line.trim())
    .map((line) => [...line.matchAll(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g)].map((m) => (m[1] ?? '').replace(/^"(.*)"$/, '$1').replaceAll('""', '"')));
  const header = (rows[0] ?? []).map((name) => name.trim());
  return rows.slice(1).map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ''])));
}

const AGENCY_TIME_ZONE = readGtfs('agency.txt')[0]?.agency_timezone ?? 'UTC';

const gtfsSeconds = (time: string) => {
  const [h = 0, m = 0, s = 0] = time.split(':').map(Number);
  return h * 3600 + m * 60 + s;
};

/** num/den rounded half away from zero to `places` decimals, printed like PostgreSQL's numeric. */
function decimal(num: bigint, den: bigint, places: number): string {
  const negative = num < 0n !== den < 0n;
  const [n, d] = [num < 0n ? -num : num, den < 0n ? -den : den];
  const rounded = (2n * n * 10n ** BigInt(places) + d) / (2n * d);
  const digits = rounded.toString().padStart(places + 1, '0');
  const text = places === 0 ? digits : `${digits.slice(0, -places)}.${digits.slice(-places)}`;
  return negative && rounded !== 0n ? `-${text}` : text;
}

const total = (values: number[]) => values.reduce((a, b) => a + b, 0);
const average = (values: number[]) => decimal(BigInt(total(values)), BigInt(values.length), 2);

/** PostgreSQL's percentile_cont: linear interpolation at fraction (percent/100)·(n−1) of the sorted values. */
function percentile(values: number[], percent: number): string {
  const sorted = [...values].sort((a, b) => a - b);
  const position = percent * (sorted.length - 1); // in hundredths
  const low = sorted[Math.floor(position / 100)] ?? 0;
  const high = sorted[Math.floor(position / 100) + 1] ?? low;
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

const localHour = (ms: number) => localParts(ms, AGENCY_TIME_ZONE).hour ?? 0;

/** "Noon minus 12 h" of a service date in the agency's time zone, epoch ms: the origin of GTFS times. */
function serviceDayOrigin(date: string): number {
  const [y = 0, m = 1, d = 1] = date.split('-').map(Number);
  const utcNoon = Date.UTC(y, m - 1, d, 12);
  const p = localParts(utcNoon, AGENCY_TIME_ZONE);
  const offset = Date.UTC(p.year ?? 0, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0) - utcNoon;
  return utcNoon - offset - 12 * 3600_000;
}

function expectedOnTimePerformance(min: number, max: number): string[] {
  const delayed = ARRIVALS.filter((a) => a.delaySeconds !== null && a.scheduledArrivalTime !== null);
  const groups = groupBy(delayed, (a) => `${a.routeId}|${a.serviceDate}|${String(localHour(a.scheduledArrivalTime ?? 0)).padStart(2, '0')}`);
  return [...groups.values()].map((rows) => {
    const first = rows[0]!;
    const hour = localHour(first.scheduledArrivalTime ?? 0);
    const delays = rows.map((a) => a.delaySeconds ?? 0);
    const onTime = rows.filter((a) => a.onTime).length;
    return [
      `${first.routeId}|${first.serviceDate}|${hour}`, first.routeId, first.serviceDate, hour, rows.length, onTime,
      delays.filter((d) => d < min).length, delays.filter((d) => d > max).length,
      decimal(BigInt(onTime), BigInt(rows.length), 4), average(delays), percentile(delays, 50), percentile(delays, 95),
    ].join('|');
  });
}

function expectedStopDelays(): string[] {
  const stops = new Map(readGtfs('stops.txt').map((s) => [s.stop_id, s]));
  return [...groupBy(ARRIVALS, (a) => `${a.routeId}|${a.stopId}`)].map(([key, rows]) => {
    const first = rows[0]!;
    const stop: Record<string, string> = stops.get(first.stopId) ?? {};
    const delays = rows.flatMap((a) => (a.delaySeconds === null ? [] : [a.delaySeconds]));
    const onTime = rows.filter((a) => a.onTime).length;
    const stats = delays.length === 0
      ? ['', '', '', '', '']
      : [decimal(BigInt(onTime), BigInt(delays.length), 4), average(delays), percentile(delays, 50), percentile(delays, 95), Math.max(...delays)];
    return [key, first.routeId, first.stopId, stop.stop_name, Number(stop.stop_lat), Number(stop.stop_lon), rows.length, delays.length, onTime, ...stats].join('|');
  });
}

interface Headway { key: string; arrival: Arrival; previous: Arrival; actual: number; scheduled: number | null }

/** headway_secs of the trip's exact_times=0 frequency window that holds its estimated start, else null. */
function frequencyHeadway(arrival: Arrival): number | null {
  const stopTimes = readGtfs('stop_times.txt').filter((s) => s.trip_id === arrival.tripId && (s.arrival_time || s.departure_time));
  const time = (s: Record<string, string>) => gtfsSeconds(s.arrival_time || s.departure_time || '');
  const stop = stopTimes.find((s) => Number(s.stop_sequence) === arrival.stopSequence);
  if (!stop) return null;
  const start = (arrival.arrivalTime - serviceDayOrigin(arrival.serviceDate)) / 1000 - (time(stop) - Math.min(...stopTimes.map(time)));
  const window = readGtfs('frequencies.txt').find(
    (f) => f.trip_id === arrival.tripId && f.exact_times !== '1' && gtfsSeconds(f.start_time ?? '') <= start && start < gtfsSeconds(f.end_time ?? ''),
  );
  return window ? Number(window.headway_secs) : null;
}

function expectedHeadways(): Headway[] {
  const headways: Headway[] = [];
  for (const rows of groupBy(ARRIVALS, (a) => `${a.routeId}|${a.stopId}|${a.serviceDate}`).values()) {
    const visits = [...rows].sort((a, b) => a.arrivalTime - b.arrivalTime || (a.tripId < b.tripId ? -1 : 1));
    visits.forEach((arrival, i) => {
      const previous = visits[i - 1];
      if (!previous) return;
      const scheduled = arrival.scheduledArrivalTime !== null && previous.scheduledArrivalTime !== null
        ? (arrival.scheduledArrivalTime - previous.scheduledArrivalTime) / 1000
        : frequencyHeadway(arrival);
      const key = `${arrival.routeId}|${arrival.stopId}|${arrival.serviceDate}|${arrival.tripId}|${arrival.stopSequence}`;
      headways.push({ key, arrival, previous, actual: arrival.headwaySeconds ?? (arrival.arrivalTime - previous.arrivalTime) / 1000, scheduled });
    });
  }
  return headways.sort((a, b) => (a.key < b.key ? -1 : 1));
}

function expectedHeadwaySummary(): string[] {
  return [...groupBy(expectedHeadways(), (h) => `${h.arrival.routeId}|${h.arrival.stopId}|${h.arrival.serviceDate}`)].map(([key, rows]) => {
    const first = rows[0]!.arrival;
    const scheduled = rows.filter((h) => h.scheduled !== null);
    const [a, s] = [scheduled.map((h) => BigInt(h.actual)), scheduled.map((h) => BigInt(h.scheduled ?? 0))];
    const sum = (values: bigint[]) => values.reduce((x, y) => x + y, 0n);
    const squares = (values: bigint[]) => sum(values.map((v) => v * v));
    const figures = scheduled.length === 0
      ? ['', '', '', '', '']
      : [
          decimal(sum(s), BigInt(s.length), 2), decimal(sum(a), sum(s), 4), decimal(squares(a), 2n * sum(a), 2),
          decimal(squares(s), 2n * sum(s), 2), decimal(squares(a) * sum(s) - squares(s) * sum(a), 2n * sum(a) * sum(s), 2),
        ];
    return [key, first.routeId, first.stopId, first.serviceDate, rows.length, scheduled.length, average(rows.map((h) => h.actual)), ...figures].join('|');
  });
}

// ---- the stack ----

let pool: pg.Pool;

const arrivalKey = (agencyId: string, tripId: string, serviceDate: string, stopSequence: number) =>
  `${agencyId}|${tripId}|${serviceDate}|${stopSequence}`;
const EXPECTED_KEYS = ARRIVALS.map((a) => arrivalKey(a.agencyId, a.tripId, a.serviceDate, a.stopSequence)).sort();
const AGENCIES = [...new Set(ARRIVALS.map((a) => a.agencyId))];
const ROUTES = [...new Set(ARRIVALS.map((a) => a.routeId))];

/** Rows as `|`-joined text (null as ''), as the expectations are written. */
async function rows(sql: string, values: unknown[] = []): Promise<string[]> {
  const { rows: result } = await pool.query<Record<string, unknown>>(sql, values);
  return result.map((row) => Object.values(row).map((v) => (v === null ? '' : String(v))).join('|'));
}

beforeAll(async () => {
  await scenarioPlayed();
  pool = pgPool();
  // The arrivals are in (keys), and so are the headways of the frequency trips, which their stream upserts later.
  await waitFor(
    async () => {
      const { rows: stored } = await pool.query<{ key: string; headway_seconds: number | null }>(
        `select agency_id || '|' || trip_id || '|' || service_date::text || '|' || stop_sequence as key, headway_seconds
           from stop_arrivals where agency_id = any($1)`,
        [AGENCIES],
      );
      const keys = new Set(stored.map((r) => r.key));
      const withHeadway = stored.filter((r) => r.headway_seconds !== null).length;
      return EXPECTED_KEYS.every((k) => keys.has(k)) && withHeadway >= ARRIVALS.filter((a) => a.headwaySeconds !== null).length;
    },
    { timeoutMs: 240_000, intervalMs: 1000, what: `the scenario's ${ARRIVALS.length} arrivals (and their headways) in stop_arrivals` },
  );
  await stack('dbt', 'build');
}, 900_000);

afterAll(async () => {
  await pool?.end();
});

describe(`dbt marts of the transport scenario (hours in ${AGENCY_TIME_ZONE})`, () => {
  it("stop_arrivals holds exactly the scenario's arrivals", async () => {
    const keys = await rows(
      `select agency_id || '|' || trip_id || '|' || service_date::text || '|' || stop_sequence from stop_arrivals
        where agency_id = any($1)`,
      [AGENCIES],
    );
    expect(keys.sort()).toEqual(EXPECTED_KEYS);
  });

  it(`route_on_time_performance: on time as written, early below ${parameter('onTimeMinDelaySeconds')} s and late above ${parameter('onTimeMaxDelaySeconds')} s`, async () => {
    const performance = await rows(
      `select route_hour_key, route_id, service_date::text, scheduled_local_hour, arrivals, on_time_arrivals, early_arrivals,
              late_arrivals, on_time_share, avg_delay_seconds, p50_delay_seconds, p95_delay_seconds
         from marts.route_on_time_performance where route_id = any($1) order by route_id collate "C", service_date, scheduled_local_hour`,
      [ROUTES],
    );
    expect(performance).toEqual(expectedOnTimePerformance(parameter('onTimeMinDelaySeconds'), parameter('onTimeMaxDelaySeconds')));
  });

  it('stop_delays: delay figures per route and stop, with the stop from gtfs.stops', async () => {
    const delays = await rows(
      `select route_stop_key, route_id, stop_id, stop_name, stop_lat, stop_lon, arrivals, delayed_arrivals, on_time_arrivals,
              on_time_share, avg_delay_seconds, median_delay_seconds, p95_delay_seconds, max_delay_seconds
         from marts.stop_delays where route_id = any($1) order by route_stop_key collate "C"`,
      [ROUTES],
    );
    expect(delays).toEqual(expectedStopDelays());
  });

  it('stop_headways and stop_headway_summary: actual against scheduled headways', async () => {
    const headways = await rows(
      `select headway_key, route_id, stop_id, service_date::text, trip_id, previous_trip_id, actual_headway_seconds,
              scheduled_headway_seconds
         from marts.stop_headways where route_id = any($1) order by headway_key collate "C"`,
      [ROUTES],
    );
    expect(headways).toEqual(
      expectedHeadways().map((h) =>
        [h.key, h.arrival.routeId, h.arrival.stopId, h.arrival.serviceDate, h.arrival.tripId, h.previous.tripId, h.actual, h.scheduled ?? ''].join('|'),
      ),
    );
    const summary = await rows(
      `select route_stop_day_key, route_id, stop_id, service_date::text, headways, scheduled_headways, avg_actual_headway_seconds,
              avg_scheduled_headway_seconds, headway_ratio, actual_wait_seconds, scheduled_wait_seconds, excess_wait_seconds
         from marts.stop_headway_summary where route_id = any($1) order by route_stop_day_key collate "C"`,
      [ROUTES],
    );
    expect(summary).toEqual(expectedHeadwaySummary());
  });
});
