// Unit tests of the pure runtime modules that generated repositories run, imported straight from the
// blueprint templates: MQTT topic patterns, CSV/JSON parsing and validation, dead letters, the Kafka
// batcher, Redis key templates and batch reduction, pagination, and the simulator's models and ids.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compilePattern, TopicRouter } from '../blueprints/base/files/services/ingest-gateway/mqtt-topics.ts';
import { convertField, parseMessage } from '../blueprints/base/files/services/ingest-gateway/parse.ts';
import { deadLetter } from '../blueprints/base/files/services/ingest-gateway/dead-letter.ts';
import { KafkaBatcher, type BatchSender } from '../blueprints/base/files/services/ingest-gateway/kafka-batcher.ts';
import { compileKeyTemplate, toHashFields } from '../blueprints/base/files/services/redis-sink/key-template.ts';
import { reduceBatch, sinkRoute } from '../blueprints/base/files/services/redis-sink/materialize.ts';
import { deadLetterTopic, parseManifest, type EventDefinition } from '../blueprints/base/files/services/lib/manifest.ts';
import { paginate, encodeCursor } from '../blueprints/base/files/services/api/kit/pagination.ts';
import { apiKeyMatches, isPublicPath } from '../blueprints/base/files/services/api/kit/auth.ts';
import { deviceIds, readSimulatorConfig } from '../blueprints/sensors/files/simulator/config.ts';
import {
  baseLocation,
  dayOfYear,
  humidityAt,
  MONTHLY_HUMIDITY,
  payloads,
  SimulatedDevice,
  temperatureAt,
} from '../blueprints/sensors/files/simulator/models.ts';
import { createRandom, type Random } from '../blueprints/sensors/files/simulator/random.ts';
import { parseTime } from '../blueprints/sensors/files/services/api/repositories/fields.ts';
import { renderSensors } from './helpers/render.ts';

// The sensors manifest exactly as a generated repository holds it.
const manifestText = renderSensors().files.find((f) => f.path === 'iot-platform.yaml')!.content;
const manifest = parseManifest(manifestText);
const events = manifest.events as Record<string, EventDefinition>;
const context = { env: 'prod', tenant: 'tenant-1', deviceId: 'device-001' };
const T = '2026-05-01T12:00:00.000Z';

/** A Random that always returns fixed values: gauss → mu, uniform → a, randint → a. */
const fixed: Random = { next: () => 0.5, uniform: (a) => a, randint: (a) => a, gauss: (mu) => mu };

describe('runtime manifest', () => {
  it('loads the generated iot-platform.yaml and finds the dead-letter topic', () => {
    expect(Object.keys(events)).toEqual(['humidity', 'temperature', 'location', 'state']);
    expect(deadLetterTopic(manifest)).toBe('sensors.dlq');
    expect(manifest.sinks.redis.map((s) => s.topic)).toContain('sensors.device-state');
  });

  it('derives <prefix>.dlq when no topic ends with .dlq, and names the field on errors', () => {
    expect(deadLetterTopic({ ...manifest, topics: [] })).toBe('sensors.dlq');
    expect(() => parseManifest('project: {name: x}\nevents: {a: {format: xml}}', 'm.yaml')).toThrow(/^m\.yaml: events\.a\./);
  });
});

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
    for (const [name, e] of Object.entries(events)) router.add(e.source.mqtt!, name);
    expect(router.filters()).toEqual(['+/+/sensors/+/humidity', '+/+/sensors/+/temperature', '+/+/sensors/+/location', '+/+/sensors/+/state']);
    expect(router.resolve('dev/t/sensors/d/state')).toEqual({ target: 'state', context: { env: 'dev', tenant: 't', deviceId: 'd' } });
    expect(router.resolve('dev/t/devices/d/ack')).toBeUndefined();
  });
});

