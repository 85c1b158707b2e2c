// The sensors scenario (scenarios/sensors/: messages.jsonl and expected.json) replayed through MQTT.
// Every run is made unique so reruns against one stack never collide:
//   * tenants get a run suffix ("acme" → "acme-1a2b3c4d"), in topics, payload-free names and expectations;
//   * event times move forward by whole days, past every event the stack has seen: the summary job's clock (the
//     newest event time it has seen, any tenant) only goes forward, and a reading more than the allowed lateness
//     behind it counts in no window; whole days keep local days and windows aligned.
// The log is published as it is, in order, and ends where it ends: nothing is sent after it to move time on.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Partitioners } from 'kafkajs';
import type { DeviceConnections } from 'create-iot-platform/mqtt-access';
import type pg from 'pg';
import { manifest, runId } from './clients.ts';

export const SCENARIO_DIR = join('scenarios', 'sensors');
const DAY_MS = 86_400_000;

export interface ScenarioMessage {
  order: number;
  tick: number;
  topic: string;
  payload: string;
  encoding?: 'base64';
  note?: string;
}

/** expected.json (see scenarios/sensors/README.md); typed loosely, compared as data. */
export type Expected = Record<string, any>;

export function loadScenario(): { messages: ScenarioMessage[]; expected: Expected } {
  const messages = readFileSync(join(SCENARIO_DIR, 'messages.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as ScenarioMessage)
    .sort((a, b) => a.order - b.order);
  const file = JSON.parse(readFileSync(join(SCENARIO_DIR, 'expected.json'), 'utf8')) as Expected;
  // expected.json holds the platform's default parameters; a project that changed them gets its own
  const expected = derivedFor(file) ? file : deriveExpected(['--zones', Object.keys(file.dbt).join(',')]);
  return { messages, expected };
}

/** derive_expected.py's arguments for this project's parameters (iot-platform.yaml parameters:). */
const parameterArgs = () => [
  '--threshold', String(parameter('dryThreshold')),
  '--window-seconds', String(parameter('summaryWindowSeconds')),
  '--slide-seconds', String(parameter('summarySlideSeconds')),
  '--allowed-lateness-seconds', String(parameter('allowedLatenessSeconds')),
];

const derivedFor = (expected: Expected) =>
  expected.threshold === parameter('dryThreshold') &&
  expected.parameters.summaryWindowSeconds === parameter('summaryWindowSeconds') &&
  expected.parameters.summarySlideSeconds === parameter('summarySlideSeconds') &&
  expected.parameters.allowedLatenessSeconds === parameter('allowedLatenessSeconds');

/** Expectations derived on the spot by the scenario's reference implementation (needs python3). */
function deriveExpected(args: string[]): Expected {
  try {
    return JSON.parse(execFileSync('python3', [join(SCENARIO_DIR, 'derive_expected.py'), ...args, ...parameterArgs(), '--stdout'], { encoding: 'utf8' })) as Expected;
  } catch (error) {
    throw new Error(`deriving the scenario's expectations for this project (${args.join(' ')} ${parameterArgs().join(' ')}) needs python3: ${(error as Error).message}`);
  }
}

/**
 * The earliest event time a new run may use: after the wall clock and a day after the newest measurement in
 * PostgreSQL (a run's last ticks may not have reached PostgreSQL; a day covers them).
 */
export async function eventClock(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ ms: number | null }>(
    'select (extract(epoch from max(measured_at)) * 1000)::float8 as ms from sensor_readings',
  );
  return Math.max(Date.now(), (rows[0]?.ms ?? 0) + DAY_MS);
}

/** The Kafka partition of a device's records on a topic (key env|tenant|deviceId, the producers' murmur2 partitioner). */
export function partitionOf(topic: string, env: string, tenant: string, device: string): number {
  const spec = manifest().topics.find((t) => t.name === topic);
  const n = Number((spec as { partitions?: number } | undefined)?.partitions ?? 1);
  const meta = Array.from({ length: n }, (_, p) => ({ partitionId: p, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
  return Partitioners.DefaultPartitioner()({ topic, partitionMetadata: meta, message: { key: `${env}|${tenant}|${device}`, value: null } });
}

/** A window parameter of iot-platform.yaml (parameters:), or the platform's default when the manifest has none. */
export function parameter(name: keyof typeof PARAMETER_DEFAULTS): number {
  const value = (manifest() as { parameters?: Record<string, unknown> }).parameters?.[name];
  return value === undefined || value === null ? PARAMETER_DEFAULTS[name] : Number(value);
}

export const PARAMETER_DEFAULTS = {
  dryThreshold: 50.0,
  summaryWindowSeconds: 600,
  summarySlideSeconds: 10,
  watermarkDelaySeconds: 5,
  allowedLatenessSeconds: 3600,
  quietCloseSeconds: 60,
} as const;

export interface OutgoingMessage {
  order: number;
  tick: number;
  env: string;
  /** this run's name of the tenant */
  tenant: string;
  device: string;
  /** humidity, temperature, location or state */
  event: string;
  topic: string;
  payload: string | Buffer;
}

/** Publishes messages over MQTT with QoS 1, in the given order (each acknowledged before the next). */
export async function publish(mqtt: DeviceConnections, messages: { topic: string; payload: string | Buffer }[]): Promise<void> {
  for (const m of messages) await mqtt.publishAsync(m.topic, m.payload, { qos: 1 });
}

export class ScenarioRun {
  readonly id = runId();
  readonly messages: ScenarioMessage[];
  readonly raw: Expected;
  readonly shiftDays: number;
  readonly shiftMs: number;
  readonly tenants: Record<string, string>;
  /** expected.json with this run's tenants and times. */
  readonly expected: Expected;

  constructor(clock: number) {
    const { messages, expected } = loadScenario();
    this.messages = messages;
    this.raw = expected;
    this.shiftDays = Math.max(0, Math.ceil((clock - Date.parse(expected.start)) / DAY_MS));
    this.shiftMs = this.shiftDays * DAY_MS;
    const names: string[] = expected.tenants.map((t: { tenant: string }) => t.tenant);
    this.tenants = Object.fromEntries(names.map((name) => [name, `${name}-${this.id}`]));
    this.expected = this.transform(expected) as Expected;
  }

  static async start(pool: pg.Pool): Promise<ScenarioRun> {
    return new ScenarioRun(await eventClock(pool));
  }

  /** This run's name of a tenant of the file. */
  tenant(name: string): string {
    return this.tenants[name] ?? name;
  }

  shiftText(text: string): string {
    return text
      .replace(/(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}:\d{2}\.\d{3}Z)?/g, (all, day: string, time?: string) =>
        time ? new Date(Date.parse(all) + this.shiftMs).toISOString() : new Date(Date.parse(day) + this.shiftMs).toISOString().slice(0, 10),
      )
      .replace(new RegExp(`\\b(${Object.keys(this.tenants).join('|')})\\b`, 'g'), (name) => this.tenant(name));
  }

  transform(value: unknown, field?: string): unknown {
    if (typeof value === 'string') return field === 'about' ? value : this.shiftText(value);
    if (typeof value === 'number' && field && this.raw.eventTimeMsFields.includes(field)) return value + this.shiftMs;
    if (Array.isArray(value)) return value.map((v) => this.transform(v));
    if (value && typeof value === 'object') {
      // keys are time zones or field names: only values change
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.transform(v, k)]));
    }
    return value;
  }

  /** The MQTT messages of some ticks, in publish order, for this run. */
  outgoing(ticks: (tick: number) => boolean = () => true): OutgoingMessage[] {
    return this.messages
      .filter((m) => ticks(m.tick))
      .map((m) => {
        const [env, tenant, kind, device, event] = m.topic.split('/');
        const payload = m.encoding === 'base64' ? Buffer.from(m.payload, 'base64') : this.shiftText(m.payload);
        return { order: m.order, tick: m.tick, env: env!, tenant: this.tenant(tenant!), device: device!, event: event!,
          topic: [env, this.tenant(tenant!), kind, device, event].join('/'), payload };
      });
  }

  /** Publishes the given ticks over MQTT (QoS 1), one message after the other in the file's order, and nothing else. */
  async replay(mqtt: DeviceConnections, ticks: (tick: number) => boolean = () => true): Promise<void> {
    await publish(mqtt, this.outgoing(ticks));
  }

  /** The local-day expectations (dbt marts, dry-day report) for a time zone; derived on the spot if not in the file. */
  localDays(zone: string): { dbt: Expected; dryDays: Expected[] } {
    if (this.raw.dbt[zone]) return { dbt: this.expected.dbt[zone], dryDays: this.expected.api.dryDays[zone] };
    const derived = deriveExpected(['--zones', zone]);
    return { dbt: this.transform(derived.dbt[zone]) as Expected, dryDays: this.transform(derived.api.dryDays[zone]) as Expected[] };
  }
}
