// The gateway's path from payload to Kafka record: topic patterns, decoding, validation, dead letters.
import { describe, expect, it } from 'vitest';
import { renderSensors } from '../../test/helpers/render.ts';
import { parseManifest, type EventDefinition } from '../service-kit/manifest.ts';
import { deadLetter } from './dead-letter.ts';
import { Ingest } from './ingest.ts';
import type { OutRecord } from './kafka-batcher.ts';
import { compilePattern, TopicRouter } from './mqtt-topics.ts';
import { convertField } from './validate.ts';

const manifest = parseManifest(renderSensors().files.find((f) => f.path === 'iot-platform.yaml')!.content);
const events = manifest.events as Record<string, EventDefinition>;
const context = { env: 'prod', tenant: 'tenant-1', deviceId: 'device-001' };
const T = '2026-05-01T12:00:00.000Z';

type Parsed = { ok: true; key: string | null; value: Record<string, unknown> } | { ok: false; reason: string };

/** One payload through the gateway's ingest path; what it queued for Kafka, as a result. */
function parseMessage(event: EventDefinition, text: string, ctx: Record<string, string>, at = Date.now()): Parsed {
  const queued: OutRecord[] = [];
  const ingest = new Ingest({ e: event }, 'sensors.dlq', (r) => queued.push(r));
  ingest.accept({ event: 'e', source: 'mqtt', origin: 'prod/tenant-1/sensors/device-001/e', payload: Buffer.from(text), context: ctx, receivedAt: at });
  expect(queued).toHaveLength(1);
  const record = queued[0]!;
  const value = JSON.parse(record.value) as Record<string, unknown>;
  if (record.topic === 'sensors.dlq') return { ok: false, reason: String(value.reason).replace(/^e: /, '') };
  expect(record.topic).toBe(event.topic);
  return { ok: true, key: record.key, value };
}

describe('MQTT topic patterns', () => {
  it('turns placeholders into + and captures them', () => {
    const p = compilePattern('{env}/{tenant}/sensors/{deviceId}/humidity');
    expect(p.filter).toBe('+/+/sensors/+/humidity');
    expect(p.names).toEqual(['env', 'tenant', 'deviceId']);
    expect(p.match('prod/tenant-1/sensors/device-001/humidity')).toEqual(context);
    expect(p.match('prod/tenant-1/sensors/device-001/temperature')).toBeUndefined();
    expect(p.match('prod/tenant-1/sensors/a/b/humidity')).toBeUndefined();
    expect(p.match('prod/tenant-1/other/device-001/humidity')).toBeUndefined();
  });

  it('supports placeholders inside a segment and literal regex characters', () => {
    const p = compilePattern('site.{site}/dev-{id}+x');
    expect(p.filter).toBe('+/+');
    expect(p.match('site.a/dev-42+x')).toEqual({ site: 'a', id: '42' });
    expect(p.match('siteXa/dev-42+x')).toBeUndefined();
  });

  it('routes every event of the manifest by its pattern', () => {
    const router = new TopicRouter<string>();
    for (const [name, e] of Object.entries(events)) router.add((e.source as { mqtt: string }).mqtt, name);
    expect(router.filters()).toEqual(['+/+/sensors/+/humidity', '+/+/sensors/+/temperature', '+/+/sensors/+/location', '+/+/sensors/+/state']);
    expect(router.resolve('dev/t/sensors/d/state')).toEqual({ target: 'state', context: { env: 'dev', tenant: 't', deviceId: 'd' } });
    expect(router.resolve('dev/t/devices/d/ack')).toBeUndefined();
  });
});

