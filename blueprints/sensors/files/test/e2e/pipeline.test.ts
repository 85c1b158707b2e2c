// MQTT → ingest gateway → Kafka: a small deterministic set of messages arrives on the event topics as
// exact JSON records, and malformed messages land in the dead-letter topic with the reason, while the
// good ones pass.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceConnections } from 'create-iot-platform/mqtt-access';
import { deadLetterTopic } from 'create-iot-platform/service-kit';
import { manifest, mqttClient, runId, TopicRecorder, waitFor } from './helpers/index.ts';

const ENV = 'e2e';
const TENANT = `t-${runId()}`;
const T0 = '2026-01-15T10:00:00.000Z';
const topic = (device: string, kind: string) => `${ENV}/${TENANT}/sensors/${device}/${kind}`;

const spec = manifest();
const topics = Object.fromEntries(Object.entries(spec.events).map(([name, e]) => [name, e.topic])) as Record<string, string>;
const dlq = deadLetterTopic(spec);

let mqtt: DeviceConnections;
let recorder: TopicRecorder;

beforeAll(async () => {
  recorder = await TopicRecorder.start([...Object.values(topics), dlq]);
  mqtt = await mqttClient();
}, 60_000);

afterAll(async () => {
  await mqtt?.endAsync();
  await recorder?.stop();
});

const mine = (v: Record<string, unknown>) => v.tenant === TENANT;
/** Records of this run on an event topic, by device (partitions do not keep order across keys). */
const records = (topic: string) => recorder.json(topic, mine).sort((a, b) => String(a.deviceId).localeCompare(String(b.deviceId)));
const mineDlq = (v: Record<string, unknown>) => String(v.mqttTopic).includes(`/${TENANT}/`);

describe('ingest gateway', () => {
  it('writes valid CSV messages to the event topics as exact JSON', async () => {
    const good: [string, string, string][] = [
      ['dev-a', 'humidity', `dev-a,${T0},45.50,1`],
      ['dev-a', 'temperature', `dev-a,${T0},-3.25,1`],
      ['dev-a', 'location', `dev-a,${T0},54.843300,83.093100`],
      ['dev-a', 'state', `dev-a,${T0},-71,4.50,99.9,True`],
      ['dev-b', 'humidity', `dev-b,${T0},100.00,7`],
      ['dev-b', 'state', `dev-b,${T0},-50,-9.99,0.0,false`],
    ];
    for (const [device, kind, payload] of good) await mqtt.publishAsync(topic(device, kind), payload, { qos: 1 });

    const base = { env: ENV, tenant: TENANT, eventTime: T0, ingestedAt: expect.any(Number) };
    await waitFor(() => recorder.json(topics.humidity!, mine).length === 2 && recorder.json(topics.state!, mine).length === 2, {
      timeoutMs: 30_000,
      what: 'records on the event topics',
    });
    expect(records(topics.humidity!)).toEqual([
      { ...base, deviceId: 'dev-a', humidity: 45.5, seq: 1 },
      { ...base, deviceId: 'dev-b', humidity: 100, seq: 7 },
    ]);
    await waitFor(() => recorder.json(topics.temperature!, mine).length === 1 && recorder.json(topics.location!, mine).length === 1, {
      timeoutMs: 30_000,
      what: 'temperature and location records',
    });
    expect(records(topics.temperature!)).toEqual([{ ...base, deviceId: 'dev-a', temperature: -3.25, seq: 1 }]);
    expect(records(topics.location!)).toEqual([{ ...base, deviceId: 'dev-a', lat: 54.8433, lon: 83.0931 }]);
    expect(records(topics.state!)).toEqual([
      { ...base, deviceId: 'dev-a', rssi: -71, snr: 4.5, battery: 99.9, online: true },
      { ...base, deviceId: 'dev-b', rssi: -50, snr: -9.99, battery: 0, online: false },
    ]);
    // Exact JSON text: field order env, tenant, deviceId, eventTime, <fields>, ingestedAt; key env|tenant|deviceId.
    // (dev-a's record: records of different devices may arrive in any order across partitions)
    const raw = recorder.records.find((r) => r.topic === topics.humidity && r.key === `${ENV}|${TENANT}|dev-a`)!;
    expect(raw, "dev-a's humidity record").toBeDefined();
    expect(raw.value).toMatch(
      new RegExp(`^\\{"env":"${ENV}","tenant":"${TENANT}","deviceId":"dev-a","eventTime":"${T0}","humidity":45.5,"seq":1,"ingestedAt":\\d+\\}$`),
    );
  }, 60_000);

  it('sends malformed messages to the dead-letter topic with the reason, and lets good ones pass', async () => {
    const bad: [string, string | Buffer, RegExp][] = [
      [topic('dev-c', 'humidity'), `dev-c,${T0},45.50`, /expected 4 CSV columns/],
      [topic('dev-c', 'humidity'), `dev-c,${T0},150.00,2`, /humidity = 150 is above the maximum 100/],
      [topic('dev-c', 'humidity'), `dev-x,${T0},40.00,3`, /does not match the topic's deviceId/],
      [topic('dev-c', 'temperature'), `dev-c,yesterday,20.00,4`, /eventTime must be an ISO-8601 timestamp/],
      [topic('dev-c', 'state'), `dev-c,${T0},-70,1.00,50.0,maybe`, /online must be a boolean/],
      [topic('dev-c', 'humidity'), Buffer.from([0xff, 0xfe, 0x00, 0x41]), /not valid UTF-8/],
    ];
    for (const [t, payload] of bad) await mqtt.publishAsync(t, payload, { qos: 1 });
    await mqtt.publishAsync(topic('dev-c', 'humidity'), `dev-c,${T0},12.34,5`, { qos: 1 });

    const letters = await waitFor(() => {
      const found = recorder.json(dlq, mineDlq);
      return found.length >= bad.length ? found : undefined;
    }, { timeoutMs: 30_000, what: `${bad.length} dead letters on ${dlq}` });
    expect(letters).toHaveLength(bad.length);
    for (const [t, payload, reason] of bad) {
      const raw = Buffer.isBuffer(payload) ? payload.toString('base64') : payload;
      const letter = letters.find((l) => l.rawPayload === raw && l.mqttTopic === t);
      expect(letter, `dead letter for ${raw}`).toBeDefined();
      if (!letter) continue;
      expect(letter).toMatchObject({ source: 'mqtt', mqttTopic: t, receivedAt: expect.any(Number) });
      expect(String(letter.reason)).toMatch(reason);
      if (Buffer.isBuffer(payload)) expect(letter).toMatchObject({ encoding: 'base64', rawPayload: payload.toString('base64') });
      else expect(letter.rawPayload).toBe(payload);
    }
    const passed = await waitFor(() => recorder.json(topics.humidity!, (v) => mine(v) && v.deviceId === 'dev-c').at(0), {
      timeoutMs: 30_000,
      what: 'the good dev-c humidity record',
    });
    expect(passed).toMatchObject({ deviceId: 'dev-c', humidity: 12.34, seq: 5 });
  }, 60_000);
});
