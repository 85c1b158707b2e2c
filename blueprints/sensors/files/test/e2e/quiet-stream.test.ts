// Results never wait for later traffic (issue 10, points 1-2), on a small fleet of its own (one env/tenant per run):
//   1. the stream pauses: after quietCloseSeconds without readings the tenant's recent summary closes on its own;
//   2. it resumes on one Kafka partition first, whose devices send two readings that move event time on past the
//      windows the other devices' readings belong to; those arrive afterwards, within the allowed lateness, and
//      update the window already emitted (every device counted), then the last window closes by quietness;
//   3. the very last message the platform receives (a temperature completing a measurement, nothing after it)
//      is in PostgreSQL and in its device's streak and current state within 5 s;
//   4. a reading later than the allowed lateness is in no window: it lands in the dead-letter topic with reason
//      "late: …", and still in PostgreSQL and in its device's streak.
// Expectations are computed here from what the test sends; window parameters from iot-platform.yaml (parameters:).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceConnections } from 'create-iot-platform/mqtt-access';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { deadLetterTopic } from 'create-iot-platform/service-kit';
import { eventClock, manifest, mqttClient, parameter, partitionOf, pgPool, publish, redisClient, runId, TopicRecorder, waitFor } from './helpers/index.ts';
import { template, TOPICS } from './helpers/redis-hashes.ts';

const ENV = 'e2e';
const TENANT = `quiet-${runId()}`;
const spec = manifest();
const dlq = deadLetterTopic(spec);
const humidityTopic = spec.events.humidity?.topic ?? 'sensors.humidity.v1';
const SIZE_MS = parameter('summaryWindowSeconds') * 1000;
const SLIDE_MS = parameter('summarySlideSeconds') * 1000;
const LATENESS_MS = parameter('allowedLatenessSeconds') * 1000;
const QUIET_MS = parameter('quietCloseSeconds') * 1000;
const THRESHOLD = parameter('dryThreshold');
const PER_READING_MS = 5_000; // a reading is in PostgreSQL, its streak and its current state within 5 s

