// The RICH run of one dark rate, held compactly for the measures of docs/rich-data-contract.md ("Measures"):
// the simulated run written as the JSON the platform's Flink tables read (what the ingest gateway makes of the wire
// records), its truth in typed arrays, the prior time-only filter, and precision / recall / efficiency / fake rings
// per event of any labelling. Definitions as scenarios/rich/reference_rings.py --measure, computed in O(n log n).
import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeHits, encodeTracks, RunGenerator, truthLines, type RichParameters, type SimTrack } from '../../runtime/rich-simulator/index.ts';

/** The prior time-only filter's half window: a hit is signal when |th − tT| ≤ 70 µs for some track. */
export const TIME_ONLY_WINDOW_NS = 70_000;

export interface RichRun {
  startNs: bigint;
  tracks: SimTrack[];
  /** Track times as ns after startNs, ascending (exact: runs are far shorter than 2^53 ns). */
  trackOffset: Float64Array;
  /** Hits in (time, ix, iy) order: time as ns after startNs, pixel, and the true track's index (−1: dark count). */
  hitOffset: Float64Array;
  hitIx: Int32Array;
  hitIy: Int32Array;
  truth: Int32Array;
  trueSignal: number;
  duplicatesDropped: number;
}

export interface Measures {
  precision: number | null;
  recall: number | null;
  efficiency: number | null;
  fakeRingsPerEvent: number | null;
  labelledSignal: number;
  findableTracks: number;
  trueRings: number;
  fakeRings: number;
}

const NS_PER_S = 1_000_000_000;

/** Lines as the ingest gateway writes the wire records to rich.tracks.v1 / rich.hits.v1 (JSON; floats are the float32 values). */
function jsonTime(startSec: number, offsetNs: number): string {
  return `"timeSec":${startSec + Math.floor(offsetNs / NS_PER_S)},"timeNanosec":${offsetNs % NS_PER_S}`;
}

async function write(stream: NodeJS.WritableStream, text: string | Uint8Array): Promise<void> {
  if (!stream.write(text)) await new Promise((resolve) => stream.once('drain', resolve));
}

