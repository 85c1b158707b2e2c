// The RICH pipeline end to end on the running stack: the fixed simulated run of scenarios/rich/ (re-timed to now,
// published over MQTT as the detector's tenant, once per stack: helpers/scenario.ts) through the gateway's binary
// decoders, Kafka and Flink's ring filter (LABEL_RICH_HITS) into PostgreSQL and Redis, compared with the independent
// reference's labels and fits (scenarios/rich/expected-labels.jsonl): every hit labelled exactly as the reference
// labels it, every ring fit within stated tolerances. In trackless mode (iot-platform.yaml declares no tracks event)
// Flink's FIND_RICH_RINGS finds rings from the hits alone, and the tests check what that mode promises instead: every
// hit labelled once, one ring row per ring found, and efficiency 1.0 with no fake ring against the run's truth
// (helpers/trackless.ts). Then malformed records go to the dead-letter topic with their reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeHits, resolveParameters } from 'create-iot-platform/rich-simulator';
import { manifest, mqttClient, pgPool, redisClient, TopicRecorder } from './helpers/clients.ts';
import { expected, runHits, runTracks, runTruth, sortHits, storedHits, storedRings, topicOf, trackless } from './helpers/run.ts';
import { fixturePlayed, runStored, wanted, type Run } from './helpers/scenario.ts';
import { measureRings } from './helpers/trackless.ts';
import { waitFor } from './helpers/wait-for.ts';

const DLQ = 'rich.dlq';
const db = pgPool();
const redis = redisClient();
let run: Run;
let shift: bigint;
let recorder: TopicRecorder;

beforeAll(async () => {
  recorder = await TopicRecorder.start([DLQ]);
  ({ run, shift } = await fixturePlayed()); // published now, or by an earlier e2e file or session
}, 120_000);

afterAll(async () => {
  await recorder?.stop();
  await db.end();
  redis.disconnect();
});

describe.skipIf(trackless())('rich: hits labelled by ring geometry', () => {
  let want: ReturnType<typeof expected>;
  beforeAll(() => {
    want = expected(shift);
  });

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
});

describe.runIf(trackless())('rich, trackless: rings found from the hits alone', () => {
  beforeAll(async () => {
    await runStored(db, run, shift);
  }, 300_000);

  it('labels every hit of the run exactly once: signal with the id of a ring of the run, or noise', async () => {
    const hits = await storedHits(db, run);
    const published = sortHits(runHits().map((h) => ({ ...h, timeNs: String(h.timeNs + shift) })));
    expect(hits.map((h) => `${h.timeNs}|${h.ix}|${h.iy}`)).toEqual(published.map((h) => `${h.timeNs}|${h.ix}|${h.iy}`));
    const ringIds = new Set((await storedRings(db, run)).map((r) => String(r.track_id)));
    for (const h of hits) {
      if (h.label === 'signal') expect(ringIds.has(h.trackId!), `${h.timeNs} ${h.ix} ${h.iy}: ring ${h.trackId}`).toBe(true);
      else expect(h.trackId, `${h.timeNs} ${h.ix} ${h.iy}`).toBeNull();
    }
  });

  it('writes one rich_rings row per ring found: found, as many hits as it labelled, no track, its id its first hit', async () => {
    const labelled = new Map<string, bigint[]>();
    for (const h of await storedHits(db, run)) if (h.label === 'signal') labelled.set(h.trackId!, [...(labelled.get(h.trackId!) ?? []), BigInt(h.timeNs)]);
    const rings = await storedRings(db, run);
    expect(rings.map((r) => String(r.track_id)).sort()).toEqual([...labelled.keys()].sort());
    for (const ring of rings) {
      const times = labelled.get(String(ring.track_id))!;
      expect([ring.found, ring.hits, ring.ndf], String(ring.track_id)).toEqual([true, times.length, times.length - 3]);
      expect([ring.x, ring.y, ring.vx, ring.vy, ring.vz, ring.cherenkov_angle, ring.beta]).toEqual([null, null, null, null, null, null, null]);
      expect(BigInt(ring.track_id as string) >= times.reduce((a, b) => (a < b ? a : b)), String(ring.track_id)).toBe(true); // its first hit's time, or just after
    }
  });

  it("meets the contract's trackless figures against the run's truth: efficiency 1.0, no fake ring", async () => {
    const { minRingHits } = resolveParameters(manifest().parameters);
    const m = measureRings(await storedHits(db, run), runTruth(), shift, minRingHits);
    console.log(`trackless fixture run: ${JSON.stringify(m)}`);
    expect(m.findableTracks).toBeGreaterThan(0);
    expect(m.efficiency).toBe(1);
    expect(m.fakeRings).toBe(0);
  });
});

describe("rich: the run's live counters and dead letters", () => {
  // In trackless mode the `tracks` counter counts the rings found, as the API's tracks (rich_rings rows) do.
  it("keeps the run's live counters in Redis", async () => {
    await runStored(db, run, shift);
    const want = await wanted(db, run, shift);
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
  }, 300_000);

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
