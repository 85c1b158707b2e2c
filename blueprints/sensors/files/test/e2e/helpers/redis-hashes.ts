// Redis hashes the scenario must leave behind, compared field by field. Fields holding wall-clock stamps
// (ingest and processing times) cannot be predicted: they are compared as "<epoch ms>" when they are one.
import type { Redis } from 'ioredis';
import { compileKeyTemplate } from 'create-iot-platform/redis-sink';
import { manifest } from './clients.ts';
import type { Expected } from './scenario.ts';

export const TOPICS = { state: 'sensors.device-state', drought: 'sensors.drought-streak', summary: 'sensors.recent-summary' } as const;
export type HashKind = keyof typeof TOPICS;
export const WALL_CLOCK = '<epoch ms>';

export function template(kind: HashKind) {
  const sink = manifest().sinks.redis.find((s) => s.topic === TOPICS[kind]);
  if (!sink) throw new Error(`iot-platform.yaml has no sinks.redis entry for ${TOPICS[kind]}`);
  return compileKeyTemplate(sink.key);
}

export interface ExpectedHash {
  kind: HashKind;
  key: string;
  fields: Record<string, string>;
}

/** Every hash of expected.redis (already shifted to the run), with its Redis key. */
export function expectedHashes(expected: Expected): ExpectedHash[] {
  const out: ExpectedHash[] = [];
  for (const kind of Object.keys(TOPICS) as HashKind[]) {
    for (const entry of expected.redis[kind] as { fields: Record<string, unknown> }[]) {
      const fields = Object.fromEntries(Object.entries(entry.fields).map(([k, v]) => [k, String(v)]));
      for (const name of expected.wallClockFields[kind] as string[]) fields[name] = WALL_CLOCK;
      out.push({ kind, key: template(kind).fill(entry.fields)!, fields });
    }
  }
  return out;
}

/** A hash as stored, with the wall-clock fields of its kind replaced by WALL_CLOCK when they hold epoch ms. */
export async function actualHash(redis: Redis, kind: HashKind, key: string, expected: Expected): Promise<Record<string, string>> {
  const hash = await redis.hgetall(key);
  for (const name of expected.wallClockFields[kind] as string[]) {
    if (hash[name] !== undefined && /^\d{13}$/.test(hash[name]!)) hash[name] = WALL_CLOCK;
  }
  return hash;
}

/** Keys of one env/tenant for a kind (SCAN, never KEYS). */
export async function scanKeys(redis: Redis, kind: HashKind, env: string, tenant: string): Promise<string[]> {
  const keys = new Set<string>();
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', template(kind).scanPattern({ env, tenant }), 'COUNT', 1000);
    cursor = next;
    batch.forEach((k) => keys.add(k));
  } while (cursor !== '0');
  return [...keys].sort();
}

/** The keys whose hash differs from the expected one (empty when Redis holds exactly the expected hashes). */
export async function differingHashes(redis: Redis, expected: Expected): Promise<string[]> {
  const differing: string[] = [];
  for (const h of expectedHashes(expected)) {
    const actual = await actualHash(redis, h.kind, h.key, expected);
    if (JSON.stringify(Object.entries(actual).sort()) !== JSON.stringify(Object.entries(h.fields).sort())) differing.push(h.key);
  }
  return differing;
}
