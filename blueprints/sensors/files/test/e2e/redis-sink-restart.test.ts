// Killing the Redis sink mid-stream loses and duplicates nothing: the first half of the scenario is
// materialised, the sink is killed (SIGKILL / docker kill), the rest is published while it is down, and
// after `stack start redis-sink` Redis holds exactly the expected hashes, no stray keys, and the sink's
// consumer group has caught up (lag 0).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceConnections } from 'create-iot-platform/mqtt-access';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { kafka, manifest, mqttClient, pgPool, redisClient, ScenarioRun, stack, TopicRecorder, waitFor } from './helpers/index.ts';
import { actualHash, differingHashes, expectedHashes, scanKeys, TOPICS, WALL_CLOCK } from './helpers/redis-hashes.ts';

const groupId = process.env.REDIS_SINK_GROUP ?? 'redis-sink';
const HALF = 8; // ticks 0..8 before the kill, the rest while the sink is down

let mqtt: DeviceConnections;
let redis: Redis;
let pool: pg.Pool;
let run: ScenarioRun;
let killed = false;

/** Records on the sink's topics not yet committed by its consumer group. */
async function sinkLag(): Promise<number> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    const topics = manifest().sinks.redis.map((s) => s.topic);
    let lag = 0;
    for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics })) {
      const ends = await admin.fetchTopicOffsets(topic);
      for (const { partition, offset } of partitions) {
        const end = ends.find((e) => e.partition === partition)!;
        lag += Number(end.high) - (Number(offset) < 0 ? Number(end.low) : Number(offset));
      }
    }
    return lag;
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  [mqtt, redis, pool] = [await mqttClient(), redisClient(), pgPool()];
  run = await ScenarioRun.start(pool);
}, 60_000);

afterAll(async () => {
  if (killed) await stack('start', 'redis-sink').catch(() => undefined); // never leave the stack without its sink
  await mqtt?.endAsync();
  redis?.disconnect();
  await pool?.end();
}, 120_000);

describe('Redis sink killed mid-stream', () => {
  it('catches up after a restart with exactly the expected hashes and lag 0', async () => {
    const { env, tenant } = run.expected.tenants[0];
    await run.replay(mqtt, (tick) => tick <= HALF);
    await waitFor(async () => (await scanKeys(redis, 'state', env, tenant)).length > 0, {
      timeoutMs: 120_000,
      what: 'the first device states in Redis',
    });

    await stack('kill', 'redis-sink');
    killed = true;
    const recorder = await TopicRecorder.start(Object.values(TOPICS));
    try {
      await run.replay(mqtt, (tick) => tick > HALF);
      // every final value is on the sink's topics, waiting for it
      const expected = expectedHashes(run.expected);
      const onTopic = (h: (typeof expected)[number]) =>
        recorder.json(TOPICS[h.kind]).some((v) => Object.entries(h.fields).every(([k, f]) => f === WALL_CLOCK || String(v[k]) === f));
      await waitFor(() => expected.every(onTopic), { timeoutMs: 180_000, intervalMs: 1000, what: 'the final values on the sink topics' });
    } finally {
      await recorder.stop();
    }
    expect(await differingHashes(redis, run.expected), 'hashes while the sink is down').toHaveLength(expectedHashes(run.expected).length);

    await stack('start', 'redis-sink');
    killed = false;
    await waitFor(async () => (await differingHashes(redis, run.expected)).length === 0, {
      timeoutMs: 120_000,
      intervalMs: 500,
      what: 'the expected Redis hashes after the restart',
    });
    for (const h of expectedHashes(run.expected)) expect(await actualHash(redis, h.kind, h.key, run.expected), h.key).toEqual(h.fields);
    for (const t of run.expected.tenants as { env: string; tenant: string }[]) {
      for (const kind of ['state', 'drought', 'summary'] as const) {
        const keys = expectedHashes(run.expected).filter((h) => h.kind === kind && h.fields.env === t.env && h.fields.tenant === t.tenant);
        expect(await scanKeys(redis, kind, t.env, t.tenant), `${kind} keys of ${t.env}/${t.tenant}`).toEqual(keys.map((h) => h.key).sort());
      }
    }
    await waitFor(async () => (await sinkLag()) === 0, { timeoutMs: 60_000, what: `consumer group ${groupId} lag 0` });
  }, 600_000);
});
