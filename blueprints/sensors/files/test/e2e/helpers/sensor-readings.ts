// A scenario run's rows of sensor_readings (PostgreSQL), shaped as expected.json's postgres.sensor_readings.
import type pg from 'pg';
import type { ScenarioRun } from './scenario.ts';

const iso = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as ${column}`;
export const READINGS_ORDER = 'order by env collate "C", tenant collate "C", device_id collate "C", sensor_readings.measured_at';
export const tenantsOf = (run: ScenarioRun) => (run.expected.tenants as { tenant: string }[]).map((t) => t.tenant);

/** The run's rows, in the order of expected.json (env, tenant, device_id, measured_at; byte order). */
export async function readingsOf(pool: pg.Pool, run: ScenarioRun): Promise<Record<string, unknown>[]> {
  const { rows } = await pool.query(
    `select env, tenant, device_id, ${iso('measured_at')}, seq::int as seq, humidity, temperature, ${iso('temperature_measured_at')},
            lat, lon, ${iso('location_event_time')}, rssi, snr, battery, online, ${iso('state_event_time')}
       from sensor_readings
      where tenant = any($1)
      ${READINGS_ORDER}`,
    [tenantsOf(run)],
  );
  return rows;
}
