// dbt over the scenario's history: `npm run stack -- dbt build` (models and their data tests) leaves exactly
// the expected rows in marts.device_daily and marts.daily_dry_days for the project's time zone (local days),
// and the API serves the dry-day report from them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import type pg from 'pg';
import { env, manifest, mqttClient, pgPool, ScenarioRun, stack, waitFor, type Expected } from './helpers/index.ts';

let mqtt: MqttClient;
let pool: pg.Pool;
let run: ScenarioRun;
let local: { dbt: Expected; dryDays: Expected[] };
const zone = manifest().project.timeZone;

const ts = (c: string) => `to_char(${c} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as ${c}`;
const order = 'order by env collate "C", tenant collate "C", device_id collate "C", local_date';

async function mart(sql: string): Promise<Record<string, unknown>[]> {
  const tenants = (run.expected.tenants as { tenant: string }[]).map((t) => t.tenant);
  return (await pool.query(`${sql} where tenant = any($1) ${order}`, [tenants])).rows;
}

beforeAll(async () => {
  [mqtt, pool] = [await mqttClient(), pgPool()];
  run = await ScenarioRun.start(pool);
  local = run.localDays(zone);
  await run.replay(mqtt);
  const tenants = (run.expected.tenants as { tenant: string }[]).map((t) => t.tenant);
  await waitFor(
    async () => {
      const { rows } = await pool.query('select count(*)::int as n from sensor_readings where tenant = any($1)', [tenants]);
      return rows[0].n >= run.expected.counts.measurements;
    },
    { timeoutMs: 180_000, intervalMs: 1000, what: `${run.expected.counts.measurements} rows in sensor_readings` },
  );
  await stack('dbt', 'build');
}, 400_000);

afterAll(async () => {
  await mqtt?.endAsync();
  await pool?.end();
});

describe(`dbt marts (local days in ${zone})`, () => {
  it('device_daily: readings, averages and extremes per device and local day', async () => {
    const rows = await mart(
      `select device_day_key, env, tenant, device_id, to_char(local_date, 'YYYY-MM-DD') as local_date, readings::int as readings,
              avg_humidity::float8 as avg_humidity, min_humidity, max_humidity, avg_temperature::float8 as avg_temperature,
              min_temperature, max_temperature, ${ts('first_measured_at')}, ${ts('last_measured_at')}
         from marts.device_daily`,
    );
    expect(rows).toEqual(local.dbt.device_daily);
  });

  it('daily_dry_days: dry days (every reading below 50 %) and the running streak of consecutive dry days', async () => {
    const rows = await mart(
      `select device_day_key, env, tenant, device_id, to_char(local_date, 'YYYY-MM-DD') as local_date, readings::int as readings,
              min_humidity, max_humidity, threshold, is_dry, dry_streak_days
         from marts.daily_dry_days`,
    );
    expect(rows).toEqual(local.dbt.daily_dry_days);
  });

  it.skipIf(!manifest().components.includes('api'))('the API serves the dry-day report from the mart', async () => {
    for (const report of local.dryDays) {
      const url = `${env.apiUrl}/api/${report.env}/${report.tenantId}/reports/dry-days?from=${report.from}&to=${report.to}`;
      const response = await fetch(url, { headers: { 'x-api-key': env.apiKey } });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ items: report.items, nextCursor: null });
    }
  });
});
