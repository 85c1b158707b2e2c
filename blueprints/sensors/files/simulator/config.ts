// Simulator settings from the environment, with the defaults of the prior demo's v2 emulator.
export interface SimulatorConfig {
  mqttUrl: string;
  /** MQTT_DEVICE_KEY: each simulated device connects as itself with the password derived from it. */
  deviceKey: string;
  /** MQTT_ADMIN_PASSWORD: provisions each simulated device on the broker before it connects. */
  adminPassword?: string;
  clientId: string;
  qos: 0 | 1;
  environments: string[];
  tenants: string[];
  devices: string[];
  drynessLevel: number;
  realtimeIntervalSec: number;
  backfillEnabled: boolean;
  backfillFromYear: number;
  backfillIntervalSec: number;
  baseLat: number;
  baseLon: number;
  /** Bytes of padding per message, sent as an MQTT v5 user property so the CSV payload stays valid. */
  uselessPayloadBytes: number;
  offlineProbability: number;
  seed?: string;
  /** Benchmark mode: messages per second (0 = off), for durationSec seconds (0 = until stopped). */
  rate: number;
  durationSec: number;
  maxInflight: number;
}

type Env = Record<string, string | undefined>;

function value(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function number(env: Env, name: string, fallback: number): number {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`environment variable ${name}=${JSON.stringify(raw)} is not a number`);
  return n;
}

function list(env: Env, name: string, fallback: string): string[] {
  return (value(env, name) ?? fallback)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** DEVICES (explicit list) or DEVICE_COUNT ids `prefix + index`, zero-padded to max(3, digits of count), from 1. */
export function deviceIds(env: Env): string[] {
  const explicit = value(env, 'DEVICES');
  if (explicit) return list(env, 'DEVICES', '');
  const count = Math.trunc(number(env, 'DEVICE_COUNT', 5));
  const prefix = env.DEVICE_PREFIX ?? 'device-';
  const width = Math.max(3, String(count).length);
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(width, '0')}`);
}

export function readSimulatorConfig(env: Env = process.env): SimulatorConfig {
  const host = value(env, 'MQTT_HOST') ?? 'localhost';
  const port = value(env, 'MQTT_PORT') ?? '1883';
  // Natively, `npm run simulate` reads the project's .env: it holds both.
  const deviceKey = value(env, 'MQTT_DEVICE_KEY') ?? '';
  const adminPassword = value(env, 'MQTT_ADMIN_PASSWORD');
  const seed = value(env, 'SEED');
  const qos = number(env, 'MQTT_QOS', 1);
  const offlineProbability = number(env, 'OFFLINE_PROBABILITY', 0);
  if (offlineProbability < 0 || offlineProbability > 1) throw new Error('OFFLINE_PROBABILITY must be between 0 and 1');
  return {
    mqttUrl: value(env, 'MQTT_URL') ?? `mqtt://${host}:${port}`,
    deviceKey,
    ...(adminPassword ? { adminPassword } : {}),
    clientId: value(env, 'CLIENT_ID') ?? 'sensor-emulator',
    qos: qos === 0 ? 0 : 1,
    environments: list(env, 'ENVIRONMENTS', 'dev'),
    tenants: list(env, 'TENANTS', 'tenant-a'),
    devices: deviceIds(env),
    drynessLevel: number(env, 'DRYNESS_LEVEL', 0),
    realtimeIntervalSec: number(env, 'REALTIME_INTERVAL_SEC', 60),
    backfillEnabled: /^(1|true|yes|on)$/i.test(value(env, 'BACKFILL_ENABLED') ?? 'true'),
    backfillFromYear: Math.trunc(number(env, 'BACKFILL_FROM_YEAR', 2020)),
    backfillIntervalSec: number(env, 'BACKFILL_INTERVAL_SEC', 60),
    baseLat: number(env, 'BASE_LAT', 54.8433),
    baseLon: number(env, 'BASE_LON', 83.0931),
    uselessPayloadBytes: Math.max(0, Math.trunc(number(env, 'USELESS_PAYLOAD_BYTES', 0))),
    offlineProbability,
    ...(seed ? { seed } : {}),
    rate: number(env, 'RATE', 0),
    durationSec: number(env, 'DURATION_SEC', 0),
    maxInflight: Math.max(1, Math.trunc(number(env, 'MAX_INFLIGHT', 1000))),
  };
}
