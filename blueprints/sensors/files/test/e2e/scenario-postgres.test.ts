// The scenario's measurements land in PostgreSQL (sensor_readings, Flink JDBC upsert) exactly as expected.json
// says: humidity ⋈ temperature of one tick, with the location and state valid at the measurement's event time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import type pg from 'pg';
import { mqttClient, pgPool, ScenarioRun, waitFor } from './helpers/index.ts';

let mqtt: MqttClient;
let pool: pg.Pool;
let run: ScenarioRun;

const iso = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as ${column}`;

/** The run's rows, in the order of expected.json (env, tenant, device_id, measured_at; byte order). */
async function readingsOf(pool: pg.Pool, run: ScenarioRun): Promise<Record<string, unknown>[]> {
  const tenants = (run.expected.tenants as { tenant: string }[]).map((t) => t.tenant);
  const { rows } = await pool.query(
    `select env, tenant, device_id, ${iso('measured_at')}, seq::int as seq, humidity, temperature, ${iso('temperature_measured_at')},
            lat, lon, ${iso('location_event_time')}, rssi, snr, battery, online, ${iso('state_event_time')}
       from sensor_readings
      where tenant = any($1)
      order by env collate "C", tenant collate "C", device_id collate "C", sensor_readings.measured_at`,
    [tenants],
  );
  return rows;
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

describe('scenario → PostgreSQL', () => {
  it('upserts exactly the expected sensor_readings rows', async () => {
    const expected = run.expected.postgres.sensor_readings as Record<string, unknown>[];
    await waitFor(async () => (await readingsOf(pool, run)).length >= expected.length, {
      timeoutMs: 180_000,
      intervalMs: 1000,
      what: `${expected.length} rows in sensor_readings`,
    });
    expect(await readingsOf(pool, run)).toEqual(expected);
  }, 200_000);

  it('keeps the primary key unique under the upsert (one row per device and instant)', async () => {
    const tenants = (run.expected.tenants as { tenant: string }[]).map((t) => t.tenant);
    const { rows } = await pool.query(
      `select count(*)::int as rows, count(distinct (env, tenant, device_id, measured_at))::int as keys
         from sensor_readings where tenant = any($1)`,
      [tenants],
    );
    expect(rows[0]).toEqual({ rows: run.expected.counts.measurements, keys: run.expected.counts.measurements });
  });
});
