// The scenario (scenarios/sensors/messages.jsonl) replayed over MQTT leaves exactly the Redis hashes of
// expected.json: the latest state and the drought streak per device, and the last summary window per env/tenant
// (dev/globex's closed by event time while prod/acme goes on, prod/acme's once it has been quiet for
// quietCloseSeconds: the log ends abruptly, nothing follows it), and no other key of the run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceConnections } from 'create-iot-platform/mqtt-access';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { mqttClient, pgPool, publish, redisClient, runId, ScenarioRun, waitFor } from './helpers/index.ts';
import { actualHash, differingHashes, expectedHashes, scanKeys } from './helpers/redis-hashes.ts';

let mqtt: DeviceConnections;
let redis: Redis;
let pool: pg.Pool;
let run: ScenarioRun;

beforeAll(async () => {
  [mqtt, redis, pool] = [await mqttClient(), redisClient(), pgPool()];
  run = await ScenarioRun.start(pool);
  await run.replay(mqtt);
}, 120_000);

afterAll(async () => {
  await mqtt?.endAsync();
  redis?.disconnect();
  await pool?.end();
});

describe('scenario → Redis', () => {
  it('materialises exactly the expected hashes', async () => {
    await waitFor(async () => (await differingHashes(redis, run.expected)).length === 0, {
      timeoutMs: 180_000,
      intervalMs: 1000,
      what: 'the expected Redis hashes',
    }).catch(async (error) => {
      // show the first difference in full
      const [key] = await differingHashes(redis, run.expected);
      const h = expectedHashes(run.expected).find((x) => x.key === key);
      if (h) expect(await actualHash(redis, h.kind, h.key, run.expected), h.key).toEqual(h.fields);
      throw error;
    });
    for (const h of expectedHashes(run.expected)) {
      expect(await actualHash(redis, h.kind, h.key, run.expected), h.key).toEqual(h.fields);
    }
  }, 200_000);

  // The log ended abruptly; what follows it (another tenant's readings a day later, which move event time on
  // past every window of the run) changes none of the run's results.
  it('keeps exactly the same hashes when more data follows the log', async () => {
    await waitFor(async () => (await differingHashes(redis, run.expected)).length === 0, {
      timeoutMs: 180_000,
      intervalMs: 1000,
      what: 'the expected Redis hashes',
    });
    const last = Math.max(...(run.expected.postgres.sensor_readings as { measured_at: string }[]).map((r) => Date.parse(r.measured_at)));
    const at = new Date(last + 86_400_000).toISOString();
    const [env, tenant, device] = ['e2e', `after-${runId()}`, 'later-1'];
    await publish(mqtt, [
      { topic: `${env}/${tenant}/sensors/${device}/humidity`, payload: `${device},${at},40.00,1` },
      { topic: `${env}/${tenant}/sensors/${device}/temperature`, payload: `${device},${at},20.00,1` },
    ]);
    await waitFor(
      async () => (await pool.query('select 1 from sensor_readings where tenant = $1', [tenant])).rowCount === 1,
      { timeoutMs: 30_000, intervalMs: 200, what: 'the later reading in PostgreSQL' },
    );
    // the summary job has read the later reading (and moved its clock on) once that device's streak is in Redis
    await waitFor(async () => (await scanKeys(redis, 'drought', env, tenant)).length === 1, {
      timeoutMs: 60_000,
      intervalMs: 200,
      what: 'the later reading\'s drought streak in Redis',
    });
    for (const h of expectedHashes(run.expected)) {
      expect(await actualHash(redis, h.kind, h.key, run.expected), h.key).toEqual(h.fields);
    }
  }, 240_000);

  it('writes no other keys for the run', async () => {
    for (const { env, tenant } of run.expected.tenants as { env: string; tenant: string }[]) {
      for (const kind of ['state', 'drought', 'summary'] as const) {
        const expected = expectedHashes(run.expected)
          .filter((h) => h.kind === kind && h.fields.env === env && h.fields.tenant === tenant)
          .map((h) => h.key)
          .sort();
        expect(await scanKeys(redis, kind, env, tenant), `${kind} keys of ${env}/${tenant}`).toEqual(expected);
      }
    }
  });
});
