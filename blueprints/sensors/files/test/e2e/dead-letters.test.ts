// Malformed messages of the scenario (wrong column count, out-of-range values, a deviceId that contradicts
// the topic, bad timestamp or boolean, invalid UTF-8, JSON where CSV is expected, an empty field) land in the
// dead-letter topic with the reason and the raw payload, produce no event records, and the pipeline goes on:
// every reading published after them reaches PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceConnections } from 'create-iot-platform/mqtt-access';
import type pg from 'pg';
import { deadLetterTopic } from 'create-iot-platform/service-kit';
import { manifest, mqttClient, pgPool, ScenarioRun, TopicRecorder, waitFor, type Expected } from './helpers/index.ts';

const spec = manifest();
const dlq = deadLetterTopic(spec);
const eventTopics = Object.fromEntries(Object.entries(spec.events).map(([name, e]) => [name, e.topic]));

let mqtt: DeviceConnections;
let pool: pg.Pool;
let recorder: TopicRecorder;
let run: ScenarioRun;

beforeAll(async () => {
  [mqtt, pool] = [await mqttClient(), pgPool()];
  run = await ScenarioRun.start(pool);
  recorder = await TopicRecorder.start([dlq, ...Object.values(eventTopics)]);
  await run.replay(mqtt);
}, 120_000);

afterAll(async () => {
  await mqtt?.endAsync();
  await recorder?.stop();
  await pool?.end();
});

const tenants = () => (run.expected.tenants as { tenant: string }[]).map((t) => t.tenant);
const ofRun = (letter: Record<string, unknown>) => tenants().some((t) => String(letter.mqttTopic).split('/')[1] === t);

describe('dead letters', () => {
  it('routes every malformed message, and only those, to the dead-letter topic with its reason', async () => {
    const expected = run.expected.deadLetters as Expected[];
    const letters = await waitFor(() => {
      const found = recorder.json(dlq, ofRun);
      return found.length >= expected.length ? found : undefined;
    }, { timeoutMs: 60_000, what: `${expected.length} dead letters on ${dlq}` });
    expect(letters).toHaveLength(expected.length);
    for (const e of expected) {
      const letter = letters.find((l) => l.mqttTopic === e.mqttTopic && l.rawPayload === e.rawPayload);
      expect(letter, `dead letter of ${e.mqttTopic}: ${e.rawPayload}`).toMatchObject({
        source: 'mqtt',
        mqttTopic: e.mqttTopic,
        rawPayload: e.rawPayload,
        receivedAt: expect.any(Number),
        ...(e.encoding ? { encoding: e.encoding } : {}),
      });
      expect(String(letter!.reason)).toMatch(new RegExp(e.reason));
    }
  });

  it('writes records only for the valid messages', async () => {
    const ofRunEvent = (v: Record<string, unknown>) => tenants().includes(String(v.tenant));
    for (const [name, topic] of Object.entries(eventTopics)) {
      const count = run.expected.counts.records[name] as number;
      await waitFor(() => recorder.json(topic, ofRunEvent).length >= count, { timeoutMs: 60_000, what: `${count} ${name} records` });
      expect(recorder.json(topic, ofRunEvent), `${name} records of the run`).toHaveLength(count);
    }
  });

  it('goes on after them: every reading published later reaches PostgreSQL', async () => {
    const rows = run.expected.postgres.sensor_readings as Expected[];
    const last = rows.map((r) => String(r.measured_at)).sort().at(-1);
    const { rows: [found] } = await waitFor(async () => {
      const result = await pool.query(
        `select count(*)::int as n, to_char(max(measured_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as last
           from sensor_readings where tenant = any($1)`,
        [tenants()],
      );
      return result.rows[0].n >= rows.length ? result : undefined;
    }, { timeoutMs: 180_000, intervalMs: 1000, what: `${rows.length} rows in sensor_readings` });
    expect(found).toEqual({ n: rows.length, last });
  }, 200_000);
});
