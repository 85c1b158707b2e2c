// The scenario's measurements land in PostgreSQL (sensor_readings, Flink JDBC upsert) exactly as expected.json
// says: humidity ⋈ temperature of one tick, with the location and state valid at the measurement's event time.
// Replayed a second time through restarted Flink jobs, every row is written again and stays the same row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceConnections } from 'create-iot-platform/mqtt-access';
import type pg from 'pg';
import { mqttClient, pgPool, restartFlink, ScenarioRun, waitFor } from './helpers/index.ts';
import { READINGS_ORDER, readingsOf, tenantsOf } from './helpers/sensor-readings.ts';

let mqtt: DeviceConnections;
let pool: pg.Pool;
let run: ScenarioRun;

/** How each of the run's rows was written: when PostgreSQL inserted it, and the enrichment job's processing stamp. */
async function writesOf(pool: pg.Pool, run: ScenarioRun): Promise<{ key: string; insertedAt: string; enrichedMs: number }[]> {
  const { rows } = await pool.query<{ key: string; inserted_at: string; enriched_ms: number }>(
    `select concat_ws('|', env, tenant, device_id, to_char(measured_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) as key,
            to_char(inserted_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as inserted_at,
            enriched_processing_ts_ms::float8 as enriched_ms
       from sensor_readings
      where tenant = any($1)
      ${READINGS_ORDER}`,
    [tenantsOf(run)],
  );
  return rows.map((r) => ({ key: r.key, insertedAt: r.inserted_at, enrichedMs: r.enriched_ms }));
}

async function waitForAllRows(): Promise<void> {
  const expected = run.expected.postgres.sensor_readings as Record<string, unknown>[];
  await waitFor(async () => (await readingsOf(pool, run)).length >= expected.length, {
    timeoutMs: 180_000,
    intervalMs: 1000,
    what: `${expected.length} rows in sensor_readings`,
  });
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
    await waitForAllRows();
    expect(await readingsOf(pool, run)).toEqual(run.expected.postgres.sensor_readings);
  }, 200_000);

  // Restarted (a crash: they resume from their checkpoints) and given the same messages again, the jobs write
  // every row a second time through the JDBC sink: an upsert, never a second row.
  it('rewrites the same rows, in place, when the scenario is replayed through restarted Flink jobs', async () => {
    await waitForAllRows();
    const expected = run.expected.postgres.sensor_readings as Record<string, unknown>[];
    const first = await writesOf(pool, run);
    expect(first).toHaveLength(expected.length);

    const restartedAt = Date.now();
    await restartFlink();
    await run.replay(mqtt);
    // every row written again by the restarted enrichment job (its processing stamp is after the restart)
    const rewritten = await waitFor(
      async () => {
        const writes = await writesOf(pool, run);
        return writes.length === first.length && writes.every((w) => w.enrichedMs >= restartedAt) ? writes : undefined;
      },
      { timeoutMs: 240_000, intervalMs: 1000, what: `all ${first.length} rows of the run written again after the restart` },
    );

    // the same set of rows with the same values (the count included), each updated where it was: an upsert
    // on the primary key, never a second row nor a delete and insert
    expect(await readingsOf(pool, run)).toEqual(expected);
    expect(rewritten.map((w) => w.key)).toEqual(first.map((w) => w.key));
    expect(rewritten.map((w) => w.insertedAt)).toEqual(first.map((w) => w.insertedAt));
  }, 600_000);
});