describe('message parsing and validation', () => {
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

describe('Kafka batcher', () => {
  it('sends queued records in batches grouped by topic and counts them per label', async () => {
    const batches: { topic: string; count: number }[][] = [];
    const sender: BatchSender = {
      sendBatch: async ({ topicMessages }) => {
        batches.push(topicMessages.map((t) => ({ topic: t.topic, count: t.messages.length })));
      },
    };
    const sent: Record<string, number> = {};
    const batcher = new KafkaBatcher(sender, { maxBatch: 3, lingerMs: 1, onSent: (l, n) => (sent[l] = (sent[l] ?? 0) + n) });
    for (let i = 0; i < 7; i++) batcher.enqueue({ topic: i % 2 ? 'a' : 'b', key: String(i), value: '{}', label: i % 2 ? 'x' : 'y' });
    await batcher.flush();
    expect(batches.flat().reduce((n, b) => n + b.count, 0)).toBe(7);
    expect(batches.every((b) => b.reduce((n, t) => n + t.count, 0) <= 3)).toBe(true);
    expect(sent).toEqual({ x: 3, y: 4 });
    expect(batcher.pending).toBe(0);
  });

  it('retries a failed batch without losing or reordering records', async () => {
    const values: string[] = [];
    let failures = 1;
    const sender: BatchSender = {
      sendBatch: async ({ topicMessages }) => {
        if (failures-- > 0) throw new Error('broker down');
        for (const t of topicMessages) values.push(...t.messages.map((m) => m.value));
      },
    };
    const errors: number[] = [];
    const batcher = new KafkaBatcher(sender, { maxBatch: 2, lingerMs: 1, retryDelayMs: 1, onError: (_e, n) => errors.push(n) });
    for (const v of ['1', '2', '3']) batcher.enqueue({ topic: 't', key: null, value: v, label: 'e' });
    await batcher.flush();
    expect(values).toEqual(['1', '2', '3']);
    expect(errors).toEqual([2]);
  });

  it('signals back-pressure above the high-water mark and releases it when drained', async () => {
    const pressure: boolean[] = [];
    const batcher = new KafkaBatcher({ sendBatch: async () => undefined }, { maxBatch: 100, lingerMs: 50, highWater: 4, onPressure: (p) => pressure.push(p) });
    for (let i = 0; i < 5; i++) batcher.enqueue({ topic: 't', key: null, value: '', label: 'e' });
    expect(pressure).toEqual([true]);
    await batcher.flush();
    expect(pressure).toEqual([true, false]);
  });
});

describe('Redis key templates and batch reduction', () => {
  const state = compileKeyTemplate('sensors:{env}:{tenant}:device:{device_id}:state');

  it('fills, scans and parses keys', () => {
    expect(state.names).toEqual(['env', 'tenant', 'device_id']);
    expect(state.fill({ env: 'prod', tenant: 't1', device_id: 'd-1', humidity: 3 })).toBe('sensors:prod:t1:device:d-1:state');
    expect(state.fill({ env: 'prod', tenant: 't1' })).toBeUndefined();
    expect(state.fill({ env: 'prod', tenant: 't1', device_id: '' })).toBeUndefined();
    expect(state.scanPattern({ env: 'prod', tenant: 't*1' })).toBe('sensors:prod:t\\*1:device:*:state');
    expect(state.parse('sensors:prod:t1:device:d:1:state')).toEqual({ env: 'prod', tenant: 't1', device_id: 'd:1' });
    expect(state.parse('sensors:prod:t1:device:d1:drought')).toBeUndefined();
    expect(compileKeyTemplate('sensors:{env}:{tenant}:summary:recent').fill({ env: 'e', tenant: 't' })).toBe('sensors:e:t:summary:recent');
  });

  it('stringifies every non-null JSON field', () => {
    expect(toHashFields({ a: 1.5, b: true, c: 'x', d: null, e: { f: 1 } })).toEqual({ a: '1.5', b: 'true', c: 'x', e: '{"f":1}' });
  });

  it('keeps only the final value per key; tombstones delete; ttl carried', () => {
    const route = sinkRoute({ topic: 'sensors.device-state', key: 'sensors:{env}:{tenant}:device:{device_id}:state', ttlSeconds: 60 });
    const key = (d: string) => JSON.stringify({ env: 'e', tenant: 't', device_id: d });
    const value = (d: string, h: number) => JSON.stringify({ env: 'e', tenant: 't', device_id: d, humidity: h });
    const { operations, skipped } = reduceBatch(route, [
      { key: key('a'), value: value('a', 1) },
      { key: key('b'), value: value('b', 2) },
      { key: key('a'), value: value('a', 3) },
      { key: key('c'), value: value('c', 4) },
      { key: key('c'), value: null },
      { key: 'not json', value: null },
      { key: key('d'), value: 'not json' },
    ]);
    expect(skipped).toBe(2);
    expect(operations).toEqual([
      { op: 'set', key: 'sensors:e:t:device:b:state', fields: { env: 'e', tenant: 't', device_id: 'b', humidity: '2' }, ttlSeconds: 60 },
      { op: 'set', key: 'sensors:e:t:device:a:state', fields: { env: 'e', tenant: 't', device_id: 'a', humidity: '3' }, ttlSeconds: 60 },
      { op: 'del', key: 'sensors:e:t:device:c:state' },
    ]);
  });
});

describe('API kit helpers', () => {
  it('paginates by sort key with opaque cursors', () => {
    const items = ['d', 'a', 'c', 'b', 'e'];
    const first = paginate(items, (x) => x, { limit: 2 });
    expect(first).toEqual({ items: ['a', 'b'], nextCursor: encodeCursor('b') });
    const second = paginate(items, (x) => x, { limit: 2, cursor: first.nextCursor! });
    expect(second.items).toEqual(['c', 'd']);
    expect(paginate(items, (x) => x, { limit: 2, cursor: second.nextCursor! })).toEqual({ items: ['e'], nextCursor: null });
    expect(() => paginate(items, (x) => x, { limit: 2, cursor: '***' })).toThrow(/cursor is not valid/);
  });

  it('compares API keys and knows the public paths', () => {
    expect(apiKeyMatches('secret', 'secret')).toBe(true);
    expect(apiKeyMatches('secret', 'secreT')).toBe(false);
    expect(apiKeyMatches('secret', undefined)).toBe(false);
    expect(apiKeyMatches('secret', '')).toBe(false);
    expect(['/healthz', '/readyz?x=1', '/docs', '/docs/json'].every(isPublicPath)).toBe(true);
    expect(['/api/e/t/devices', '/docsx', '/healthz/x'].some(isPublicPath)).toBe(false);
  });

  it('reads the timestamp forms Flink and the demo wrote', () => {
    expect(parseTime('1700000000')).toBe(1_700_000_000_000);
    expect(parseTime('1700000000123')).toBe(1_700_000_000_123);
    expect(parseTime('2026-05-01 12:00:00.000')).toBe(Date.parse(T));
    expect(parseTime('2026-05-01T14:00:00+02:00')).toBe(Date.parse(T));
    expect(parseTime('nonsense')).toBeNull();
  });
});

describe('simulator', () => {
  it('builds device ids with the demo padding rule', () => {
    expect(deviceIds({})).toEqual(['device-001', 'device-002', 'device-003', 'device-004', 'device-005']);
    expect(deviceIds({ DEVICE_COUNT: '1000', DEVICE_PREFIX: 's' }).slice(0, 2)).toEqual(['s0001', 's0002']);
    expect(deviceIds({ DEVICE_COUNT: '1000' }).at(-1)).toBe('device-1000');
    expect(deviceIds({ DEVICE_COUNT: '12' }).at(-1)).toBe('device-012');
    expect(deviceIds({ DEVICES: ' a, b ,,c', DEVICE_COUNT: '9' })).toEqual(['a', 'b', 'c']);
  });

  it('reads the demo defaults', () => {
    const c = readSimulatorConfig({});
    expect(c).toMatchObject({
      mqttUrl: 'mqtt://localhost:1883',
      environments: ['dev'],
      tenants: ['tenant-a'],
      drynessLevel: 0,
      realtimeIntervalSec: 60,
      backfillEnabled: true,
      backfillFromYear: 2020,
      backfillIntervalSec: 60,
      baseLat: 54.8433,
      baseLon: 83.0931,
      uselessPayloadBytes: 0,
      offlineProbability: 0,
      rate: 0,
      clientId: 'sensor-emulator',
    });
    expect(readSimulatorConfig({ MQTT_HOST: 'broker', MQTT_PORT: '1884', BACKFILL_ENABLED: 'false' })).toMatchObject({
      mqttUrl: 'mqtt://broker:1884',
      backfillEnabled: false,
    });
    expect(() => readSimulatorConfig({ OFFLINE_PROBABILITY: '2' })).toThrow(/OFFLINE_PROBABILITY/);
  });

  it('places devices by the sha1 rule of the demo (values computed with Python)', () => {
    const a = baseLocation('device-001', 54.8433, 83.0931);
    expect(a.lat).toBeCloseTo(54.84404883649958, 12);
    expect(a.lon).toBeCloseTo(83.09417530327306, 12);
    const b = baseLocation('sensor-42', 54.8433, 83.0931);
    expect(b.lat).toBeCloseTo(54.845703067063404, 12);
    expect(b.lon).toBeCloseTo(83.09361895933472, 12);
  });

  it('models temperature by season and humidity by month minus dryness', () => {
    expect(dayOfYear(new Date('2026-01-01T23:59:00Z'))).toBe(1);
    expect(dayOfYear(new Date('2024-12-31T00:00:00Z'))).toBe(366);
    // doy − 1 − 200 = 0 → sin 0 = 0 → 5 °C exactly without noise
    expect(temperatureAt(new Date(Date.UTC(2026, 0, 201)), fixed)).toBeCloseTo(5, 10);
    expect(humidityAt(new Date('2026-01-15T00:00:00Z'), 0, fixed)).toBe(88);
    expect(humidityAt(new Date('2026-05-15T00:00:00Z'), 36, fixed)).toBe(22);
    expect(humidityAt(new Date('2026-05-15T00:00:00Z'), 90, fixed)).toBe(0);
    expect(MONTHLY_HUMIDITY).toHaveLength(12);
  });

  it('ticks: seq increments, battery drains within [0, 100], CSV payloads as the v2 emulator', () => {
    const device = new SimulatedDevice('device-001', { drynessLevel: 0, baseLat: 54.8433, baseLon: 83.0931, offlineProbability: 0 });
    const drain: Random = { ...fixed, uniform: (a, b) => (a === 0 ? 0.05 : (a + b) / 2) };
    const time = new Date(T);
    const first = device.tick(time, drain);
    const second = device.tick(time, drain);
    expect([first.seq, second.seq]).toEqual([1, 2]);
    expect(second.battery).toBeCloseTo(99.9, 10);
    expect(payloads(second)).toEqual([
      { kind: 'humidity', payload: `device-001,${T},58.00,2` },
      { kind: 'temperature', payload: `device-001,${T},${second.temperature.toFixed(2)},2` },
      { kind: 'location', payload: 'device-001,2026-05-01T12:00:00.000Z,54.844049,83.094175' },
      { kind: 'state', payload: `device-001,${T},-100,0.00,99.9,True` },
    ]);
    for (let i = 0; i < 5000; i++) device.tick(time, drain);
    expect(device.battery).toBe(0);
  });

  it('every payload it produces passes the gateway validation', () => {
    const random = createRandom('units');
    const device = new SimulatedDevice('device-001', { drynessLevel: 36, baseLat: 54.8433, baseLon: 83.0931, offlineProbability: 0.5 });
    let offline = 0;
    for (let i = 0; i < 500; i++) {
      for (const { kind, payload } of payloads(device.tick(new Date(Date.UTC(2026, i % 12, 1 + (i % 28))), random))) {
        const result = parseMessage(events[kind]!, payload, context);
        expect(result.ok, `${kind}: ${payload}: ${result.ok ? '' : result.reason}`).toBe(true);
        if (result.ok && kind === 'state' && result.value.online === false) offline += 1;
      }
    }
    expect(offline).toBeGreaterThan(150);
    expect(offline).toBeLessThan(350);
  });

  it('is deterministic with a seed', () => {
    const run = (seed: string) => {
      const random = createRandom(seed);
      const device = new SimulatedDevice('d', { drynessLevel: 0, baseLat: 0, baseLon: 0, offlineProbability: 0 });
      return Array.from({ length: 3 }, () => payloads(device.tick(new Date(T), random)).map((p) => p.payload)).flat();
    };
    expect(run('42')).toEqual(run('42'));
    expect(run('42')).not.toEqual(run('43'));
  });

  it('documents the padding fix in the simulator', () => {
    const main = readFileSync(new URL('../blueprints/sensors/files/simulator/main.ts', import.meta.url), 'utf8');
    expect(main).toMatch(/USELESS_PAYLOAD_BYTES padding travels as an MQTT v5 user property/);
  });
});
