import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMETERS } from './parameters.ts';
import { RunGenerator, simulateRun, SLICE_NS, type RunOptions } from './run.ts';
import { parseTruth, truthLines } from './truth.ts';
import { decodeHits, encodeHits, encodeTracks } from './wire.ts';

const START = 1_767_225_600_000_000_000n; // 2026-01-01T00:00:00Z
const options = (seed: number, durationNs = 3e9): RunOptions & { durationNs: number } => ({ parameters: DEFAULT_PARAMETERS, seed, startNs: START, durationNs });
const bytes = (run: ReturnType<typeof simulateRun>) => [encodeTracks(run.tracks), encodeHits(run.hits), truthLines(run.hits)];

describe('a RICH run', () => {
  it('is the same bytes for the same inputs and differs for another seed', () => {
    expect(bytes(simulateRun(options(3)))).toEqual(bytes(simulateRun(options(3))));
    const [tracks, hits] = bytes(simulateRun(options(4)));
    expect(tracks).not.toEqual(bytes(simulateRun(options(3)))[0]);
    expect(hits).not.toEqual(bytes(simulateRun(options(3)))[1]);
  });

  it('is the same however it is advanced (the live batches concatenate to the whole run)', () => {
    const whole = simulateRun(options(5));
    const generator = new RunGenerator(options(5));
    const tracks = [];
    const hits = [];
    for (let until = 7_000_000; !generator.done; until += 7_000_000) {
      const batch = generator.advance(until);
      tracks.push(...batch.tracks);
      hits.push(...batch.hits);
      expect(batch.hits.every((h) => h.timeNs < START + BigInt(until))).toBe(true);
    }
    expect(encodeTracks(tracks)).toEqual(encodeTracks(whole.tracks));
    expect(truthLines(hits)).toEqual(truthLines(whole.hits));
    expect(7_000_000 % SLICE_NS).not.toBe(0);
  });

  it('keeps track times and hit identities unique, hits in time order, and the truth one line per hit', () => {
    // With no time or angle spread a track's photons share one ns and few pixels: identities collide.
    const parameters = { ...DEFAULT_PARAMETERS, timeResolutionNs: 0, angularResolutionMrad: 0, betaSpread: 0, trackRateHz: 1e4 };
    const run = simulateRun({ ...options(6, 0.1e9), parameters });
    expect(run.duplicatesDropped).toBeGreaterThan(0);
    expect(new Set(run.tracks.map((t) => t.timeNs)).size).toBe(run.tracks.length);
    expect(new Set(run.hits.map((h) => `${h.ix},${h.iy},${h.timeNs}`)).size).toBe(run.hits.length);
    expect(run.hits.every((h, i) => i === 0 || h.timeNs >= run.hits[i - 1]!.timeNs)).toBe(true);
    expect(run.tracks.every((t, i) => i === 0 || t.timeNs > run.tracks[i - 1]!.timeNs)).toBe(true);
    const trackIds = new Set(run.tracks.map((t) => t.timeNs));
    const truth = parseTruth(truthLines(run.hits));
    const wire = decodeHits(encodeHits(run.hits));
    expect(truth.map(({ ix, iy, timeNs }) => ({ ix, iy, timeNs }))).toEqual(wire);
    expect(truth.every((h) => h.trackId === null || (trackIds.has(h.trackId) && h.timeNs > h.trackId))).toBe(true);
    expect(truth.filter((h) => h.trackId !== null).length).toBeGreaterThan(30 * run.tracks.length);
    expect(run.hits.every((h) => h.ix >= 0 && h.ix < 240 && h.iy >= 0 && h.iy < 240)).toBe(true);
  });

  it('still makes the committed fixture scenarios/rich/fixtures/run-1 (run.json: seed 1, 1 s from 2026-01-01, defaults)', () => {
    const dir = fileURLToPath(new URL('../../scenarios/rich/fixtures/run-1/', import.meta.url));
    const committed = JSON.parse(readFileSync(`${dir}parameters.json`, 'utf8'));
    expect(committed).toEqual(DEFAULT_PARAMETERS);
    // Projects get run.json, not the binary files: their e2e tests rebuild the run from it, as here.
    const recipe = JSON.parse(readFileSync(`${dir}run.json`, 'utf8')) as { seed: number; startNs: string; durationSeconds: number };
    expect(recipe).toEqual({ seed: 1, startNs: String(START), durationSeconds: 1 });
    const run = simulateRun({ parameters: committed, seed: recipe.seed, startNs: BigInt(recipe.startNs), durationNs: recipe.durationSeconds * 1e9 });
    expect(encodeTracks(run.tracks)).toEqual(readFileSync(`${dir}tracks.bin`));
    expect(encodeHits(run.hits)).toEqual(readFileSync(`${dir}hits.bin`));
    expect(truthLines(run.hits)).toBe(readFileSync(`${dir}truth.jsonl`, 'utf8'));
  });
});
