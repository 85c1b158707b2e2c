// The RICH pipeline end to end on the running stack: the fixed simulated run of scenarios/rich/ (re-timed to now,
// published over MQTT as the detector's tenant, once per stack: helpers/scenario.ts) through the gateway's binary decoders, Kafka and Flink's ring filter
// (LABEL_RICH_HITS) into PostgreSQL and Redis, compared with the independent reference's labels and fits
// (scenarios/rich/expected-labels.jsonl): every hit labelled exactly as the reference labels it, every ring fit
// within stated tolerances. Then malformed records go to the dead-letter topic with their reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeHits } from 'create-iot-platform/rich-simulator';
import { mqttClient, pgPool, redisClient, TopicRecorder } from './helpers/clients.ts';
import { expected, runTracks, storedHits, storedRings, topicOf } from './helpers/run.ts';
import { fixturePlayed, type Run } from './helpers/scenario.ts';
import { waitFor } from './helpers/wait-for.ts';

const DLQ = 'rich.dlq';
const db = pgPool();
const redis = redisClient();
let run: Run;
let shift: bigint;
let want: ReturnType<typeof expected>;
let recorder: TopicRecorder;

beforeAll(async () => {
  recorder = await TopicRecorder.start([DLQ]);
  ({ run, shift } = await fixturePlayed()); // published now, or by an earlier e2e file or session
  want = expected(shift);
}, 120_000);

afterAll(async () => {
  await recorder?.stop();
  await db.end();
  redis.disconnect();
});

describe('rich: hits labelled by ring geometry', () => {
  it('labels every hit of the run exactly as the reference: signal with its track, or noise, each once', async () => {
    const hits = await waitFor(async () => {
      const stored = await storedHits(db, run);
      return stored.length >= want.hits.length ? stored : undefined;
    }, { timeoutMs: 180_000, intervalMs: 1000, what: `${want.hits.length} labelled hits in PostgreSQL` });
    expect(hits).toEqual(want.hits);
    expect(want.hits.filter((h) => h.label === 'signal').length).toBeGreaterThan(100); // the run has rings, not only noise
  }, 240_000);

  it("fits every track's ring as the reference (hits exactly; centre and radius within 1e-6 mm, angle and β within 1e-9)", async () => {
    const rings = await waitFor(async () => {
      const stored = await storedRings(db, run);
      return stored.length >= want.rings.length ? stored : undefined;
    }, { timeoutMs: 60_000, intervalMs: 1000, what: `${want.rings.length} ring rows in PostgreSQL` });
    expect(rings.map((r) => ({ trackId: r.track_id, found: r.found, hits: r.hits, ndf: r.ndf }))).toEqual(
      want.rings.map((r) => ({ trackId: r.trackId, found: r.found, hits: r.hits, ndf: r.ndf })));
    const tracks = new Map(runTracks().map((t) => [String(t.timeNs + shift), t]));
    for (const [i, ring] of want.rings.entries()) {
      const row = rings[i]!;
      for (const [column, field, tolerance] of [['centre_x', 'centreX', 1e-6], ['centre_y', 'centreY', 1e-6], ['radius', 'radius', 1e-6], ['chi2', 'chi2', 1e-6], ['cherenkov_angle', 'cherenkovAngle', 1e-9], ['beta', 'beta', 1e-9]] as const) {
        if (ring[field] === null) expect(row[column], `${ring.trackId} ${column}`).toBeNull();
        else expect(Math.abs(Number(row[column]) - ring[field]!), `${ring.trackId} ${column}`).toBeLessThanOrEqual(tolerance);
      }
      const track = tracks.get(ring.trackId)!;
      expect([row.x, row.y, row.vx, row.vy, row.vz]).toEqual([track.x, track.y, track.vx, track.vy, track.vz]);
    }
  }, 120_000);

  it("keeps the run's live counters in Redis", async () => {
    const signal = want.hits.filter((h) => h.label === 'signal').length;
    const expectedCounters = {
      hits: String(want.hits.length), signal_hits: String(signal), noise_hits: String(want.hits.length - signal),
      tracks: String(want.rings.length), rings_found: String(want.rings.filter((r) => r.found).length),
    };
    await waitFor(async () => {
      const hash = await redis.hgetall(`rich:${run.env}:${run.tenant}:run:${run.runId}`);
      const got = Object.fromEntries(Object.keys(expectedCounters).map((k) => [k, hash[k]]));
      return JSON.stringify(got) === JSON.stringify(expectedCounters) ? got : undefined;
    }, { timeoutMs: 60_000, intervalMs: 500, what: `the Redis counters ${JSON.stringify(expectedCounters)}` });
  }, 90_000);

  it('dead-letters malformed records with the reason: a wrong length, a pixel off the detector, time going back too far', async () => {
    const bad = { ...run, runId: 'malformed' };
    const mqtt = await mqttClient();
    const timeNs = BigInt(Date.now()) * 1_000_000n;
    try {
      await mqtt.publishAsync(topicOf('hits', bad), Buffer.concat([encodeHits([{ ix: 1, iy: 2, timeNs }]), Buffer.from([0])]));
      await mqtt.publishAsync(topicOf('hits', bad), encodeHits([{ ix: 240, iy: 2, timeNs }]));
      // On time, then 5 s behind it: the manifest allows none.
      await mqtt.publishAsync(topicOf('hits', bad), encodeHits([{ ix: 3, iy: 4, timeNs }, { ix: 5, iy: 6, timeNs: timeNs - 5_000_000_000n }]));
    } finally {
      await mqtt.endAsync();
    }
    const reasons = await waitFor(() => {
      const mine = recorder.json(DLQ).filter((d) => String(d.mqttTopic).includes(`/${run.tenant}/`)).map((d) => String(d.reason));
      return mine.length >= 3 ? mine : undefined;
    }, { timeoutMs: 30_000, what: 'three dead letters of the malformed hits' });
    expect(reasons).toHaveLength(3);
    expect(reasons[0]).toMatch(/^hits: payload of 25 bytes is not a whole number of 24-byte records/);
    expect(reasons[1]).toMatch(/^hits: record 0: field ix .*239/);
    expect(reasons[2]).toBe(`hits: record 1: late: its time ${timeNs - 5_000_000_000n} ns is 5000000000 ns behind the newest of key ${bad.env}|${bad.tenant}|${bad.runId} (${timeNs} ns), beyond the allowed 0 ms`);
  }, 60_000);
});
