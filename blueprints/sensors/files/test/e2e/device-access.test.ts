// Devices are confined by the broker: a device (or, with mqtt.credentials tenant, a tenant) publishing under
// another one's topic is refused by Mosquitto, and nothing of it reaches Kafka, not even the dead-letter topic;
// its own message right after goes through.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceConnections, identity } from 'create-iot-platform/mqtt-access';
import { deadLetterTopic } from 'create-iot-platform/service-kit';
import { manifest, mqttClient, runId, TopicRecorder, waitFor } from './helpers/index.ts';

const ENV = 'e2e';
const RUN = runId();
const T0 = '2026-01-15T10:00:00.000Z';
const spec = manifest();
const humidity = spec.events.humidity!.topic;
const dlq = deadLetterTopic(spec);
const byTenant = spec.mqtt.credentials === 'tenant';
const own = { tenant: `a-${RUN}`, deviceId: 'dev-1' };
// Another device of the same tenant, or with tenant credentials another tenant.
const other = byTenant ? { tenant: `b-${RUN}`, deviceId: 'dev-1' } : { tenant: own.tenant, deviceId: 'dev-2' };
const topic = (who: { tenant: string; deviceId: string }) => `${ENV}/${who.tenant}/sensors/${who.deviceId}/humidity`;

let devices: DeviceConnections;
let recorder: TopicRecorder;

beforeAll(async () => {
  recorder = await TopicRecorder.start([humidity, dlq]);
  devices = await mqttClient();
}, 60_000);

afterAll(async () => {
  await devices?.endAsync();
  await recorder?.stop();
});

describe('device access', () => {
  it("refuses a publish under another device's topic, and the pipeline sees nothing of it", async () => {
    const client = await devices.clientOf(identity(spec, own.tenant, byTenant ? undefined : own.deviceId));
    await expect(client.publishAsync(topic(other), `${other.deviceId},${T0},10.00,1`, { qos: 1 })).rejects.toThrow(/Not authorized/);
    await client.publishAsync(topic(own), `${own.deviceId},${T0},45.50,2`, { qos: 1 });

    const mine = await waitFor(() => {
      const found = recorder.json(humidity, (v) => v.tenant === own.tenant);
      return found.length > 0 ? found : undefined;
    }, { timeoutMs: 30_000, what: 'the own reading on Kafka' });
    expect(mine).toEqual([expect.objectContaining({ env: ENV, tenant: own.tenant, deviceId: own.deviceId, humidity: 45.5, seq: 2 })]);
    // The refused message was published first on the same connection: had it passed, it would be here by now.
    expect(recorder.json(humidity, (v) => v.tenant === other.tenant && v.deviceId === other.deviceId)).toEqual([]);
    expect(recorder.json(dlq, (v) => String(v.mqttTopic).includes(RUN))).toEqual([]);
  }, 60_000);
});