interface Reading {
  device: string;
  t: number; // event time, epoch ms
  seq: number;
  humidity: number;
  temperature: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const topic = (device: string, event: string) => `${ENV}/${TENANT}/sensors/${device}/${event}`;
const messagesOf = (r: Reading) => [
  { topic: topic(r.device, 'humidity'), payload: `${r.device},${iso(r.t)},${r.humidity.toFixed(2)},${r.seq}` },
  { topic: topic(r.device, 'temperature'), payload: `${r.device},${iso(r.t)},${r.temperature.toFixed(2)},${r.seq}` },
];

/** The summary a window holding these readings must show (every device reported itself online). */
function summaryOf(readings: Reading[], start: number) {
  const inside = readings.filter((r) => r.t >= start && r.t < start + SIZE_MS);
  const devices = new Set(inside.map((r) => r.device)).size;
  const avg = (f: (r: Reading) => number) => inside.reduce((s, r) => s + f(r), 0) / inside.length;
  return {
    env: ENV,
    tenant: TENANT,
    window_start: iso(start),
    window_end: iso(start + SIZE_MS),
    window_seconds: String(SIZE_MS / 1000),
    total_devices: String(devices),
    online_devices: String(devices),
    offline_devices: '0',
    avg_temperature: String(avg((r) => r.temperature)),
    avg_humidity: String(avg((r) => r.humidity)),
    min_measured_at_ms: String(Math.min(...inside.map((r) => r.t))),
    max_measured_at_ms: String(Math.max(...inside.map((r) => r.t))),
  };
}
const SUMMARY_FIELDS = Object.keys(summaryOf([{ device: 'x', t: 0, seq: 0, humidity: 0, temperature: 0 }], 0));
const pick = (hash: Record<string, string>) => Object.fromEntries(SUMMARY_FIELDS.map((k) => [k, hash[k]]));

let mqtt: DeviceConnections;
let redis: Redis;
let pool: pg.Pool;
let recorder: TopicRecorder;
let T0: number;
/** devices on the partition that resumes first, and the others (at least one on each other partition) */
let first: string[];
let others: string[];
const sent: Reading[] = [];

async function rowOf(r: Reading): Promise<Record<string, unknown> | undefined> {
  const { rows } = await pool.query(
    `select seq::int as seq, humidity, temperature from sensor_readings
      where env = $1 and tenant = $2 and device_id = $3 and measured_at = $4::timestamptz`,
    [ENV, TENANT, r.device, iso(r.t)],
  );
  return rows[0];
}

const summaryKey = () => template('summary').fill({ env: ENV, tenant: TENANT })!;
const droughtKey = (device: string) => template('drought').fill({ env: ENV, tenant: TENANT, device_id: device })!;
const stateKey = (device: string) => template('state').fill({ env: ENV, tenant: TENANT, device_id: device })!;

/**
 * Waits until the reading is in PostgreSQL and, when it is its device's newest by event time, until the device's
 * streak ends at it and its current state shows it.
 */
async function perReadingResults(r: Reading, timeoutMs: number): Promise<void> {
  const newest = sent.filter((x) => x.device === r.device).every((x) => x.t <= r.t);
  await waitFor(
    async () => {
      if ((await rowOf(r)) === undefined) return false;
      if (!newest) return true;
      const [drought, state] = [await redis.hgetall(droughtKey(r.device)), await redis.hgetall(stateKey(r.device))];
      return drought.last_event_ts === iso(r.t) && state.measured_at === iso(r.t);
    },
    { timeoutMs, intervalMs: 100, what: `${r.device}'s reading at ${iso(r.t)} in PostgreSQL${newest ? ', its streak and its state' : ''}` },
  );
}

/** Expected streak of a device from the readings sent: days since its latest wet reading (or its first) up to its latest. */
function streakOf(device: string) {
  const mine = sent.filter((r) => r.device === device).sort((a, b) => a.t - b.t);
  const last = mine.at(-1)!;
  const wet = mine.filter((r) => r.humidity >= THRESHOLD).map((r) => r.t);
  const lastOk = wet.length ? Math.max(...wet) : undefined;
  return {
    streak_days: String(Math.floor((last.t - (lastOk ?? mine[0]!.t)) / 1000) / 86400),
    last_event_ts: iso(last.t),
    first_event_ts: iso(mine[0]!.t),
    ...(lastOk === undefined ? {} : { last_ok_event_ts: iso(lastOk) }),
    last_humidity: String(last.humidity),
  };
}

beforeAll(async () => {
  [mqtt, redis, pool] = [await mqttClient(), redisClient(), pgPool()];
  // after every event time the stack has seen, on a whole hour (so windows and slices line up with the readings)
  T0 = Math.ceil((await eventClock(pool)) / 3_600_000) * 3_600_000 + 3_600_000;
  // one device on a partition of its own that resumes first, and one device on each other partition
  const byPartition = new Map<number, string>();
  for (let i = 0; byPartition.size < 3 && i < 200; i++) {
    const device = `q-${i}`;
    const p = partitionOf(humidityTopic, ENV, TENANT, device);
    if (!byPartition.has(p)) byPartition.set(p, device);
  }
  const devices = [...byPartition.values()];
  expect(devices.length, 'devices on different partitions').toBeGreaterThanOrEqual(2);
  [first, others] = [devices.slice(0, 1), devices.slice(1)];
  recorder = await TopicRecorder.start([dlq, TOPICS.summary]);
}, 120_000);

afterAll(async () => {
  await mqtt?.endAsync();
  await recorder?.stop();
  redis?.disconnect();
  await pool?.end();
});

const reading = (device: string, t: number, seq: number, humidity: number): Reading => {
  const i = [...first, ...others].indexOf(device);
  return { device, t: t + i * 1000, seq, humidity: humidity + i * 0.5, temperature: 10 + seq + i * 0.25 };
};

describe('a stream that pauses, resumes on one partition first, and ends', () => {
  it('closes the window of a paused stream after quietCloseSeconds', async () => {
    const all = [...first, ...others];
    const start = Date.now();
    await publish(mqtt, all.flatMap((d, i) => [
      { topic: topic(d, 'location'), payload: `${d},${iso(T0 + i * 1000)},54.${850000 + i},83.${100000 + i}` },
      { topic: topic(d, 'state'), payload: `${d},${iso(T0 + i * 1000)},-60,8.00,95.0,true` },
    ]));
    const before = all.map((d) => reading(d, T0, 1, 45));
    sent.push(...before);
    await publish(mqtt, before.flatMap(messagesOf));
    for (const r of before) await perReadingResults(r, 60_000);
    // nothing else arrives: the summary job's clock stays before the window's end, and the window closes by quietness
    const closed = await waitFor(async () => {
      const hash = await redis.hgetall(summaryKey());
      return hash.window_start === iso(T0) ? hash : undefined;
    }, { timeoutMs: QUIET_MS + 90_000, intervalMs: 1000, what: `the summary of ${ENV}/${TENANT} closed by quietness` });
    expect(pick(closed)).toEqual(summaryOf(sent, T0));
    expect(Date.now() - start, 'closed no earlier than quietCloseSeconds after the last reading').toBeGreaterThanOrEqual(QUIET_MS - 1000);
  }, QUIET_MS + 180_000);

  it('counts every device when the stream resumes on one partition first, and delivers the last message within 5 s', async () => {
    // after a pause longer than any idle timeout, the first partition's devices send two readings 10 minutes apart
    const T1 = T0 + 20 * 60_000;
    const T2 = T1 + SIZE_MS;
    // (each in PostgreSQL before the next is sent: humidity and temperature are separate topics, so a measurement
    // completed later could otherwise overtake an earlier one, and then no window ends between them)
    const ahead = first.flatMap((d) => [reading(d, T1, 2, 44), reading(d, T2, 3, 43)]);
    for (const r of ahead) {
      sent.push(r);
      await publish(mqtt, messagesOf(r));
      await perReadingResults(r, 30_000);
    }
    // the summary job has taken them: its clock passed T2 - delay, and it emitted the window ending at the last slide
    // boundary before (holding only the first partition's readings at T1)
    const earlyEnd = Math.floor((T2 - parameter('watermarkDelaySeconds') * 1000) / SLIDE_MS) * SLIDE_MS;
    const ofWindow = (end: number) => (v: Record<string, unknown>) => v.tenant === TENANT && v.window_end === iso(end);
    const early = await waitFor(() => recorder.json(TOPICS.summary, ofWindow(earlyEnd)).at(-1), {
      timeoutMs: 60_000,
      what: `the window ending ${iso(earlyEnd)} emitted after the first partition resumed`,
    });
    expect(early.total_devices).toBe(first.length);

    // then the other partitions deliver their readings of the same times, behind the summary's clock
    const behind = others.flatMap((d) => [reading(d, T1, 2, 44), reading(d, T2, 3, 43)]);
    sent.push(...behind);
    const messages = behind.flatMap(messagesOf);
    await publish(mqtt, messages.slice(0, -1));
    // the last message the platform receives completes the last measurement; nothing follows it
    const last = behind.at(-1)!;
    await publish(mqtt, messages.slice(-1));
    const publishedAt = Date.now();
    await perReadingResults(last, PER_READING_MS);
    const latency = Date.now() - publishedAt;
    expect(latency, 'the last message in PostgreSQL, its streak and its state').toBeLessThanOrEqual(PER_READING_MS);
    for (const r of behind) await perReadingResults(r, PER_READING_MS);
    for (const d of [...first, ...others]) {
      expect(await redis.hgetall(droughtKey(d)), `${d}'s streak`).toMatchObject(streakOf(d));
    }

    // the window emitted before counts every device now (late readings within the allowed lateness update it)
    const all = [...first, ...others].length;
    await waitFor(() => recorder.json(TOPICS.summary, ofWindow(earlyEnd)).at(-1)?.total_devices === all, {
      timeoutMs: 30_000,
      what: `the window ending ${iso(earlyEnd)} re-emitted with all ${all} devices`,
    });
    const updated = recorder.json(TOPICS.summary, ofWindow(earlyEnd)).at(-1)!;
    expect(Object.fromEntries(SUMMARY_FIELDS.map((k) => [k, String(updated[k])]))).toEqual(summaryOf(sent, earlyEnd - SIZE_MS));

    // and the last window, closed by quietness, holds every device's last reading
    const closed = await waitFor(async () => {
      const hash = await redis.hgetall(summaryKey());
      return hash.window_start === iso(T2) ? hash : undefined;
    }, { timeoutMs: QUIET_MS + 90_000, intervalMs: 1000, what: `the last summary of ${ENV}/${TENANT}` });
    expect(pick(closed)).toEqual(summaryOf(sent, T2));
    expect(closed.total_devices).toBe(String(all));
  }, QUIET_MS + 240_000);

  it('dead-letters a reading later than the allowed lateness, and still keeps it in PostgreSQL and the streak', async () => {
    // two hours before the first readings: its newest window ended more than the allowed lateness before the clock
    const device = others[0]!;
    const late = { ...reading(device, T0 - 2 * 3_600_000, 9, 60), humidity: 60 }; // wet: it changes the streak
    expect(late.t - (late.t % SLIDE_MS) + SIZE_MS + LATENESS_MS).toBeLessThanOrEqual(Math.max(...sent.map((r) => r.t)));
    sent.push(late);
    await publish(mqtt, messagesOf(late));
    await waitFor(async () => (await rowOf(late)) !== undefined, { timeoutMs: PER_READING_MS, intervalMs: 100, what: 'the late reading in PostgreSQL' });
    expect(await rowOf(late)).toEqual({ seq: late.seq, humidity: late.humidity, temperature: late.temperature });
    await waitFor(async () => (await redis.hgetall(droughtKey(device))).first_event_ts === iso(late.t), {
      timeoutMs: PER_READING_MS,
      intervalMs: 100,
      what: `${device}'s streak counting the late reading`,
    });
    expect(await redis.hgetall(droughtKey(device))).toMatchObject(streakOf(device));

    const ofLate = (v: Record<string, unknown>) => v.source === 'flink' && String(v.rawPayload).includes(`"tenant":"${TENANT}"`);
    const letter = await waitFor(() => recorder.json(dlq, ofLate).at(0), { timeoutMs: 30_000, what: `a late dead letter of ${TENANT}` });
    expect(letter).toMatchObject({ source: 'flink', job: 'sensors-30-summary', receivedAt: expect.any(Number) });
    expect(String(letter.reason)).toMatch(/^late: /);
    // no state report precedes it in event time: it carries no online flag
    const { online, ...record } = JSON.parse(String(letter.rawPayload)) as Record<string, unknown>;
    expect(record).toEqual({
      env: ENV,
      tenant: TENANT,
      device_id: device,
      measured_at: iso(late.t),
      seq: late.seq,
      humidity: late.humidity,
      temperature: late.temperature,
    });
    expect(online ?? null).toBeNull();
    expect(recorder.json(dlq, ofLate), 'only the late reading is late').toHaveLength(1);
    // it is in no window: the summary stays the last window of the stream
    expect((await redis.hgetall(summaryKey())).window_start).toBe(iso(sent.filter((r) => r !== late).reduce((m, r) => Math.max(m, r.t - (r.t % SLIDE_MS)), 0)));
  }, 120_000);
});
