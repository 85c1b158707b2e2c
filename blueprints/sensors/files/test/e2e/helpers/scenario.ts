// The sensors scenario (scenarios/sensors/: messages.jsonl and expected.json) replayed through MQTT.
// Every run is made unique so reruns against one stack never collide:
//   * tenants get a run suffix ("acme" → "acme-1a2b3c4d"), in topics, payload-free names and expectations;
//   * event times move forward by whole days, past every event the stack has seen (Flink's watermarks only
//     go forward, so older events would be late and dropped); whole days keep local days and windows aligned.
// The pacer device of the file stands for a set of pacer devices whose keys cover every Kafka partition,
// so every partition's watermark advances with each tick (no waiting for idle partitions).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Partitioners } from 'kafkajs';
import type { MqttClient } from 'mqtt';
import type pg from 'pg';
import { manifest, runId, TopicRecorder } from './clients.ts';
import { waitFor } from './wait-for.ts';

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
  const expected = JSON.parse(readFileSync(join(SCENARIO_DIR, 'expected.json'), 'utf8')) as Expected;
  return { messages, expected };
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

/** Pacer device ids whose keys env|tenant|id reach every partition of every topic (Kafka's murmur2 partitioner). */
export function pacerDevices(env: string, tenant: string, base: string): string[] {
  const counts = new Set(manifest().topics.map((t) => Number((t as { partitions?: number }).partitions ?? 1)));
  const partition = Partitioners.DefaultPartitioner();
  const missing = new Set([...counts].flatMap((n) => Array.from({ length: n }, (_, p) => `${n}:${p}`)));
  const devices: string[] = [];
  for (let i = 0; missing.size > 0 && i < 1000; i++) {
    const id = `${base}-${i}`;
    const hits = [...counts].map((n) => {
      const meta = Array.from({ length: n }, (_, p) => ({ partitionId: p, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
      return `${n}:${partition({ topic: 'any', partitionMetadata: meta, message: { key: `${env}|${tenant}|${id}`, value: null } })}`;
    });
    if (hits.some((h) => missing.has(h))) {
      devices.push(id);
      hits.forEach((h) => missing.delete(h));
    }
  }
  return devices;
}

export class ScenarioRun {
  readonly id = runId();
  readonly messages: ScenarioMessage[];
  readonly raw: Expected;
  readonly shiftDays: number;
  readonly shiftMs: number;
  readonly tenants: Record<string, string>;
  readonly pacer: { env: string; tenant: string; devices: string[] };
  /** expected.json with this run's tenants and times. */
  readonly expected: Expected;

  constructor(clock: number) {
    const { messages, expected } = loadScenario();
    this.messages = messages;
    this.raw = expected;
    this.shiftDays = Math.max(0, Math.ceil((clock - Date.parse(expected.start)) / DAY_MS));
    this.shiftMs = this.shiftDays * DAY_MS;
    const names: string[] = [...expected.tenants.map((t: { tenant: string }) => t.tenant), expected.pacer.tenant];
    this.tenants = Object.fromEntries(names.map((name) => [name, `${name}-${this.id}`]));
    const pacerTenant = this.tenants[expected.pacer.tenant]!;
    this.pacer = { env: expected.pacer.env, tenant: pacerTenant, devices: pacerDevices(expected.pacer.env, pacerTenant, 'pacer') };
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

  /** The MQTT messages of some ticks, in publish order, for this run (pacer expanded). */
  outgoing(ticks: (tick: number) => boolean = () => true): { tick: number; topic: string; payload: string | Buffer }[] {
    const out: { tick: number; topic: string; payload: string | Buffer }[] = [];
    for (const m of this.messages.filter((x) => ticks(x.tick))) {
      const [env, tenant, kind, device, event] = m.topic.split('/');
      const payload = m.encoding === 'base64' ? Buffer.from(m.payload, 'base64') : this.shiftText(m.payload);
      const isPacer = env === this.raw.pacer.env && tenant === this.raw.pacer.tenant && device === this.raw.pacer.device;
      for (const id of isPacer ? this.pacer.devices : [device!]) {
        const body = isPacer && typeof payload === 'string' ? payload.replace(/^[^,]*/, id) : payload;
        out.push({ tick: m.tick, topic: [env, this.tenant(tenant!), kind, id, event].join('/'), payload: body });
      }
    }
    return out;
  }

  /**
   * Publishes the given ticks over MQTT (QoS 1, in order). The first tick goes alone, and the rest follows once
   * the measurement job has joined the pacer's readings of it: every partition has then been read again, so
   * none is still marked idle (an idle partition does not hold the watermark back, and its older records would
   * be dropped as late).
   */
  async replay(mqtt: MqttClient, ticks: (tick: number) => boolean = () => true): Promise<void> {
    const messages = this.outgoing(ticks);
    if (messages.length === 0) return;
    const first = messages[0]!.tick;
    const topic = manifest().topics.find((t) => t.name.endsWith('measurement.v1'))?.name ?? 'sensors.measurement.v1';
    const recorder = await TopicRecorder.start([topic]);
    try {
      for (const m of messages.filter((x) => x.tick === first)) await mqtt.publishAsync(m.topic, m.payload, { qos: 1 });
      await waitFor(
        () => new Set(recorder.json(topic, (v) => v.tenant === this.pacer.tenant).map((v) => v.device_id)).size >= this.pacer.devices.length,
        { timeoutMs: 60_000, what: `the pacer's measurements of tick ${first} on ${topic}` },
      );
    } finally {
      await recorder.stop();
    }
    for (const m of messages.filter((x) => x.tick !== first)) await mqtt.publishAsync(m.topic, m.payload, { qos: 1 });
  }

  /** The local-day expectations (dbt marts, dry-day report) for a time zone; derived on the spot if not in the file. */
  localDays(zone: string): { dbt: Expected; dryDays: Expected[] } {
    if (this.raw.dbt[zone]) return { dbt: this.expected.dbt[zone], dryDays: this.expected.api.dryDays[zone] };
    let text: string;
    try {
      text = execFileSync('python3', [join(SCENARIO_DIR, 'derive_expected.py'), '--zones', zone, '--stdout'], { encoding: 'utf8' });
    } catch (error) {
      throw new Error(`expected.json has no rows for the time zone ${zone} and python3 could not derive them: ${(error as Error).message}`);
    }
    const derived = JSON.parse(text) as Expected;
    return { dbt: this.transform(derived.dbt[zone]) as Expected, dryDays: this.transform(derived.api.dryDays[zone]) as Expected[] };
  }
}
