// The API's answers over the scenario's current state (Redis): the devices list and one device, each
// device's drought streak, the drought summary and the recent 10-minute summary per env/tenant, exactly as
// expected.json says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { env, type Expected, mqttClient, pgPool, redisClient, ScenarioRun, waitFor } from './helpers/index.ts';
import { differingHashes } from './helpers/redis-hashes.ts';

let mqtt: MqttClient;
let redis: Redis;
let pool: pg.Pool;
let run: ScenarioRun;

async function get(path: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${env.apiUrl}${path}`, { headers: { 'x-api-key': env.apiKey } });
  return { status: response.status, body: await response.json() };
}

beforeAll(async () => {
  [mqtt, redis, pool] = [await mqttClient(), redisClient(), pgPool()];
  run = await ScenarioRun.start(pool);
  await run.replay(mqtt);
  // the API reads Redis: wait until the pipeline has written all of the run's final state
  await waitFor(async () => (await differingHashes(redis, run.expected)).length === 0, {
    timeoutMs: 180_000,
    intervalMs: 1000,
    what: 'the expected Redis hashes',
  });
}, 300_000);

afterAll(async () => {
  await mqtt?.endAsync();
  redis?.disconnect();
  await pool?.end();
});

describe('scenario → API', () => {
  it('lists the devices of each env/tenant with their current state', async () => {
    for (const page of run.expected.api.devices as Expected[]) {
      expect(await get(`/api/${page.env}/${page.tenantId}/devices`)).toEqual({ status: 200, body: { items: page.items, nextCursor: null } });
      for (const device of page.items as Expected[]) {
        expect(await get(`/api/${page.env}/${page.tenantId}/devices/${device.deviceId}`)).toEqual({ status: 200, body: device });
      }
    }
  });

  it("answers each device's drought streak, and 404 for an unknown device", async () => {
    for (const d of run.expected.api.drought as Expected[]) {
      expect(await get(`/api/${d.env}/${d.tenantId}/devices/${d.deviceId}/drought`)).toEqual({ status: 200, body: d });
    }
    const { env: e, tenantId } = run.expected.api.drought[0];
    expect((await get(`/api/${e}/${tenantId}/devices/no-such-device/drought`)).status).toBe(404);
  });

  it('summarises the drought per env/tenant', async () => {
    for (const s of run.expected.api.droughtSummary as Expected[]) {
      expect(await get(`/api/${s.env}/${s.tenantId}/devices/summary/drought`)).toEqual({ status: 200, body: s });
    }
  });

  it('serves the last 10-minute window summary per env/tenant', async () => {
    for (const s of run.expected.api.recentSummary as Expected[]) {
      expect(await get(`/api/${s.env}/${s.tenantId}/devices/summary/recent`)).toEqual({ status: 200, body: s });
    }
  });
});
