// The API against a running stack: authentication is required, devices published over MQTT show up in the
// devices list once Flink and the Redis sink have processed them, and the staleness rule holds in real time: a
// device is online while messages arrive from it and offline once none has for OFFLINE_AFTER_SECONDS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceConnections } from 'create-iot-platform/mqtt-access';
import type { Redis } from 'ioredis';
import { env, eventClock, mqttClient, pgPool, redisClient, runId, waitFor } from './helpers/index.ts';
import { template } from './helpers/redis-hashes.ts';

const ENV = 'e2e';
const TENANT = `api-${runId()}`;
const DEVICES = ['dev-001', 'dev-002'];
/** The stack's staleness threshold: OFFLINE_AFTER_SECONDS of .env, which every stack gives the API (60 when .env lacks it). */
const OFFLINE_AFTER_MS = Number(process.env.OFFLINE_AFTER_SECONDS ?? 60) * 1000;

let mqtt: DeviceConnections;
let redis: Redis;
let seq = 0;
/** Event time of the first tick: now, or later when earlier tests moved the stack's event time ahead (helpers/scenario.ts). */
let clockStart = 0;
let wallStart = 0;

async function get(path: string, withKey = true): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${env.apiUrl}${path}`, { headers: withKey ? { 'x-api-key': env.apiKey } : {} });
  return { status: response.status, body: await response.json() };
}

/** One tick per device with an advancing time, so event time (and Flink's watermarks) move on. */
async function publishTick(): Promise<void> {
  seq += 1;
  const now = new Date(clockStart + Date.now() - wallStart).toISOString();
  for (const id of DEVICES) {
    const base = `${ENV}/${TENANT}/sensors/${id}`;
    await mqtt.publishAsync(`${base}/location`, `${id},${now},54.843300,83.093100`, { qos: 1 });
    await mqtt.publishAsync(`${base}/state`, `${id},${now},-60,5.00,97.5,True`, { qos: 1 });
    await mqtt.publishAsync(`${base}/humidity`, `${id},${now},41.00,${seq}`, { qos: 1 });
    await mqtt.publishAsync(`${base}/temperature`, `${id},${now},21.50,${seq}`, { qos: 1 });
  }
}

beforeAll(async () => {
  mqtt = await mqttClient();
  redis = redisClient();
  const pool = pgPool();
  clockStart = await eventClock(pool).finally(() => pool.end());
  wallStart = Date.now();
}, 30_000);

afterAll(async () => {
  await mqtt?.endAsync();
  redis?.disconnect();
});

describe('api', () => {
  it('rejects requests without an API key', async () => {
    const { status, body } = await get(`/api/${ENV}/${TENANT}/devices`, false);
    expect(status).toBe(401);
    expect(body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
  });

  it('serves liveness without a key', async () => {
    expect((await get('/healthz', false)).status).toBe(200);
  });

  it('lists the devices published over MQTT', async () => {
    const ids = await waitFor(
      async () => {
        await publishTick();
        const { status, body } = await get(`/api/${ENV}/${TENANT}/devices`);
        if (status !== 200) return undefined;
        const found = (body as { items: { deviceId: string }[] }).items.map((d) => d.deviceId).sort();
        return found.length === DEVICES.length ? found : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 2000, what: `devices ${DEVICES.join(', ')} in the API` },
    );
    expect(ids).toEqual(DEVICES);
    const { body } = await get(`/api/${ENV}/${TENANT}/devices/${DEVICES[0]}`);
    expect(body).toMatchObject({ deviceId: DEVICES[0], env: ENV, tenantId: TENANT, online: true });
  }, 200_000);
});

describe('the staleness rule', () => {
  const TENANT_STALE = `stale-${runId()}`;
  const QUIET = 'dev-quiet'; // reports itself online, then falls silent
  const OFF = 'dev-off'; // reports itself offline
  let tick = 0;

  /** One tick of both devices (state, humidity, temperature) stamped with the event clock; resolves with its wall time. */
  async function publishStaleTick(): Promise<number> {
    tick += 1;
    const sentAt = Date.now();
    const at = new Date(clockStart + sentAt - wallStart).toISOString();
    for (const [id, online] of [[QUIET, 'True'], [OFF, 'False']] as const) {
      const base = `${ENV}/${TENANT_STALE}/sensors/${id}`;
      await mqtt.publishAsync(`${base}/state`, `${id},${at},-60,5.00,97.5,${online}`, { qos: 1 });
      await mqtt.publishAsync(`${base}/humidity`, `${id},${at},41.00,${tick}`, { qos: 1 });
      await mqtt.publishAsync(`${base}/temperature`, `${id},${at},21.50,${tick}`, { qos: 1 });
    }
    return sentAt;
  }

  type Device = { deviceId: string; online: boolean; reportedOnline: boolean | null };
  /** The API's answer for a device, with the wall-clock interval the answer was made in. */
  async function ask(deviceId: string): Promise<{ before: number; after: number; device: Device }> {
    const before = Date.now();
    const { status, body } = await get(`/api/${ENV}/${TENANT_STALE}/devices/${deviceId}`);
    const after = Date.now();
    expect(status).toBe(200);
    return { before, after, device: body as Device };
  }

  it('shows a device online while it reports, and offline once nothing arrived from it for OFFLINE_AFTER_SECONDS', async () => {
    // Reporting: both devices listed, the quiet one online, the other offline as it says so itself.
    const listed = await waitFor(
      async () => {
        await publishStaleTick();
        const { status, body } = await get(`/api/${ENV}/${TENANT_STALE}/devices`);
        const items = status === 200 ? (body as { items: Device[] }).items : [];
        // listed with their state (a measurement can reach Redis before the device's state joins it)
        return items.length === 2 && items.every((d) => d.reportedOnline !== null) ? items : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 1000, what: `devices ${QUIET} and ${OFF} in the API` },
    );
    expect(listed.map((d) => [d.deviceId, d.online, d.reportedOnline])).toEqual([
      [OFF, false, false],
      [QUIET, true, true],
    ]);

    // Silence: the last tick is sent; wait until the device's state holds it (its measurement and its state).
    const lastTick = tick + 1;
    const lastSentAt = await publishStaleTick();
    const key = template('state').fill({ env: ENV, tenant: TENANT_STALE, device_id: QUIET })!;
    const receivedAt = await waitFor(
      async () => {
        const hash = await redis.hgetall(key);
        const stateAt = Number(hash.state_ingested_at);
        // when the platform received the device's latest message: what the API measures silence from
        return hash.seq === String(lastTick) && stateAt >= lastSentAt ? Math.max(stateAt, Number(hash.last_seen_ms)) : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250, what: `tick ${lastTick} of ${QUIET} in Redis (${key})` },
    );
    expect(receivedAt).toBeGreaterThanOrEqual(lastSentAt);

    // Online until OFFLINE_AFTER_SECONDS have passed since then, offline from then on; the device still reports
    // itself online: only the silence counts.
    const answers: Awaited<ReturnType<typeof ask>>[] = [];
    await waitFor(
      async () => {
        const answer = await ask(QUIET);
        answers.push(answer);
        return !answer.device.online;
      },
      { timeoutMs: receivedAt + OFFLINE_AFTER_MS + 30_000 - Date.now(), intervalMs: 500, what: `${QUIET} offline ${OFFLINE_AFTER_MS / 1000} s after its last message` },
    );
    const online = answers.filter((a) => a.device.online);
    const offline = answers.at(-1)!;
    expect(online.length).toBeGreaterThan(0); // it was seen online after its last message
    for (const a of online) expect(a.before - receivedAt, 'answered online after the threshold').toBeLessThanOrEqual(OFFLINE_AFTER_MS);
    expect(offline.after - receivedAt, 'answered offline before the threshold').toBeGreaterThan(OFFLINE_AFTER_MS);
    expect(offline.device).toMatchObject({ deviceId: QUIET, online: false, reportedOnline: true });
    expect((await ask(OFF)).device).toMatchObject({ deviceId: OFF, online: false, reportedOnline: false });
  }, OFFLINE_AFTER_MS + 420_000);
});
