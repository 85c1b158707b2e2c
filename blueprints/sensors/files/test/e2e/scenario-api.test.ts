// The API's answers over the scenario's current state (Redis): the devices list and one device, each
// device's drought streak, the drought summary and the recent 10-minute summary per env/tenant, exactly as
// expected.json says. A device's `online` there is its reported state; the API also takes the device offline
// once nothing arrived from it for OFFLINE_AFTER_SECONDS, so the expected flag is that rule at the time of the
// answer (the staleness itself is proven in api.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceConnections } from 'create-iot-platform/mqtt-access';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { env, type Expected, mqttClient, pgPool, redisClient, ScenarioRun, waitFor } from './helpers/index.ts';
import { differingHashes, template } from './helpers/redis-hashes.ts';

/** The stack's staleness threshold: OFFLINE_AFTER_SECONDS of .env, which every stack gives the API (60 when .env lacks it). */
const OFFLINE_AFTER_MS = Number(process.env.OFFLINE_AFTER_SECONDS ?? 60) * 1000;

let mqtt: DeviceConnections;
let redis: Redis;
let pool: pg.Pool;
let run: ScenarioRun;

async function get(path: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${env.apiUrl}${path}`, { headers: { 'x-api-key': env.apiKey } });
  return { status: response.status, body: await response.json() };
}

/** When the platform received a device's latest message (its state hash): what the staleness rule measures from. */
async function receivedAt(device: Expected): Promise<number> {
  const hash = await redis.hgetall(template('state').fill({ env: device.env, tenant: device.tenantId, device_id: device.deviceId })!);
  return Math.max(Number(hash.last_seen_ms ?? 0), Number(hash.state_ingested_at ?? 0));
}

/**
 * The answer to `path` and what it must be, `online` being the expected (reported) flag while the device was heard
 * from within the threshold. When a device crosses the threshold during the request, either answer would be
 * right: it asks again.
 */
async function answerAndExpectation(path: string, devices: Expected[], body: (items: Expected[]) => unknown) {
  const received = new Map<string, number>();
  for (const d of devices) received.set(d.deviceId, await receivedAt(d));
  const expectedAt = (now: number) => body(devices.map((d) => ({ ...d, online: d.online && now - received.get(d.deviceId)! <= OFFLINE_AFTER_MS })));
  return waitFor(
    async () => {
      const before = Date.now();
      const answer = await get(path);
      const [early, late] = [expectedAt(before), expectedAt(Date.now())];
      return JSON.stringify(early) === JSON.stringify(late) ? { answer, expected: { status: 200, body: early } } : undefined;
    },
    { timeoutMs: 10_000, what: `an answer to ${path} away from a device's staleness threshold` },
  );
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
      const list = await answerAndExpectation(`/api/${page.env}/${page.tenantId}/devices`, page.items, (items) => ({ items, nextCursor: null }));
      expect(list.answer).toEqual(list.expected);
      for (const device of page.items as Expected[]) {
        const one = await answerAndExpectation(`/api/${page.env}/${page.tenantId}/devices/${device.deviceId}`, [device], ([item]) => item);
        expect(one.answer).toEqual(one.expected);
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
