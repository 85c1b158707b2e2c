// Flink killed mid-scenario (`stack kill flink`: SIGKILL natively, `docker compose kill` in compose, jobs suspended
// on Kubernetes) and started again resumes every job from its newest checkpoint, and the run ends exactly as
// expected.json says, nothing counted twice:
//   1. the first ticks are published, and every job completes a checkpoint after their results appear;
//   2. more ticks are published; once their rows are in PostgreSQL, Flink is killed (their results after that
//      checkpoint are replayed by the restarted jobs);
//   3. the rest is published while Flink is down, then `stack start flink`;
//   4. every job was restored from a checkpoint; Redis holds exactly the expected streaks, states and summaries,
//      PostgreSQL exactly the expected rows (one per key), the upsert topics' final value per key is the expected
//      one, and the jobs' intermediate topics (read committed, as the jobs read them) hold each measurement once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceConnections } from 'create-iot-platform/mqtt-access';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import {
  flinkJobCount,
  mqttClient,
  pgPool,
  redisClient,
  runningJobCheckpoints,
  ScenarioRun,
  stack,
  TopicRecorder,
  waitFor,
  waitForCheckpointsSince,
} from './helpers/index.ts';
import { actualHash, differingHashes, expectedHashes, scanKeys, template, TOPICS, WALL_CLOCK, type ExpectedHash } from './helpers/redis-hashes.ts';
import { readingsOf, tenantsOf } from './helpers/sensor-readings.ts';

/** Topics one job writes and the next reads (the enriched measurements). */
const INTERMEDIATE = ['sensors.enriched.v1'];
const BEFORE_CHECKPOINT = (tick: number) => tick <= 6;
const BEFORE_KILL = (tick: number) => tick > 6 && tick <= 11;
const WHILE_DOWN = (tick: number) => tick > 11;

let mqtt: DeviceConnections;
let redis: Redis;
let pool: pg.Pool;
let run: ScenarioRun;
let recorder: TopicRecorder;
let killed = false;

const rowCount = async () => (await readingsOf(pool, run)).length;
const ofRun = (value: Record<string, unknown>) => tenantsOf(run).includes(String(value.tenant));

/** A record's content without the wall-clock stamps a replay changes: equal for a record and its duplicate. */
const identity = (value: Record<string, unknown>) =>
  JSON.stringify(Object.entries(value).filter(([k]) => !/processing_ts_ms$/.test(k)).sort(([a], [b]) => a.localeCompare(b)));

/** The last value each key of the run got on an upsert topic (null for a tombstone), by the key of its Redis hash. */
function finalValues(kind: ExpectedHash['kind']): Map<string, Record<string, unknown> | null> {
  const finals = new Map<string, Record<string, unknown> | null>();
  for (const record of recorder.records.filter((r) => r.topic === TOPICS[kind] && r.key !== null)) {
    const key = JSON.parse(record.key!) as Record<string, unknown>;
    if (!ofRun(key)) continue;
    finals.set(template(kind).fill(key)!, record.value === null ? null : (JSON.parse(record.value) as Record<string, unknown>));
  }
  return finals;
}

const sameFields = (value: Record<string, unknown> | null | undefined, h: ExpectedHash) =>
  value != null && Object.entries(h.fields).every(([k, f]) => (f === WALL_CLOCK ? /^\d{13}$/.test(String(value[k])) : String(value[k]) === f));

beforeAll(async () => {
  [mqtt, redis, pool] = [await mqttClient(), redisClient(), pgPool()];
  run = await ScenarioRun.start(pool);
  recorder = await TopicRecorder.start([...INTERMEDIATE, ...Object.values(TOPICS)]);
}, 60_000);

afterAll(async () => {
  if (killed) await stack('start', 'flink').catch(() => undefined); // never leave the stack without Flink
  await mqtt?.endAsync();
  await recorder?.stop();
  redis?.disconnect();
  await pool?.end();
}, 300_000);

