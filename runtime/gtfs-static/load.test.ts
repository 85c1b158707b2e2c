// iot-gtfs-load against a real PostgreSQL and a real Kafka (both started natively for this file): the real
// feeds of the reference data, a small synthetic feed (a trip past midnight, calendar_dates exceptions,
// frequencies, quoting, BOM and CRLF), reloads, a changed feed, and one broken feed per kind of problem.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKafka, type KafkaBroker } from '../../test/helpers/kafka.ts';
import { latestByKey, readTopic, topicEndOffsets } from '../../test/helpers/kafka-topic.ts';
import { startPostgres, type PostgresCluster } from '../../test/helpers/postgres.ts';
import { GTFS_FILES } from './gtfs-files.ts';
import { runGtfsLoad } from './load.ts';

const DATA = '/work/shared/reference/data/gtfs';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DATABASE = 'gtfs_test';

let pg: PostgresCluster;
let kafka: KafkaBroker;
let work: string;

beforeAll(async () => {
  [pg, kafka] = await Promise.all([startPostgres(), startKafka()]);
  pg.createDatabase(DATABASE);
  work = mkdtempSync(join(tmpdir(), 'gtfs-load-'));
}, 300_000);

afterAll(async () => {
  pg?.stop();
  await kafka?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const env = () => ({ DATABASE_URL: `postgres://postgres@127.0.0.1:${pg.port}/${DATABASE}`, KAFKA_BROKERS: kafka.brokers });

async function load(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runGtfsLoad(argv, { cwd: work, env: env(), stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

const sql = (query: string) => pg.psql(query, { database: DATABASE });

function rowCounts(schema: string): Record<string, number> {
  return Object.fromEntries(GTFS_FILES.map((spec) => [spec.table, Number(sql(`SELECT count(*) FROM ${schema}.${spec.table}`))]));
}

/** Every row of every table of the schema, as one comparable text per table (count and md5 of the sorted rows). */
function tableDigest(schema: string): Record<string, string> {
  return Object.fromEntries(
    [...GTFS_FILES.map((spec) => spec.table), 'published_trips'].map((table) => [
      table,
      sql(`SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '-') FROM ${schema}.${table} t`),
    ]),
  );
}

const schemaExists = (schema: string) => sql(`SELECT count(*) FROM pg_namespace WHERE nspname = '${schema}'`) === '1';

async function latestRecords(topic: string): Promise<Map<string, unknown>> {
  const latest = latestByKey(await readTopic(kafka.brokers, topic));
  return new Map([...latest].map(([key, value]) => [key, JSON.parse(value)]));
}

// ---- the synthetic feed ----

type Feed = Record<string, string>;

const SYNTHETIC: Feed = {
  'agency.txt': '\ufeffagency_id,agency_name,agency_url,agency_timezone\nA,Metro,https://metro.example,America/Los_Angeles\n',
  'stops.txt': [
    'stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station',
    'ST,Central Station,37.5,-122.5,1,',
    'S1,"Main St, ""North""",37.1,-122.1,0,ST',
    'S2,Second,37.2,-122.2,,',
    'S3,Third,37.3,-122.3,,',
    'S4,Fourth,37.4,-122.4,,',
  ].join('\r\n'),
  'routes.txt': 'route_id,agency_id,route_short_name,route_type\nR1,A,1,3\nR2,A,2,3\n',
  'calendar.txt': 'service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nWK,1,1,1,1,1,0,0,20260302,20260313\n',
  'calendar_dates.txt': 'service_id,date,exception_type\nWK,20260309,2\nWK,20260307,1\nHOL,20260704,1\nHOL,20261225,1\n',
  'shapes.txt': 'shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence\nSH1,37.3,-122.3,30\nSH1,37.1,-122.1,10\nSH1,37.2,-122.2,20\n',
  'trips.txt': 'route_id,service_id,trip_id,shape_id\nR1,WK,T1,SH1\nR1,WK,T2,\nR2,HOL,T3,\nR2,WK,T4,SH1\n',
  'stop_times.txt': [
    'trip_id,arrival_time,departure_time,stop_id,stop_sequence',
    'T1,08:00:00,08:00:30,S1,1',
    'T1,8:10:00,8:10:00,S2,2',
    'T1,08:30:00,08:30:00,S4,4',
    'T1,,,S3,3',
    'T2,23:50:00,23:50:00,S3,1',
    'T2,24:20:00,24:21:00,S4,2',
    'T2,25:05:30,25:05:30,S1,3',
    'T3,10:00:00,10:00:00,S1,5',
    'T3,10:15:00,10:15:00,S2,10',
    'T4,00:00:00,00:00:00,S1,1',
    'T4,00:05:00,00:05:00,S2,2',
    '',
  ].join('\n'),
  'frequencies.txt': 'trip_id,start_time,end_time,headway_secs,exact_times\nT4,16:00:00,19:00:00,900,\nT4,06:00:00,10:00:00,600,1\n',
};

/** Weekdays of 2026-03-02..13 without Monday the 9th (exception 2), with Saturday the 7th (exception 1). */
const WK_DATES = ['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06', '2026-03-07', '2026-03-10', '2026-03-11', '2026-03-12', '2026-03-13'];
const TZ = 'America/Los_Angeles';
const SHAPE = [[37.1, -122.1], [37.2, -122.2], [37.3, -122.3]];
const stop = (stopId: string, stopSequence: number, lat: number, lon: number, arrivalSeconds: number | null, departureSeconds: number | null) => ({
  stopId, stopSequence, lat, lon, arrivalSeconds, departureSeconds,
});

const SYNTHETIC_RECORDS = {
  T1: {
    tripId: 'T1', routeId: 'R1', serviceId: 'WK', agencyId: 'A', timeZone: TZ, shapeId: 'SH1', shape: SHAPE,
    stops: [stop('S1', 1, 37.1, -122.1, 28_800, 28_830), stop('S2', 2, 37.2, -122.2, 29_400, 29_400), stop('S3', 3, 37.3, -122.3, null, null), stop('S4', 4, 37.4, -122.4, 30_600, 30_600)],
    frequencies: [], serviceDates: WK_DATES,
  },
  T2: {
    tripId: 'T2', routeId: 'R1', serviceId: 'WK', agencyId: 'A', timeZone: TZ, shapeId: null, shape: [],
    stops: [stop('S3', 1, 37.3, -122.3, 85_800, 85_800), stop('S4', 2, 37.4, -122.4, 87_600, 87_660), stop('S1', 3, 37.1, -122.1, 90_330, 90_330)],
    frequencies: [], serviceDates: WK_DATES,
  },
  T3: {
    tripId: 'T3', routeId: 'R2', serviceId: 'HOL', agencyId: 'A', timeZone: TZ, shapeId: null, shape: [],
    stops: [stop('S1', 5, 37.1, -122.1, 36_000, 36_000), stop('S2', 10, 37.2, -122.2, 36_900, 36_900)],
    frequencies: [], serviceDates: ['2026-07-04', '2026-12-25'],
  },
  T4: {
    tripId: 'T4', routeId: 'R2', serviceId: 'WK', agencyId: 'A', timeZone: TZ, shapeId: 'SH1', shape: SHAPE,
    stops: [stop('S1', 1, 37.1, -122.1, 0, 0), stop('S2', 2, 37.2, -122.2, 300, 300)],
    frequencies: [
      { startSeconds: 21_600, endSeconds: 36_000, headwaySeconds: 600, exactTimes: true },
      { startSeconds: 57_600, endSeconds: 68_400, headwaySeconds: 900, exactTimes: false },
    ],
    serviceDates: WK_DATES,
  },
};

let feedCount = 0;
function writeFeed(files: Feed): string {
  const dir = join(work, `feed-${++feedCount}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** The feed with line `row` (1 = header) of one file replaced. */
function withLine(files: Feed, file: string, row: number, line: string): Feed {
  const lines = files[file]!.split(/\r?\n/);
  expect(lines[row - 1], `${file} has a row ${row}`).toBeDefined();
  lines[row - 1] = line;
  return { ...files, [file]: lines.join('\n') };
}

// ---- the tests ----

describe('iot-gtfs-load with the real feeds', () => {
  const feeds = [
    {
      name: 'caltrain-2023-11', schema: 'caltrain',
      counts: { agency: 1, calendar: 2, calendar_dates: 20, stops: 109, routes: 9, shapes: 12_027, trips: 176, stop_times: 3_498, frequencies: 0, feed_info: 1 },
    },
    {
      name: 'sound-transit-2023-05', schema: 'sound_transit',
      counts: { agency: 1, calendar: 3, calendar_dates: 0, stops: 149, routes: 5, shapes: 10_981, trips: 734, stop_times: 13_314, frequencies: 0, feed_info: 0 },
    },
    {
      name: 'usf-bullrunner-2017', schema: 'bullrunner',
      counts: { agency: 1, calendar: 3, calendar_dates: 0, stops: 125, routes: 6, shapes: 1_522, trips: 15, stop_times: 473, frequencies: 15, feed_info: 0 },
    },
  ];

  it.each(feeds)('loads $name (zip) with exact row counts and one record per trip', async ({ name, schema, counts }) => {
    const result = await load(join(DATA, name, 'gtfs.zip'), '--schema', schema, '--topic', `${schema}.trips`);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^gtfs:load: loaded .*gtfs\\.zip into 127\\.0\\.0\\.1:\\d+/${DATABASE} schema ${schema}: .*; published ${counts.trips} trips and 0 tombstones to ${schema}\\.trips \\(\\d+\\.\\d s\\)\\n$`));
    expect(rowCounts(schema)).toEqual(counts);
    const messages = await readTopic(kafka.brokers, `${schema}.trips`);
    expect(messages.length).toBe(counts.trips);
    expect(new Set(messages.map((m) => m.key)).size).toBe(counts.trips);
  });

  it('gives Caltrain trip 701 its exact record: stops with GTFS seconds, the shape in sequence order, 173 service dates', async () => {
    const records = await latestRecords('caltrain.trips');
    const shapeLines = execFileSync('grep', ['^p_1277413,', join(DATA, 'caltrain-2023-11/gtfs/shapes.txt')], { encoding: 'utf8' }).trim().split(/\r?\n/);
    // shapes.txt of Caltrain: shape_id,shape_pt_lon,shape_pt_lat,shape_pt_sequence,…
    const shape = shapeLines.map((l) => l.split(',')).sort((a, b) => Number(a[3]) - Number(b[3])).map((f) => [Number(f[2]), Number(f[1])]);
    expect(shape.length).toBe(296);
    const record = records.get('701') as { serviceDates: string[] };
    expect(record.serviceDates.length).toBe(173);
    expect(record.serviceDates.slice(0, 3)).toEqual(['2023-09-25', '2023-09-26', '2023-09-27']);
    expect(record.serviceDates.slice(-2)).toEqual(['2024-05-30', '2024-05-31']);
    for (const holiday of ['2023-11-23', '2023-11-24', '2023-12-25', '2024-01-01', '2024-01-15', '2024-02-19', '2024-05-27']) expect(record.serviceDates).not.toContain(holiday);
    expect({ ...record, serviceDates: undefined }).toEqual({
      tripId: '701', routeId: 'B7', serviceId: '72982', agencyId: 'CT', timeZone: TZ, shapeId: 'p_1277413', shape,
      stops: [
        stop('70261', 1, 37.329239, -121.903011, 21_420, 21_420),
        stop('70211', 2, 37.394459, -122.075956, 22_260, 22_260),
        stop('70171', 3, 37.443475, -122.164614, 22_740, 22_740),
        stop('70141', 4, 37.486159, -122.231936, 23_160, 23_160),
        stop('70111', 5, 37.542607659, -122.3014966366, 23_640, 23_640),
        stop('70061', 6, 37.59988, -122.386647, 24_240, 24_240),
        stop('70011', 7, 37.77639, -122.394992, 25_380, 25_380),
      ],
      frequencies: [],
      serviceDates: undefined,
    });
  });

  it('gives a Bull Runner trip its frequency (24:00:00 end) and the New York zone of the agency without agency_id', async () => {
    const record = (await latestRecords('bullrunner.trips')).get('1') as Record<string, unknown>;
    expect(record.frequencies).toEqual([{ startSeconds: 25_200, endSeconds: 86_400, headwaySeconds: 600, exactTimes: false }]);
    expect([record.agencyId, record.timeZone, record.serviceId, record.shapeId]).toEqual(['', 'America/New_York', 'Mo', '0']);
    expect(sql(`SELECT agency_id || '|' || agency_timezone FROM bullrunner.agency`)).toBe('|America/New_York');
    expect(sql(`SELECT min(departure_time) || '|' || max(arrival_time) FROM sound_transit.stop_times`)).toBe('15060|94410');
  });

  it('loads the unpacked folder of a feed into the same tables as its zip', async () => {
    const result = await load(join(DATA, 'caltrain-2023-11', 'gtfs'), '--schema', 'caltrain_folder', '--no-kafka');
    expect(result.code).toBe(0);
    expect(tableDigest('caltrain_folder')).toEqual({ ...tableDigest('caltrain'), published_trips: '0 -' });
  });
});

describe('iot-gtfs-load with a synthetic feed', () => {
  it('publishes the exact records: a trip past midnight, calendar_dates exceptions, unordered rows, frequencies', async () => {
    const result = await load(writeFeed(SYNTHETIC), '--schema', 'synthetic', '--topic', 'synthetic.trips');
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(': 1 agency, 1 calendar, 4 calendar_dates, 5 stops, 2 routes, 3 shapes, 4 trips, 11 stop_times, 2 frequencies; published 4 trips and 0 tombstones to synthetic.trips (');
    expect(Object.fromEntries(await latestRecords('synthetic.trips'))).toEqual(SYNTHETIC_RECORDS);
  });

  it('stores typed rows: times as seconds (also past 24:00:00), dates as dates, flags as booleans', () => {
    expect(sql(`SELECT string_agg(stop_sequence || ':' || coalesce(arrival_time::text, '-') || '/' || coalesce(departure_time::text, '-'), ' ' ORDER BY stop_sequence) FROM synthetic.stop_times WHERE trip_id = 'T2'`)).toBe(
      '1:85800/85800 2:87600/87660 3:90330/90330',
    );
    expect(sql(`SELECT service_id || ' ' || monday || ' ' || saturday || ' ' || start_date || ' ' || end_date FROM synthetic.calendar`)).toBe('WK true false 2026-03-02 2026-03-13');
    expect(sql(`SELECT stop_name || '|' || location_type || '|' || coalesce(parent_station, '') FROM synthetic.stops WHERE stop_id = 'S1'`)).toBe('Main St, "North"|0|ST');
    expect(sql(`SELECT string_agg(start_time || '/' || end_time || '/' || headway_secs || '/' || coalesce(exact_times::text, '-'), ' ' ORDER BY start_time) FROM synthetic.frequencies`)).toBe(
      '21600/36000/600/1 57600/68400/900/-',
    );
    expect(sql(`SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'synthetic.stop_times'::regclass AND attname = 'arrival_time'`)).toBe('integer');
  });

  it('leaves identical tables and publishes no tombstone when the same feed is loaded again', async () => {
    const before = tableDigest('synthetic');
    const again = await load(writeFeed(SYNTHETIC), '--schema', 'synthetic', '--topic', 'synthetic.trips');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('published 4 trips and 0 tombstones to synthetic.trips');
    expect(tableDigest('synthetic')).toEqual(before);
    const messages = await readTopic(kafka.brokers, 'synthetic.trips');
    expect(messages.length).toBe(8);
    expect(Object.fromEntries(await latestRecords('synthetic.trips'))).toEqual(SYNTHETIC_RECORDS);
  });

  it('leaves exactly the changed feed and tombstones the trip it dropped', async () => {
    // T3 (service HOL) is gone; T5 (R1, WK) is new.
    const changed = withLine(
      withLine(withLine(SYNTHETIC, 'trips.txt', 4, 'R1,WK,T5,'), 'stop_times.txt', 9, 'T5,10:00:00,10:00:00,S1,5'),
      'stop_times.txt', 10, 'T5,10:20:00,10:20:00,S2,10',
    );
    const result = await load(writeFeed(changed), '--schema', 'synthetic', '--topic', 'synthetic.trips');
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('published 4 trips and 1 tombstones to synthetic.trips');
    const fresh = await load(writeFeed(changed), '--schema', 'synthetic_fresh', '--no-kafka');
    expect(fresh.code).toBe(0);
    expect({ ...tableDigest('synthetic'), published_trips: undefined }).toEqual({ ...tableDigest('synthetic_fresh'), published_trips: undefined });
    expect(sql(`SELECT string_agg(trip_id, ' ' ORDER BY trip_id) FROM synthetic.published_trips`)).toBe('T1 T2 T4 T5');
    const messages = await readTopic(kafka.brokers, 'synthetic.trips');
    expect(messages.slice(8).map((m) => [m.key, m.value === null ? null : 'record'])).toEqual([['T1', 'record'], ['T2', 'record'], ['T5', 'record'], ['T4', 'record'], ['T3', null]]);
    const latest = Object.fromEntries(await latestRecords('synthetic.trips'));
    expect(Object.keys(latest).sort()).toEqual(['T1', 'T2', 'T4', 'T5']);
    expect(latest.T5).toEqual({
      ...SYNTHETIC_RECORDS.T3, tripId: 'T5', routeId: 'R1', serviceId: 'WK', serviceDates: WK_DATES,
      stops: [stop('S1', 5, 37.1, -122.1, 36_000, 36_000), stop('S2', 10, 37.2, -122.2, 37_200, 37_200)],
    });
  });
});

describe('iot-gtfs-load with a broken feed: one line, exit 1, nothing written', () => {
  let guarded: Record<string, string>;
  let offsets: string[] | undefined;

  beforeAll(async () => {
    const first = await load(writeFeed(SYNTHETIC), '--schema', 'guarded', '--topic', 'guarded.trips');
    expect(first.code).toBe(0);
    guarded = tableDigest('guarded');
    offsets = await topicEndOffsets(kafka.brokers, 'guarded.trips');
    expect(offsets).toEqual(['4']);
  });

  const broken: [string, () => Feed, string][] = [
    ['a required file is missing', () => Object.fromEntries(Object.entries(SYNTHETIC).filter(([name]) => name !== 'trips.txt')),
      'trips.txt: missing from the feed; a GTFS feed needs agency.txt, stops.txt, routes.txt, trips.txt, stop_times.txt and calendar.txt or calendar_dates.txt'],
    ['a required column is missing', () => withLine(SYNTHETIC, 'stop_times.txt', 1, 'trip_id,arrival_time,departure_time,stop_id,sequence'),
      'stop_times.txt:1 field stop_sequence: column missing from the header; add the column stop_sequence; GTFS requires it'],
    ['a required value is empty', () => withLine(SYNTHETIC, 'trips.txt', 3, 'R1,,T2,'),
      'trips.txt:3 field service_id: empty; every row of trips.txt needs a service_id'],
    ['a time is no GTFS time', () => withLine(SYNTHETIC, 'stop_times.txt', 3, 'T1,8:61:00,8:61:00,S2,2'),
      'stop_times.txt:3 field arrival_time: "8:61:00" is not a GTFS time; write H:MM:SS or HH:MM:SS since noon minus 12 h of the service day (past midnight: 25:10:00)'],
    ['a date is no GTFS date', () => withLine(SYNTHETIC, 'calendar.txt', 2, 'WK,1,1,1,1,1,0,0,20260230,20260313'),
      'calendar.txt:2 field start_date: "20260230" is not a GTFS date; write a real date as YYYYMMDD, like 20240527'],
    ['a latitude is out of range', () => withLine(SYNTHETIC, 'stops.txt', 4, 'S2,Second,97.2,-122.2,,'),
      'stops.txt:4 field stop_lat: "97.2" is not a latitude; write decimal degrees from -90 to 90 (WGS 84)'],
    ['an enumeration value is unknown', () => withLine(SYNTHETIC, 'calendar_dates.txt', 3, 'WK,20260307,3'),
      'calendar_dates.txt:3 field exception_type: "3" is not one of 1, 2; use one of the values the GTFS reference lists for this field'],
    ['agency_timezone is no IANA zone', () => withLine(SYNTHETIC, 'agency.txt', 2, 'A,Metro,https://metro.example,America/Nowhere'),
      'agency.txt:2 field agency_timezone: "America/Nowhere" is not an IANA time zone; use a tz database name like America/Los_Angeles'],
    ['a trip names an unknown route', () => withLine(SYNTHETIC, 'trips.txt', 5, 'R9,WK,T4,SH1'),
      'trips.txt:5 field route_id: "R9" is not a route_id of routes.txt; add the route to routes.txt or fix the id'],
    ['a trip names an unknown service', () => withLine(SYNTHETIC, 'trips.txt', 4, 'R2,XMAS,T3,'),
      'trips.txt:4 field service_id: "XMAS" is in neither calendar.txt nor calendar_dates.txt; add the service to calendar.txt or calendar_dates.txt or fix the id'],
    ['a trip names an unknown shape', () => withLine(SYNTHETIC, 'trips.txt', 2, 'R1,WK,T1,SH9'),
      'trips.txt:2 field shape_id: "SH9" is not a shape_id of shapes.txt; add the shape to shapes.txt or leave shape_id empty'],
    ['a stop time names an unknown trip', () => withLine(SYNTHETIC, 'stop_times.txt', 9, 'T9,10:00:00,10:00:00,S1,5'),
      'stop_times.txt:9 field trip_id: "T9" is not a trip_id of trips.txt; add the trip to trips.txt or fix the id'],
    ['a stop time names an unknown stop', () => withLine(SYNTHETIC, 'stop_times.txt', 12, 'T4,00:05:00,00:05:00,S7,2'),
      'stop_times.txt:12 field stop_id: "S7" is not a stop_id of stops.txt; add the stop to stops.txt or fix the id'],
    ['a route names no agency while there are several', () => withLine(withLine(SYNTHETIC, 'agency.txt', 3, 'B,Other,https://other.example,America/Los_Angeles'), 'routes.txt', 3, 'R2,,2,3'),
      'routes.txt:3 field agency_id: empty while agency.txt lists several agencies; name the agency_id that runs this route'],
    ['an id repeats', () => withLine(SYNTHETIC, 'stops.txt', 5, 'S2,Third,37.3,-122.3,,'),
      'stops.txt:5 field stop_id: "S2" repeats row 4; give each row of stops.txt its own stop_id'],
    ['a stop_sequence repeats within a trip', () => withLine(SYNTHETIC, 'stop_times.txt', 5, 'T1,,,S3,2'),
      'stop_times.txt:5 field stop_sequence: 2 repeats row 3 of trip "T1"; give each stop of a trip its own stop_sequence'],
    ['a departure is before its arrival', () => withLine(SYNTHETIC, 'stop_times.txt', 7, 'T2,24:20:00,24:19:00,S4,2'),
      'stop_times.txt:7 field departure_time: earlier than arrival_time; a vehicle leaves a stop at or after it arrives; fix one of the two times'],
    ['the last stop of a trip has no time', () => withLine(SYNTHETIC, 'stop_times.txt', 4, 'T1,,,S4,4'),
      'stop_times.txt:4 field arrival_time: empty at the last stop of trip "T1"; GTFS requires both times at a trip\'s first and last stop'],
    ['a stop_sequence is no whole number', () => withLine(SYNTHETIC, 'stop_times.txt', 2, 'T1,08:00:00,08:00:30,S1,first'),
      'stop_times.txt:2 field stop_sequence: "first" is not a whole number ≥ 0; write a whole number ≥ 0 in digits, like 3'],
    ['a frequency period ends before it starts', () => withLine(SYNTHETIC, 'frequencies.txt', 2, 'T4,16:00:00,16:00:00,900,'),
      'frequencies.txt:2 field end_time: not after start_time; a frequency period ends after it starts; fix one of the two times'],
    ['a calendar ends before it starts', () => withLine(SYNTHETIC, 'calendar.txt', 2, 'WK,1,1,1,1,1,0,0,20260313,20260302'),
      'calendar.txt:2 field end_date: 20260302 is before start_date 20260313; swap the dates or fix the one that is wrong'],
    ['a weekday flag is not 0 or 1', () => withLine(SYNTHETIC, 'calendar.txt', 2, 'WK,1,1,1,1,2,0,0,20260302,20260313'),
      'calendar.txt:2 field friday: "2" is not 0 or 1; write 1 when the service runs on that weekday, 0 when not'],
    ['a parent_station is unknown', () => withLine(SYNTHETIC, 'stops.txt', 3, 'S1,Main St,37.1,-122.1,0,SX'),
      'stops.txt:3 field parent_station: "SX" is not a stop_id of stops.txt; name an existing station or leave parent_station empty'],
    ['a stop has no coordinates', () => withLine(SYNTHETIC, 'stops.txt', 5, 'S3,Third,,,,'),
      'stops.txt:5 field stop_lat: empty; stops, stations and entrances (location_type 0, 1, 2) need stop_lat and stop_lon'],
    ['two agencies name different time zones', () => withLine(SYNTHETIC, 'agency.txt', 3, 'B,Other,https://other.example,America/New_York'),
      'agency.txt:3 field agency_timezone: "America/New_York" differs from "America/Los_Angeles" of row 2; GTFS requires one agency_timezone for all agencies of a feed'],
    ['a shape point sequence repeats', () => withLine(SYNTHETIC, 'shapes.txt', 4, 'SH1,37.2,-122.2,10'),
      'shapes.txt:4 field shape_pt_sequence: 10 repeats row 3 of the same shape; number the points of a shape with distinct sequences'],
  ];

  it.each(broken)('%s', async (_kind, feed, line) => {
    const result = await load(writeFeed(feed()), '--schema', 'guarded', '--topic', 'guarded.trips');
    expect(result).toEqual({ code: 1, stdout: '', stderr: `gtfs:load: error: ${line}\n` });
    expect(tableDigest('guarded')).toEqual(guarded);
    expect(await topicEndOffsets(kafka.brokers, 'guarded.trips')).toEqual(offsets);
  });

  it('a damaged zip: one line naming the archive', async () => {
    writeFileSync(join(work, 'feed.zip'), 'this is no zip archive');
    const result = await load(join(work, 'feed.zip'), '--schema', 'guarded', '--topic', 'guarded.trips');
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'gtfs:load: error: feed.zip: not a zip archive (no end of central directory); give a GTFS .zip (deflate or stored) or a folder of its .txt files\n',
    });
    expect(tableDigest('guarded')).toEqual(guarded);
  });

  it('a first load of a broken feed creates neither the schema nor the topic; the bin says the same line', () => {
    const dir = writeFeed(withLine(SYNTHETIC, 'stops.txt', 4, 'S2,Second,97.2,-122.2,,'));
    let failure: { status: number; stdout: string; stderr: string } | undefined;
    try {
      execFileSync(process.execPath, [join(ROOT, 'bin/iot-gtfs-load.js'), dir, '--schema', 'never', '--topic', 'never.trips'], {
        cwd: work, env: { ...process.env, ...env() }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      failure = error as typeof failure;
    }
    expect({ status: failure?.status, stdout: failure?.stdout, stderr: failure?.stderr }).toEqual({
      status: 1,
      stdout: '',
      stderr: 'gtfs:load: error: stops.txt:4 field stop_lat: "97.2" is not a latitude; write decimal degrees from -90 to 90 (WGS 84)\n',
    });
    expect(schemaExists('never')).toBe(false);
    return topicEndOffsets(kafka.brokers, 'never.trips').then((o) => expect(o).toBeUndefined());
  });
});

describe('iot-gtfs-load on the command line', () => {
  it('--check reports the counts and writes nothing; usage mistakes are one line', async () => {
    const check = await load(join(DATA, 'usf-bullrunner-2017', 'gtfs.zip'), '--check', '--schema', 'checked');
    expect(check).toEqual({
      code: 0,
      stdout: `gtfs:load: ${join(DATA, 'usf-bullrunner-2017', 'gtfs.zip')} is a valid feed: 1 agency, 3 calendar, 125 stops, 6 routes, 1522 shapes, 15 trips, 473 stop_times, 15 frequencies; nothing was written\n`,
      stderr: '',
    });
    expect(schemaExists('checked')).toBe(false);
    expect(await load()).toEqual({ code: 1, stdout: '', stderr: 'gtfs:load: error: which feed? iot-gtfs-load <feed.zip|folder> (see --help)\n' });
    expect(await load(join(work, 'nowhere.zip'))).toEqual({
      code: 1, stdout: '', stderr: `gtfs:load: error: ${join(work, 'nowhere.zip')}: no such file or folder; give the path of a GTFS .zip or of a folder of GTFS .txt files\n`,
    });
    expect((await load('--help')).stdout).toMatch(/^Usage: iot-gtfs-load <feed.zip\|folder> \[options\]/);
  });
});
