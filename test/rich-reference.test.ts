// The independent reference of the RICH ring filter (scenarios/rich/reference_rings.py, Python standard library)
// on simulated runs: its measures against the truth, and the committed expected labels of the fixture run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMETERS, type RichParameters } from '../runtime/rich-simulator/parameters.ts';
import { writeRunFiles } from '../runtime/rich-simulator/files.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const REFERENCE = join(ROOT, 'scenarios/rich/reference_rings.py');
const FIXTURE = join(ROOT, 'scenarios/rich/fixtures/run-1');

interface Measures {
  precision: number;
  recall: number;
  efficiency: number;
  fakeRingsPerEvent: number;
  labelledSignal: number;
  findableTracks: number;
}

function reference(runDir: string, extra: string[] = []): string {
  const files = ['--tracks', join(runDir, 'tracks.bin'), '--hits', join(runDir, 'hits.bin'), '--params', join(runDir, 'parameters.json')];
  return execFileSync('python3', [REFERENCE, ...files, ...extra], { encoding: 'utf8', maxBuffer: 1 << 28 });
}

let dir: string;

function measure(name: string, parameters: RichParameters, seed: number, seconds: number) {
  const runDir = join(dir, name);
  writeRunFiles(runDir, { parameters, seed, startNs: 1_767_225_600_000_000_000n, durationNs: seconds * 1e9 });
  return JSON.parse(reference(runDir, ['--measure', join(runDir, 'truth.jsonl')])) as { tracks: number; trueSignalHits: number; ringFilter: Measures; timeOnly: Measures };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rich-reference-'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the RICH reference ring filter', () => {
  it('finds the rings at the default dark rate: precision and recall ≥ 0.95; the time-only filter is measured too', () => {
    const m = measure('default', DEFAULT_PARAMETERS, 21, 20);
    console.log(`default dark rate, ${m.tracks} tracks: ${JSON.stringify(m)}`);
    expect(m.tracks).toBeGreaterThan(150);
    expect(m.ringFilter.precision).toBeGreaterThanOrEqual(0.95);
    expect(m.ringFilter.recall).toBeGreaterThanOrEqual(0.95);
    expect(m.ringFilter.efficiency).toBeGreaterThanOrEqual(0.95);
    expect(m.ringFilter.fakeRingsPerEvent).toBeLessThan(0.05);
    for (const key of ['precision', 'recall', 'efficiency', 'fakeRingsPerEvent'] as const) {
      expect(m.timeOnly[key]).toBeGreaterThanOrEqual(0);
      expect(m.timeOnly[key]).toBeLessThanOrEqual(1);
    }
  });

  it('keeps its precision where dark noise swamps the time-only filter (30× the default dark rate)', () => {
    const m = measure('noisy', { ...DEFAULT_PARAMETERS, darkRatePerPixelHz: 30 * DEFAULT_PARAMETERS.darkRatePerPixelHz }, 22, 5);
    console.log(`30× dark rate, ${m.tracks} tracks: ${JSON.stringify(m)}`);
    expect(m.ringFilter.precision).toBeGreaterThanOrEqual(0.95);
    expect(m.ringFilter.recall).toBeGreaterThanOrEqual(0.95);
    expect(m.timeOnly.precision).toBeLessThan(m.ringFilter.precision);
  });

  it('gives the committed expected-labels.jsonl on the committed fixture, one line per hit and per track', () => {
    const output = reference(FIXTURE);
    expect(output).toBe(readFileSync(join(ROOT, 'scenarios/rich/expected-labels.jsonl'), 'utf8'));
    const lines = output.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const hits = lines.filter((l) => l.kind === 'hit');
    const rings = lines.filter((l) => l.kind === 'ring');
    expect(hits).toHaveLength(readFileSync(join(FIXTURE, 'hits.bin')).length / 24);
    expect(rings).toHaveLength(readFileSync(join(FIXTURE, 'tracks.bin')).length / 40);
    // A found ring's hits are the hits labelled with its track; a ring not found has no hits and no fit.
    for (const ring of rings) {
      expect(hits.filter((h) => h.trackId === ring.trackId)).toHaveLength(ring.hits as number);
      if (!ring.found) expect([ring.hits, ring.radius, ring.chi2]).toEqual([0, null, null]);
      else expect(ring.ndf).toBe((ring.hits as number) - 3);
    }
    expect(hits.every((h) => (h.label === 'signal') === (h.trackId !== null))).toBe(true);
  });
});