describe('Flink killed mid-scenario', () => {
  it('resumes from its checkpoints and ends exactly as expected, with nothing counted twice', async () => {
    const expectedRows = run.expected.postgres.sensor_readings as Record<string, unknown>[];
    const jobs = flinkJobCount();

    await run.replay(mqtt, BEFORE_CHECKPOINT);
    await waitFor(async () => (await rowCount()) > 0, { timeoutMs: 120_000, intervalMs: 500, what: 'the first rows of the run in PostgreSQL' });
    await waitForCheckpointsSince(Date.now(), jobs);

    const checkpointed = await rowCount();
    await run.replay(mqtt, BEFORE_KILL);
    await waitFor(async () => (await rowCount()) > checkpointed, { timeoutMs: 60_000, intervalMs: 100, what: 'rows published after the checkpoint' });
    await stack('kill', 'flink');
    killed = true;

    await run.replay(mqtt, WHILE_DOWN);
    await stack('start', 'flink');
    killed = false;
    const restarted = await runningJobCheckpoints();
    expect(restarted.filter((j) => j.restoredFrom).map((j) => j.job).sort(), 'jobs restored from a checkpoint').toEqual(restarted.map((j) => j.job).sort());
    expect(restarted).toHaveLength(jobs);

    // Redis: exactly the expected hashes (streaks, current states, summaries) and no other key of the run
    await waitFor(async () => (await differingHashes(redis, run.expected)).length === 0, {
      timeoutMs: 240_000,
      intervalMs: 1000,
      what: 'the expected Redis hashes after the restart',
    }).catch(async (error) => {
      const [key] = await differingHashes(redis, run.expected);
      const h = expectedHashes(run.expected).find((x) => x.key === key);
      if (h) expect(await actualHash(redis, h.kind, h.key, run.expected), h.key).toEqual(h.fields);
      throw error;
    });
    for (const h of expectedHashes(run.expected)) expect(await actualHash(redis, h.kind, h.key, run.expected), h.key).toEqual(h.fields);
    for (const { env, tenant } of run.expected.tenants as { env: string; tenant: string }[]) {
      for (const kind of ['state', 'drought', 'summary'] as const) {
        const keys = expectedHashes(run.expected).filter((h) => h.kind === kind && h.fields.env === env && h.fields.tenant === tenant);
        expect(await scanKeys(redis, kind, env, tenant), `${kind} keys of ${env}/${tenant}`).toEqual(keys.map((h) => h.key).sort());
      }
    }

    // PostgreSQL: exactly the expected rows, one per key
    await waitFor(async () => (await rowCount()) >= expectedRows.length, { timeoutMs: 60_000, intervalMs: 500, what: `${expectedRows.length} rows` });
    expect(await readingsOf(pool, run)).toEqual(expectedRows);
    const { rows } = await pool.query<{ rows: number; keys: number }>(
      `select count(*)::int as rows, count(distinct (env, tenant, device_id, measured_at))::int as keys
         from sensor_readings where tenant = any($1)`,
      [tenantsOf(run)],
    );
    expect(rows[0]).toEqual({ rows: expectedRows.length, keys: expectedRows.length });

    // the upsert topics: each key's final value is the expected one
    for (const kind of ['state', 'drought', 'summary'] as const) {
      const finals = finalValues(kind);
      const expected = expectedHashes(run.expected).filter((h) => h.kind === kind);
      expect([...finals.keys()].sort(), `keys on ${TOPICS[kind]}`).toEqual(expected.map((h) => h.key).sort());
      for (const h of expected) expect(sameFields(finals.get(h.key), h), `final value of ${h.key} on ${TOPICS[kind]}`).toBe(true);
    }

    // the intermediate topics: every measurement of the run once, as the next job reads them
    for (const topic of INTERMEDIATE) {
      const identities = recorder.json(topic, ofRun).map(identity);
      const duplicated = identities.filter((id, i) => identities.indexOf(id) !== i);
      expect(duplicated, `records of the run on ${topic} more than once`).toEqual([]);
      expect(identities, `measurements of the run on ${topic}`).toHaveLength(expectedRows.length);
    }
  }, 900_000);
});