describe('message parsing and validation', () => {
  it('counts the records Kafka acknowledged per event, also for events named like the gateway\'s own records', () => {
    const queued: OutRecord[] = [];
    const ingest = new Ingest({ state: events.state!, dlq: { ...events.state!, topic: 'sensors.dlq-event.v1' } }, 'sensors.dlq', (r) => queued.push(r));
    for (const event of ['state', 'dlq']) {
      ingest.accept({ event, source: 'mqtt', origin: `prod/tenant-1/sensors/device-001/${event}`, payload: Buffer.from(`device-001,${T},-70,9.5,88,true`), context, receivedAt: 0 });
    }
    ingest.accept({ event: 'state', source: 'mqtt', origin: 'prod/tenant-1/sensors/device-001/state', payload: Buffer.from('bad'), context, receivedAt: 0 });
    expect(queued.map((r) => r.label)).toEqual(['state', 'dlq', '#dlq']);
    for (const r of queued) ingest.onSent(r.label, 1);
    expect(ingest.counters).toEqual({ state: { received: 2, produced: 1, deadLettered: 1 }, dlq: { received: 1, produced: 1, deadLettered: 0 } });
    expect(ingest.deadLetterProduced).toBe(1);
  });

  it('queues gate state once per interval, each key\'s newest value, and the rest at flushState', async () => {
    const queued: OutRecord[] = [];
    const ingest = new Ingest({}, 'transport.dlq', (r) => queued.push(r), 'transport.ingest-gateway.state', 40);
    ingest.queueState('vehicle_positions', [['feed', 1000], ['vehicle:v1', 990]]);
    ingest.queueState('vehicle_positions', [['feed', 1010], ['vehicle:v2', 1005]]);
    expect(queued).toEqual([]);
    const deadline = Date.now() + 5000;
    while (queued.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(queued.map((r) => [r.key, r.value, r.topic, r.label])).toEqual([
      ['vehicle_positions|feed', '1010', 'transport.ingest-gateway.state', '#state'],
      ['vehicle_positions|vehicle:v1', '990', 'transport.ingest-gateway.state', '#state'],
      ['vehicle_positions|vehicle:v2', '1005', 'transport.ingest-gateway.state', '#state'],
    ]);
    ingest.queueState('vehicle_positions', [['vehicle:v1', 1020]]);
    ingest.flushState();
    expect(queued.slice(3).map((r) => [r.key, r.value])).toEqual([['vehicle_positions|vehicle:v1', '1020']]);
    const atOnce = new Ingest({}, 'transport.dlq', (r) => queued.push(r), 'transport.ingest-gateway.state');
    atOnce.queueState('vehicle_positions', [['feed', 1030]]);
    expect(queued.slice(4).map((r) => [r.key, r.value])).toEqual([['vehicle_positions|feed', '1030']]);
  });

  it('parses the four CSV payloads of the v2 emulator into the Kafka JSON', () => {
    const at = 1_700_000_000_000;
    const h = parseMessage(events.humidity!, `device-001,${T},45.50,17`, context, at);
    expect(h).toEqual({
      ok: true,
      key: 'prod|tenant-1|device-001',
      value: { ...context, eventTime: T, humidity: 45.5, seq: 17, ingestedAt: at },
    });
    if (h.ok) {
      expect(JSON.stringify(h.value)).toBe(
        `{"env":"prod","tenant":"tenant-1","deviceId":"device-001","eventTime":"${T}","humidity":45.5,"seq":17,"ingestedAt":${at}}`,
      );
    }
    expect(parseMessage(events.temperature!, `device-001,${T},-12.34,1`, context, at)).toMatchObject({ ok: true, value: { temperature: -12.34, seq: 1 } });
    expect(parseMessage(events.location!, `device-001,${T},54.843300,83.093100`, context, at)).toMatchObject({
      ok: true,
      value: { lat: 54.8433, lon: 83.0931 },
    });
    for (const [text, online] of [['True', true], ['False', false], ['true', true], ['false', false], ['1', true], ['0', false]] as const) {
      expect(parseMessage(events.state!, `device-001,${T},-71,4.50,99.9,${text}`, context, at)).toMatchObject({
        ok: true,
        value: { rssi: -71, snr: 4.5, battery: 99.9, online },
      });
    }
  });

  it('normalises timestamps to ISO-8601 UTC with milliseconds', () => {
    expect(parseMessage(events.humidity!, 'device-001,2026-05-01T14:00:00+02:00,50,1', context)).toMatchObject({ value: { eventTime: T } });
    expect(parseMessage(events.humidity!, 'device-001,2026-05-01T12:00:00.000123Z,50,1', context)).toMatchObject({ value: { eventTime: T } });
  });

  it.each([
    ['wrong column count', 'humidity', `device-001,${T},45.50`, /expected 4 CSV columns \(deviceId,eventTime,humidity,seq\), got 3/],
    ['padding column of the demo emulator', 'humidity', `device-001,${T},45.50,1,XXXX`, /expected 4 CSV columns/],
    ['above max', 'humidity', `device-001,${T},100.01,1`, /humidity = 100.01 is above the maximum 100/],
    ['below min', 'humidity', `device-001,${T},-1,1`, /below the minimum 0/],
    ['not a number', 'humidity', `device-001,${T},NaN,1`, /humidity must be a number/],
    ['seq not an integer', 'humidity', `device-001,${T},45,1.5`, /seq must be an integer/],
    ['negative seq', 'humidity', `device-001,${T},45,-1`, /seq = -1 is below the minimum 0/],
    ['empty field', 'humidity', `device-001,${T},,1`, /field humidity is missing/],
    ['timestamp without zone', 'humidity', 'device-001,2026-05-01T12:00:00,45,1', /eventTime must be an ISO-8601 timestamp/],
    ['garbage timestamp', 'humidity', 'device-001,yesterday,45,1', /eventTime must be an ISO-8601/],
    ['device id differs from the topic', 'humidity', `device-002,${T},45,1`, /deviceId = "device-002" does not match the topic's deviceId "device-001"/],
    ['bad boolean', 'state', `device-001,${T},-70,1.0,50.0,yes`, /online must be a boolean/],
    ['int out of range', 'state', `device-001,${T},-201,1.0,50.0,True`, /rssi = -201 is below the minimum -200/],
    ['rssi not integer', 'state', `device-001,${T},-70.5,1.0,50.0,True`, /rssi must be an integer/],
  ])('rejects %s', (_name, event, payload, reason) => {
    const result = parseMessage(events[event]!, payload, context);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('parses JSON payloads by field name', () => {
    const json: EventDefinition = { ...events.humidity!, format: 'json' };
    expect(parseMessage(json, JSON.stringify({ deviceId: 'device-001', eventTime: Date.parse(T), humidity: 40, seq: 2, extra: 1 }), context, 5)).toEqual({
      ok: true,
      key: 'prod|tenant-1|device-001',
      value: { ...context, eventTime: T, humidity: 40, seq: 2, ingestedAt: 5 },
    });
    expect(parseMessage(json, '[1,2]', context)).toEqual({ ok: false, reason: 'JSON payload must be an object' });
    expect(parseMessage(json, '{', context)).toEqual({ ok: false, reason: 'payload is not valid JSON' });
    expect(parseMessage(json, '{"deviceId":"device-001"}', context)).toMatchObject({ ok: false, reason: 'field eventTime is missing' });
  });

  it('converts each field type', () => {
    expect(convertField({ name: 'n', type: 'long' }, '9007199254740991')).toBe(9007199254740991);
    expect(() => convertField({ name: 'n', type: 'long' }, '9007199254740993')).toThrow(/integer/);
    expect(() => convertField({ name: 'n', type: 'int' }, '2147483648')).toThrow(/int range/);
    expect(convertField({ name: 'b', type: 'boolean' }, 'FALSE')).toBe(false);
    expect(convertField({ name: 's', type: 'string' }, 'x,y')).toBe('x,y');
    expect(convertField({ name: 'd', type: 'double' }, '1e3')).toBe(1000);
    expect(() => convertField({ name: 'd', type: 'double' }, 'Infinity')).toThrow(/number/);
  });
});

describe('dead letters', () => {
  it('keeps UTF-8 payloads as text and others as base64', () => {
    expect(deadLetter('bad', 'mqtt', 'a/b', Buffer.from('x,y'), 7)).toEqual({
      reason: 'bad',
      source: 'mqtt',
      mqttTopic: 'a/b',
      rawPayload: 'x,y',
      receivedAt: 7,
    });
    const bytes = Buffer.from([0xff, 0x00, 0xc3]);
    expect(deadLetter('bad', 'mqtt', 'a/b', bytes, 7)).toMatchObject({ rawPayload: bytes.toString('base64'), encoding: 'base64' });
  });
});