async function close(stream: ReturnType<typeof createWriteStream>): Promise<void> {
  await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

/**
 * Simulates the run (seeded) and writes, in `dir`, tracks.json and hits.json (one JSON object a line, time order, key
 * columns env/tenant/runId as the gateway's) and the run as the simulator's files (parameters.json, tracks.bin,
 * hits.bin, truth.jsonl: what scenarios/rich/reference_rings.py reads), while keeping the truth. startSec: the
 * detector's start, a whole second.
 */
export async function simulateToFiles(
  options: { parameters: RichParameters; seed: number; startSec: number; durationNs: number; env: string; tenant: string; runId: string },
  dir: string,
): Promise<RichRun> {
  const startNs = BigInt(options.startSec) * BigInt(NS_PER_S);
  const generator = new RunGenerator({ parameters: options.parameters, seed: options.seed, startNs, durationNs: options.durationNs });
  const keys = `"env":"${options.env}","tenant":"${options.tenant}","runId":"${options.runId}"`;
  const ingestedAt = options.startSec * 1000;
  const tracks: SimTrack[] = [];
  const trackIndex = new Map<bigint, number>();
  let capacity = 1 << 16;
  let hitOffset = new Float64Array(capacity), hitIx = new Int32Array(capacity), hitIy = new Int32Array(capacity), truth = new Int32Array(capacity);
  let n = 0;
  let trueSignal = 0;
  const tracksOut = createWriteStream(join(dir, 'tracks.json'));
  const hitsOut = createWriteStream(join(dir, 'hits.json'));
  const wire = ['tracks.bin', 'hits.bin', 'truth.jsonl'].map((name) => createWriteStream(join(dir, name)));
  writeFileSync(join(dir, 'parameters.json'), JSON.stringify(options.parameters, null, 2) + '\n');
  // in steps of 0.5 ms of detector time: the returned hit objects (with their bigints) are made a step at a time
  for (let until = 500_000; !generator.done; until += 500_000) {
    const step = generator.advance(until);
    let text = '';
    for (const t of step.tracks) {
      trackIndex.set(t.timeNs, tracks.length);
      tracks.push(t);
      const f = (v: number) => String(Math.fround(v));
      text += `{${keys},"x":${f(t.x)},"y":${f(t.y)},"z":${f(t.z)},"vx":${f(t.vx)},"vy":${f(t.vy)},"vz":${f(t.vz)},${jsonTime(options.startSec, Number(t.timeNs - startNs))},"ingestedAt":${ingestedAt}}\n`;
    }
    await write(tracksOut, text);
    await write(wire[0]!, encodeTracks(step.tracks));
    await write(wire[1]!, encodeHits(step.hits));
    await write(wire[2]!, truthLines(step.hits));
    if (n + step.hits.length > capacity) {
      while (n + step.hits.length > capacity) capacity *= 2;
      const grow = <T extends Float64Array | Int32Array>(a: T, make: (size: number) => T) => {
        const b = make(capacity);
        b.set(a);
        return b;
      };
      hitOffset = grow(hitOffset, (s) => new Float64Array(s));
      hitIx = grow(hitIx, (s) => new Int32Array(s));
      hitIy = grow(hitIy, (s) => new Int32Array(s));
      truth = grow(truth, (s) => new Int32Array(s));
    }
    const lines: string[] = [];
    for (const h of step.hits) {
      const offset = Number(h.timeNs - startNs);
      hitOffset[n] = offset;
      hitIx[n] = h.ix;
      hitIy[n] = h.iy;
      const k = h.trackId === null ? -1 : trackIndex.get(h.trackId);
      if (k === undefined) throw new Error(`hit of an unknown track ${h.trackId}`);
      truth[n] = k;
      if (k >= 0) trueSignal++;
      n++;
      lines.push(`{${keys},"ix":${h.ix},"iy":${h.iy},${jsonTime(options.startSec, offset)},"ingestedAt":${ingestedAt}}\n`);
      if (lines.length === 50_000) await write(hitsOut, lines.splice(0).join(''));
    }
    await write(hitsOut, lines.join(''));
  }
  await Promise.all([tracksOut, hitsOut, ...wire].map(close));
  return {
    startNs,
    tracks,
    trackOffset: Float64Array.from(tracks, (t) => Number(t.timeNs - startNs)),
    hitOffset: hitOffset.subarray(0, n),
    hitIx: hitIx.subarray(0, n),
    hitIy: hitIy.subarray(0, n),
    truth: truth.subarray(0, n),
    trueSignal,
    duplicatesDropped: generator.duplicatesDropped,
  };
}

/** First index whose value is ≥ x (upper: > x) in an ascending array. */
export function bound(values: Float64Array, x: number, upper = false): number {
  let lo = 0, hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < x || (upper && values[mid] === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The index of the hit (offset, ix, iy), or −1. */
export function findHit(run: RichRun, offset: number, ix: number, iy: number): number {
  for (let i = bound(run.hitOffset, offset); i < run.hitOffset.length && run.hitOffset[i] === offset; i++) {
    if (run.hitIx[i] === ix && run.hitIy[i] === iy) return i;
  }
  return -1;
}

/**
 * The contract's measures of a labelling. signal[i]: hit i labelled signal; ringHits[k]: the hits track k's ring
 * keeps (−1: no ring); ringOwn[k]: how many of them truly belong to track k.
 */
export function measure(run: RichRun, minRingHits: number, signal: Uint8Array, ringHits: Int32Array, ringOwn: Int32Array): Measures {
  let labelled = 0, truePositive = 0;
  const perTrack = new Int32Array(run.tracks.length);
  for (let i = 0; i < signal.length; i++) {
    const k = run.truth[i]!;
    if (k >= 0) perTrack[k]!++;
    if (!signal[i]) continue;
    labelled++;
    if (k >= 0) truePositive++;
  }
  let findable = 0, foundTrue = 0, trueRings = 0, fake = 0;
  for (let k = 0; k < run.tracks.length; k++) {
    const isFindable = perTrack[k]! >= minRingHits;
    if (isFindable) findable++;
    if (ringHits[k]! < 0) continue;
    if (2 * ringOwn[k]! > ringHits[k]!) {
      trueRings++;
      if (isFindable) foundTrue++;
    } else fake++;
  }
  return measuresOf(run, { labelled, truePositive, findable, foundTrue, trueRings, fakeRings: fake });
}

/** The contract's measures from the counts of a labelling (track mode or trackless). */
export function measuresOf(run: RichRun, c: { labelled: number; truePositive: number; findable: number; foundTrue: number; trueRings: number; fakeRings: number }): Measures {
  return {
    precision: c.labelled ? c.truePositive / c.labelled : null,
    recall: run.trueSignal ? c.truePositive / run.trueSignal : null,
    efficiency: c.findable ? c.foundTrue / c.findable : null,
    fakeRingsPerEvent: run.tracks.length ? c.fakeRings / run.tracks.length : null,
    labelledSignal: c.labelled,
    findableTracks: c.findable,
    trueRings: c.trueRings,
    fakeRings: c.fakeRings,
  };
}

/** The prior time-only filter: a hit is signal within ±70 µs of a track; a track's ring is every hit within ±70 µs of it. */
export function timeOnly(run: RichRun, minRingHits: number): Measures {
  const signal = new Uint8Array(run.hitOffset.length);
  const ringHits = new Int32Array(run.tracks.length);
  const ringOwn = new Int32Array(run.tracks.length);
  for (let k = 0; k < run.tracks.length; k++) {
    const t = run.trackOffset[k]!;
    const first = bound(run.hitOffset, t - TIME_ONLY_WINDOW_NS);
    const last = bound(run.hitOffset, t + TIME_ONLY_WINDOW_NS, true);
    signal.fill(1, first, last);
    ringHits[k] = last - first;
  }
  for (let i = 0; i < run.truth.length; i++) {
    const k = run.truth[i]!;
    if (k >= 0 && Math.abs(run.hitOffset[i]! - run.trackOffset[k]!) <= TIME_ONLY_WINDOW_NS) ringOwn[k]!++;
  }
  for (let k = 0; k < ringHits.length; k++) if (ringHits[k]! < minRingHits) ringHits[k] = -1;
  return measure(run, minRingHits, signal, ringHits, ringOwn);
}
