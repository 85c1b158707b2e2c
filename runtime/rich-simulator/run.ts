// A run: (parameters, seed, detector start time, duration) → tracks and time-ordered hits with their truth.
// Detector time is generated in fixed slices of SLICE_NS, in one order of draws (the slice's tracks with their
// photons, then its dark counts), so the run is the same byte for byte however a consumer advances through it.
import { darkGapNs, darkPixel, drawTrack, trackGapNs, trackHits, type Track } from './physics.ts';
import type { RichParameters } from './parameters.ts';
import { Rng } from './prng.ts';

export const SLICE_NS = 100_000_000;

export interface RunOptions {
  parameters: RichParameters;
  seed: number;
  /** Detector time of the run's start, ns since the epoch. */
  startNs: bigint;
  /** Tracks and dark counts happen in [start, start + duration); undefined: no end (live). */
  durationNs?: number;
}

export interface SimTrack {
  timeNs: bigint;
  x: number;
  y: number;
  z: number;
  vx: number;
  vy: number;
  vz: number;
}

export interface SimHit {
  ix: number;
  iy: number;
  timeNs: bigint;
  /** The track whose photon made the hit (its timeNs), null for a dark count. */
  trackId: bigint | null;
}

interface PendingHit {
  ix: number;
  iy: number;
  offsetNs: number;
  track: Track | null;
}

const byTimeThenPixel = (a: PendingHit, b: PendingHit) => a.offsetNs - b.offsetNs || a.ix - b.ix || a.iy - b.iy;

export class RunGenerator {
  private readonly rng: Rng;
  private readonly p: RichParameters;
  private readonly startNs: bigint;
  private readonly endNs: number;
  private generatedNs = 0;
  private nextTrackNs: number;
  private nextDarkNs: number;
  private pendingTracks: Track[] = [];
  private pendingHits: PendingHit[] = [];
  /** Identities (ix, iy, offset) of the pending hits: a hit that repeats one is dropped (the pixel fired once). */
  private identities = new Set<string>();
  /** Photons lost because their (ix, iy, ns) was already a hit. */
  duplicatesDropped = 0;

  constructor(options: RunOptions) {
    this.rng = new Rng(options.seed);
    this.p = options.parameters;
    this.startNs = options.startNs;
    this.endNs = options.durationNs ?? Infinity;
    this.nextTrackNs = this.p.trackRateHz > 0 ? trackGapNs(this.rng, this.p) : Infinity;
    this.nextDarkNs = this.p.darkRatePerPixelHz > 0 ? darkGapNs(this.rng, this.p) : Infinity;
  }

  /** True when every track and hit of a finite run has been returned. */
  get done(): boolean {
    return this.generatedNs >= this.endNs && this.pendingTracks.length === 0 && this.pendingHits.length === 0;
  }

  /** The tracks and hits before `untilNs` (ns from the start) not returned yet, each in time order; Infinity: all the rest of a finite run. */
  advance(untilNs: number): { tracks: SimTrack[]; hits: SimHit[] } {
    if (untilNs === Infinity && this.endNs === Infinity) throw new Error('a run without a duration has no end');
    while (this.generatedNs < Math.min(untilNs, this.endNs)) this.generateSlice();
    const tracks = this.take(this.pendingTracks, (t) => t.offsetNs < untilNs);
    this.pendingHits.sort(byTimeThenPixel);
    const hits = this.take(this.pendingHits, (h) => h.offsetNs < untilNs);
    for (const h of hits) this.identities.delete(`${h.ix},${h.iy},${h.offsetNs}`);
    return {
      tracks: tracks.map((t) => ({ timeNs: this.startNs + BigInt(t.offsetNs), x: t.x, y: t.y, z: t.z, vx: t.vx, vy: t.vy, vz: t.vz })),
      hits: hits.map((h) => ({
        ix: h.ix,
        iy: h.iy,
        timeNs: this.startNs + BigInt(h.offsetNs),
        trackId: h.track ? this.startNs + BigInt(h.track.offsetNs) : null,
      })),
    };
  }

  /** Removes and returns the leading items of a time-ordered list that pass `before`. */
  private take<T>(list: T[], before: (item: T) => boolean): T[] {
    let count = 0;
    while (count < list.length && before(list[count]!)) count++;
    return list.splice(0, count);
  }

  private generateSlice(): void {
    const sliceEnd = Math.min(this.generatedNs + SLICE_NS, this.endNs);
    while (this.nextTrackNs < sliceEnd) {
      const track = drawTrack(this.rng, this.p, this.nextTrackNs);
      this.pendingTracks.push(track);
      for (const hit of trackHits(this.rng, this.p, track)) this.addHit({ ...hit, track });
      this.nextTrackNs += trackGapNs(this.rng, this.p);
    }
    while (this.nextDarkNs < sliceEnd) {
      const [ix, iy] = darkPixel(this.rng, this.p);
      this.addHit({ ix, iy, offsetNs: this.nextDarkNs, track: null });
      this.nextDarkNs += darkGapNs(this.rng, this.p);
    }
    this.generatedNs = sliceEnd;
  }

  private addHit(hit: PendingHit): void {
    const identity = `${hit.ix},${hit.iy},${hit.offsetNs}`;
    if (this.identities.has(identity)) {
      this.duplicatesDropped++;
      return;
    }
    this.identities.add(identity);
    this.pendingHits.push(hit);
  }
}

/** A whole finite run in memory. */
export function simulateRun(options: RunOptions & { durationNs: number }): { tracks: SimTrack[]; hits: SimHit[]; duplicatesDropped: number } {
  const generator = new RunGenerator(options);
  const { tracks, hits } = generator.advance(Infinity);
  return { tracks, hits, duplicatesDropped: generator.duplicatesDropped };
}
