// The trackless measures of a generated RICH project's e2e tests (blueprints/rich/files/test/e2e/helpers/trackless.ts,
// computed from stored rows against the fixture run's truth) agree with the benchmark's (scripts/bench/rich-trackless.ts)
// on a simulated run labelled with the mistakes a ring finder can make: a ring split in two, a ring that took
// noise, a ring of noise only, a track left without a ring.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureRings } from '../blueprints/rich/files/test/e2e/helpers/trackless.ts';
import { DEFAULT_PARAMETERS } from '../runtime/rich-simulator/index.ts';
import { simulateToFiles, type RichRun } from '../scripts/bench/rich-measures.ts';
import { measureTrackless } from '../scripts/bench/rich-trackless.ts';

const START_SEC = 1_767_225_600;
const SHIFT = 7_000_000_000n; // the stored run is re-timed, as the e2e fixture is
const MIN_RING_HITS = DEFAULT_PARAMETERS.minRingHits;

let dir: string;
let run: RichRun;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'iotp-rich-measures-'));
  run = await simulateToFiles({ parameters: { ...DEFAULT_PARAMETERS }, seed: 5, startSec: START_SEC, durationNs: 2e9, env: 'e2e', tenant: 'fixture', runId: 'r' }, dir);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Ring ids per hit (−1: noise): one ring per track with the mistakes above, ids any integers. */
function labelling(): Int32Array {
  const ringOf = Int32Array.from(run.truth);
  const hitsOf = (k: number) => run.truth.filter((t) => t === k).length;
  const [split, noisy, missed] = [...new Set(run.truth)].filter((k) => k >= 0 && hitsOf(k) >= 2 * MIN_RING_HITS);
  const noise = [...run.truth.keys()].filter((i) => run.truth[i]! < 0);
  let secondHalf = false;
  for (let i = 0; i < ringOf.length; i++) {
    if (ringOf[i] === split) {
      if (secondHalf) ringOf[i] = 100_000;
      secondHalf = !secondHalf;
    } else if (ringOf[i] === missed) ringOf[i] = -1;
  }
  noise.slice(0, 3).forEach((i) => (ringOf[i] = noisy!));
  noise.slice(3, 3 + MIN_RING_HITS).forEach((i) => (ringOf[i] = 200_000));
  return ringOf;
}

/** The labelling as the e2e test reads it from PostgreSQL, and the run's truth as it rebuilds it. */
function asStored(ringOf: Int32Array) {
  const timeNs = (i: number) => run.startNs + BigInt(run.hitOffset[i]!);
  const labels = [...ringOf].map((ring, i) => ({
    ix: run.hitIx[i]!, iy: run.hitIy[i]!, timeNs: String(timeNs(i) + SHIFT),
    label: ring < 0 ? ('noise' as const) : ('signal' as const), trackId: ring < 0 ? null : String(ring),
  }));
  const truth = [...run.truth].map((k, i) => ({ ix: run.hitIx[i]!, iy: run.hitIy[i]!, timeNs: timeNs(i), trackId: k < 0 ? null : run.tracks[k]!.timeNs }));
  return { labels, truth };
}

describe('the e2e trackless measures', () => {
  it("equal the benchmark's on a labelling with split, noisy, fake and missing rings", () => {
    const ringOf = labelling();
    const { labels, truth } = asStored(ringOf);
    const bench = measureTrackless(run, MIN_RING_HITS, ringOf);
    const e2e = measureRings(labels, truth, SHIFT, MIN_RING_HITS);
    expect(bench.fakeRings).toBe(1);
    expect(bench.efficiency).toBeLessThan(1);
    expect(e2e).toEqual({
      findableTracks: bench.findableTracks, trueRings: bench.trueRings, fakeRings: bench.fakeRings,
      efficiency: bench.efficiency, precision: bench.precision, recall: bench.recall,
    });
  });

  it('give efficiency 1 and no fake ring for the truth itself', () => {
    const { labels, truth } = asStored(Int32Array.from(run.truth));
    expect(measureRings(labels, truth, SHIFT, MIN_RING_HITS)).toMatchObject({ efficiency: 1, fakeRings: 0, precision: 1, recall: 1 });
  });

  it('refuse a stored hit the run does not have', () => {
    const { labels, truth } = asStored(Int32Array.from(run.truth));
    const signal = labels.findIndex((h) => h.label === 'signal');
    labels[signal] = { ...labels[signal]!, ix: labels[signal]!.ix + 1000 };
    expect(() => measureRings(labels, truth, SHIFT, MIN_RING_HITS)).toThrow(/is not in the run/);
  });
});
