// The scenario's enriched measurements land in the S3 history (Flink filesystem sink, 40-history.sql) exactly as
// expected.json says: one JSON line per measurement under raw/enriched/dt=<UTC day>/, with the location and state
// valid at its event time. Files are committed on Flink checkpoints (only committed objects are read: in-progress
// and not yet compacted files are hidden, dot-prefixed), and a day gets its _SUCCESS file once the watermark has
// passed the end of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceConnections } from 'create-iot-platform/mqtt-access';
import type pg from 'pg';
import { mqttClient, pgPool, ScenarioRun, waitFor } from './helpers/index.ts';
import { getObject, listKeys } from './helpers/s3.ts';

const PREFIX = 'raw/enriched';
/** Ingest and processing stamps cannot be predicted: compared as "<epoch ms>" when they are one. */
const WALL_CLOCK = '<epoch ms>';
const WALL_CLOCK_FIELDS = [
  'humidity_ingested_at',
  'temperature_ingested_at',
  'location_ingested_at',
  'state_ingested_at',
  'measurement_processing_ts_ms',
  'enriched_processing_ts_ms',
];

let mqtt: DeviceConnections;
let pool: pg.Pool;
let run: ScenarioRun;

type Row = Record<string, unknown>;

/** expected.json's measurements (sensor_readings, already shifted to the run) as the history job writes them. */
function expectedLines(run: ScenarioRun): Row[] {
  return (run.expected.postgres.sensor_readings as Row[]).map((r) => ({
    dt: String(r.measured_at).slice(0, 10),
    env: r.env,
    tenant: r.tenant,
    device_id: r.device_id,
    measured_at: r.measured_at,
    measured_at_ms: Date.parse(String(r.measured_at)),
    seq: r.seq,
    humidity: r.humidity,
    temperature: r.temperature,
    humidity_event_time: r.measured_at, // a measurement's time is its humidity's
    temperature_event_time: r.temperature_measured_at,
    lat: r.lat,
    lon: r.lon,
    location_event_time: r.location_event_time,
    rssi: r.rssi,
    snr: r.snr,
    battery: r.battery,
    online: r.online,
    state_event_time: r.state_event_time,
    humidity_ingested_at: WALL_CLOCK,
    temperature_ingested_at: WALL_CLOCK,
    location_ingested_at: r.location_event_time === null ? null : WALL_CLOCK,
    state_ingested_at: r.state_event_time === null ? null : WALL_CLOCK,
    measurement_processing_ts_ms: WALL_CLOCK,
    enriched_processing_ts_ms: WALL_CLOCK,
  }));
}

/** The UTC days of the run's measurements, in order. */
const daysOf = (run: ScenarioRun) => [...new Set(expectedLines(run).map((r) => r.dt as string))].sort();

/** A committed object: neither in progress nor waiting for compaction (".…"), nor a partition marker ("_…"). */
const committedData = (key: string) => !/^[._]/.test(key.slice(key.lastIndexOf('/') + 1));

/**
 * The lines of the run's tenants in the committed objects of its days (or, with `uncommitted`, in the objects not
 * committed yet), in expected.json's order, with dt from the path.
 */
async function historyOf(run: ScenarioRun, { uncommitted = false } = {}): Promise<Row[]> {
  const tenants = new Set((run.expected.tenants as { tenant: string }[]).map((t) => t.tenant)); // not the pacer's
  const rows: Row[] = [];
  for (const day of daysOf(run)) {
    const keys = (await listKeys(`${PREFIX}/dt=${day}/`)).filter((key) => !key.endsWith('/_SUCCESS'));
    for (const key of keys.filter((key) => committedData(key) !== uncommitted)) {
      for (const line of (await getObject(key)).split('\n').filter((l) => l.trim())) {
        const row = JSON.parse(line) as Row;
        if (!tenants.has(row.tenant as string)) continue;
        for (const field of WALL_CLOCK_FIELDS) if (/^\d{13}$/.test(String(row[field]))) row[field] = WALL_CLOCK;
        rows.push({ dt: day, ...row });
      }
    }
  }
  const order = (r: Row) => [r.env, r.tenant, r.device_id, r.measured_at].join('\u0000');
  return rows.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}

beforeAll(async () => {
  [mqtt, pool] = [await mqttClient(), pgPool()];
  run = await ScenarioRun.start(pool);
  await run.replay(mqtt);
}, 120_000);

afterAll(async () => {
  await mqtt?.endAsync();
  await pool?.end();
});

describe('scenario → S3 history', () => {
  it('commits exactly the expected enriched measurements as JSON lines, one per measurement, by UTC day', async () => {
    const expected = expectedLines(run);
    expect(expected.length).toBe(run.expected.counts.measurements);
    const complete = await waitFor(async () => (await historyOf(run)).length >= expected.length, {
      timeoutMs: 180_000,
      intervalMs: 2000,
      what: `${expected.length} lines of the run in committed objects under ${PREFIX}/`,
    }).catch(() => false); // the comparison below says what is missing
    const pending = complete ? 0 : (await historyOf(run, { uncommitted: true })).length;
    expect(await historyOf(run), `after 180 s; ${pending} lines of the run in objects not committed yet`).toEqual(expected);
  }, 200_000);

  it('marks each day the watermark has passed with _SUCCESS, and not the last one', async () => {
    const days = daysOf(run);
    const marked = async () => {
      const found: string[] = [];
      for (const day of days) if ((await listKeys(`${PREFIX}/dt=${day}/`)).includes(`${PREFIX}/dt=${day}/_SUCCESS`)) found.push(day);
      return found;
    };
    // The run's last readings are 12 minutes into its last day: every earlier day has ended in event time.
    await waitFor(async () => (await marked()).length >= days.length - 1, { timeoutMs: 60_000, intervalMs: 2000, what: '_SUCCESS of the finished days' });
    expect(await marked()).toEqual(days.slice(0, -1));
  }, 80_000);
});
