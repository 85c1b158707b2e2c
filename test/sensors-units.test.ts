// Unit tests of the sensors blueprint's own modules, imported straight from its templates: the simulator's
// models and ids (every payload it makes passes the platform gateway's validation) and the API's time parsing.
import { describe, expect, it } from 'vitest';
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
import { RedisStateRepository } from '../blueprints/sensors/files/services/api/repositories/redis-state.ts';
import type { SensorKeys } from '../blueprints/sensors/files/services/api/repositories/keys.ts';
import { Ingest } from '../runtime/ingest-gateway/ingest.ts';
import type { OutRecord } from '../runtime/ingest-gateway/kafka-batcher.ts';
import { parseManifest, type EventDefinition } from '../runtime/service-kit/manifest.ts';
import { renderSensors } from './helpers/render.ts';

// The sensors manifest exactly as a generated repository holds it.
const manifestText = renderSensors().files.find((f) => f.path === 'iot-platform.yaml')!.content;
const manifest = parseManifest(manifestText);
const events = manifest.events as Record<string, EventDefinition>;
const context = { env: 'prod', tenant: 'tenant-1', deviceId: 'device-001' };
const T = '2026-05-01T12:00:00.000Z';

/** A Random that always returns fixed values: gauss → mu, uniform → a, randint → a. */
const fixed: Random = { next: () => 0.5, uniform: (a) => a, randint: (a) => a, gauss: (mu) => mu };

describe("API staleness rule (a device's online flag)", () => {
  const NOW = Date.parse(T);
  const repository = new RedisStateRepository({} as never, { keys: {} as SensorKeys, offlineAfterSeconds: 60, now: () => NOW });
  const state = (hash: Record<string, string>) => repository.toDeviceState('prod', 'tenant-1', 'device-001', hash);
  const iso = (ms: number) => new Date(ms).toISOString();

  it('is online while its latest message arrived at most OFFLINE_AFTER_SECONDS ago, offline a millisecond later', () => {
    const hash = { measured_at: iso(NOW - 61_000), online: 'true' };
    expect(state({ ...hash, last_seen_ms: String(NOW - 60_000) })).toMatchObject({ online: true, reportedOnline: true });
    expect(state({ ...hash, last_seen_ms: String(NOW - 60_001) })).toMatchObject({ online: false, reportedOnline: true });
    expect(state({ ...hash, state_ingested_at: String(NOW - 1000), last_seen_ms: String(NOW - 90_000) }).online).toBe(true);
  });

  it("goes by the platform's receive time: event times ahead of the wall clock do not keep a silent device online", () => {
    const ahead = iso(NOW + 86_400_000);
    const silent = state({ measured_at: ahead, state_event_time: ahead, online: 'true', last_seen_ms: String(NOW - 61_000) });
    expect(silent).toMatchObject({ online: false, lastSeenAt: ahead, lastSeenMs: NOW + 86_400_000 });
  });

  it('is offline while reporting itself offline, however recent; without a receive time, the latest event time counts', () => {
    expect(state({ online: 'false', last_seen_ms: String(NOW) })).toMatchObject({ online: false, reportedOnline: false });
    expect(state({ measured_at: iso(NOW - 30_000) })).toMatchObject({ online: true, reportedOnline: null });
    expect(state({ measured_at: iso(NOW - 61_000) }).online).toBe(false);
    expect(state({}).online).toBe(false);
  });
});

describe('API time parsing', () => {
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
        const queued: OutRecord[] = [];
        new Ingest(events, 'sensors.dlq', (r) => queued.push(r)).accept({ event: kind, source: 'mqtt', origin: kind, payload: Buffer.from(payload), context, receivedAt: 0 });
        expect(queued.map((r) => r.topic), `${kind}: ${payload}: ${queued[0]?.value}`).toEqual([events[kind]!.topic]);
        if (kind === 'state' && JSON.parse(queued[0]!.value).online === false) offline += 1;
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
});
