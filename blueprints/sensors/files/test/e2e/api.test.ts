// The API against a running stack: authentication is required, and devices published over MQTT show up
// in the devices list once Flink and the Redis sink have processed them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { env, eventClock, mqttClient, pgPool, runId, waitFor } from './helpers/index.ts';

const ENV = 'e2e';
const TENANT = `api-${runId()}`;
const DEVICES = ['dev-001', 'dev-002'];
let mqtt: MqttClient;
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
  const pool = pgPool();
  clockStart = await eventClock(pool).finally(() => pool.end());
  wallStart = Date.now();
}, 30_000);

afterAll(async () => {
  await mqtt?.endAsync();
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
