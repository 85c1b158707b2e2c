// The RICH scenario: the fixed simulated run of scenarios/rich/fixtures/run-1 (rebuilt by the platform's simulator
// from run.json and parameters.json, as the platform's tests prove it rebuilds the committed wire records byte for
// byte) and the labels and ring fits the independent reference computed for it
// (scenarios/rich/expected-labels.jsonl). The stream's clock is the detector's, so the run is re-timed to start now
// (a shift by whole seconds: the filter uses time differences only, so labels and fits do not change) and published
// over MQTT as the detector's tenant, one message per 10 ms of detector time and kind, as iot-rich-sim does live.
// In trackless mode (iot-platform.yaml declares no tracks event) only the hits are published and the reference does
// not apply: the run's truth (which track made each hit) judges the rings found instead (helpers/trackless.ts).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { decodeTracks, encodeHits, encodeTracks, resolveParameters, simulateRun, type WireHit, type WireTrack } from 'create-iot-platform/rich-simulator';
import { manifest, mqttClient } from './clients.ts';

export const SCENARIO = join(process.cwd(), 'scenarios', 'rich');
const RUN = join(SCENARIO, 'fixtures', 'run-1');
const NS_PER_S = 1_000_000_000n;
const BATCH_NS = 10_000_000n;

export interface ExpectedHit { ix: number; iy: number; timeNs: string; label: 'signal' | 'noise'; trackId: string | null }
export interface ExpectedRing {
  trackId: string; found: boolean; hits: number; centreX: number | null; centreY: number | null; radius: number | null;
  chi2: number | null; ndf: number | null; cherenkovAngle: number | null; beta: number | null;
}

/** The run's truth: each hit with the track whose photon made it (its unshifted time), null for a dark count. */
export interface TrueHit extends WireHit { trackId: bigint | null }

/** Trackless mode: the manifest declares no tracks event, so Flink finds rings from the hits alone. */
export const trackless = (): boolean => !manifest().events.tracks;

let run: { tracks: WireTrack[]; hits: TrueHit[] } | undefined;
function fixtureRun() {
  if (!run) {
    const recipe = JSON.parse(readFileSync(join(RUN, 'run.json'), 'utf8')) as { seed: number; startNs: string; durationSeconds: number };
    const parameters = resolveParameters(JSON.parse(readFileSync(join(RUN, 'parameters.json'), 'utf8')) as Record<string, unknown>);
    const simulated = simulateRun({ parameters, seed: recipe.seed, startNs: BigInt(recipe.startNs), durationNs: recipe.durationSeconds * 1e9 });
    // The wire carries float32 coordinates: the tracks as a reader of the topic sees them.
    run = { tracks: decodeTracks(encodeTracks(simulated.tracks)), hits: simulated.hits.map(({ ix, iy, timeNs, trackId }) => ({ ix, iy, timeNs, trackId })) };
  }
  return run;
}
export const runTracks = (): WireTrack[] => fixtureRun().tracks;
export const runHits = (): WireHit[] => fixtureRun().hits.map(({ ix, iy, timeNs }) => ({ ix, iy, timeNs }));
export const runTruth = (): TrueHit[] => fixtureRun().hits;

/**
 * The reference's output for the fixture run under the project's filter parameters, times shifted by `shift` ns:
 * expected-labels.jsonl when they are the fixture's, else the reference (python3) run on the rebuilt wire records.
 */
export function expected(shift: bigint): { hits: ExpectedHit[]; rings: ExpectedRing[] } {
  const lines = referenceOutput().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const moved = (ns: unknown) => (ns === null ? null : String(BigInt(ns as string) + shift));
  const hits = lines.filter((l) => l.kind === 'hit').map((l) => ({ ix: l.ix, iy: l.iy, timeNs: moved(l.timeNs)!, label: l.label, trackId: moved(l.trackId) }) as ExpectedHit);
  const rings = lines.filter((l) => l.kind === 'ring').map(({ kind: _kind, trackId, ...fit }) => ({ trackId: moved(trackId)!, ...fit }) as ExpectedRing);
  return { hits: sortHits(hits), rings: rings.sort((a, b) => compare(a.trackId, b.trackId)) };
}

function referenceOutput(): string {
  const fixture = JSON.parse(readFileSync(join(RUN, 'parameters.json'), 'utf8')) as Record<string, number>;
  const project = Object.fromEntries(Object.keys(fixture).map((name) => [name, manifest().parameters[name] ?? fixture[name]!]));
  if (Object.keys(fixture).every((name) => project[name] === fixture[name])) return readFileSync(join(SCENARIO, 'expected-labels.jsonl'), 'utf8');
  const dir = mkdtempSync(join(tmpdir(), 'rich-reference-'));
  try {
    writeFileSync(join(dir, 'tracks.bin'), encodeTracks(runTracks()));
    writeFileSync(join(dir, 'hits.bin'), encodeHits(runHits()));
    writeFileSync(join(dir, 'parameters.json'), JSON.stringify(project));
    const result = spawnSync('python3', [join(SCENARIO, 'reference_rings.py'), '--tracks', join(dir, 'tracks.bin'), '--hits', join(dir, 'hits.bin'), '--params', join(dir, 'parameters.json')], { encoding: 'utf8', maxBuffer: 1 << 28 });
    if (result.status !== 0) throw new Error(`the reference failed (exit ${result.status}): ${result.error?.message ?? result.stderr}`);
    return result.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const compare = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);
export const sortHits = <T extends { timeNs: string; ix: number; iy: number }>(hits: T[]) =>
  hits.sort((a, b) => compare(a.timeNs, b.timeNs) || a.ix - b.ix || a.iy - b.iy);

/** The MQTT topic of an event for this run. */
export function topicOf(event: 'tracks' | 'hits', run: { env: string; tenant: string; runId: string }): string {
  const source = manifest().events[event]!.source;
  if (!('mqtt' in source)) throw new Error(`iot-platform.yaml: events.${event} is not an MQTT source`);
  return source.mqtt.replace('{env}', run.env).replace('{tenant}', run.tenant).replace('{runId}', run.runId);
}

/** Whole seconds that move the fixture's first record to now. */
export function shiftToNow(): bigint {
  const first = [...runTracks().map((t) => t.timeNs), ...runHits().map((h) => h.timeNs)].reduce((a, b) => (a < b ? a : b));
  const now = BigInt(Date.now()) * 1_000_000n;
  return ((now - first) / NS_PER_S + 1n) * NS_PER_S;
}

/**
 * Publishes the fixture run shifted by `shift` ns, in detector-time order, one message per 10 ms window and kind;
 * no tracks in trackless mode.
 */
export async function publishRun(run: { env: string; tenant: string; runId: string }, shift: bigint): Promise<void> {
  const tracks = trackless() ? [] : runTracks().map((t) => ({ ...t, timeNs: t.timeNs + shift }));
  const hits = runHits().map((h) => ({ ...h, timeNs: h.timeNs + shift }));
  const windowOf = (ns: bigint) => ns / BATCH_NS;
  const windows = [...new Set([...tracks, ...hits].map((r) => windowOf(r.timeNs)))].sort((a, b) => (a < b ? -1 : 1));
  const mqtt = await mqttClient();
  try {
    for (const w of windows) {
      const inWindow = <T extends { timeNs: bigint }>(records: T[]) => records.filter((r) => windowOf(r.timeNs) === w);
      const [t, h] = [inWindow(tracks), inWindow(hits)];
      if (t.length > 0) await mqtt.publishAsync(topicOf('tracks', run), encodeTracks(t));
      if (h.length > 0) await mqtt.publishAsync(topicOf('hits', run), encodeHits(h));
    }
  } finally {
    await mqtt.endAsync();
  }
}

export async function storedHits(db: pg.Pool, run: { env: string; tenant: string; runId: string }): Promise<ExpectedHit[]> {
  const { rows } = await db.query<{ ix: number; iy: number; time_ns: string; label: 'signal' | 'noise'; track_id: string | null }>(
    'SELECT ix, iy, time_ns, label, track_id FROM rich_hits WHERE env = $1 AND tenant = $2 AND run_id = $3', [run.env, run.tenant, run.runId]);
  return sortHits(rows.map((r) => ({ ix: r.ix, iy: r.iy, timeNs: r.time_ns, label: r.label, trackId: r.track_id })));
}

export async function storedRings(db: pg.Pool, run: { env: string; tenant: string; runId: string }) {
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT track_id, found, hits, centre_x, centre_y, radius, chi2, ndf, cherenkov_angle, beta, x, y, vx, vy, vz
       FROM rich_rings WHERE env = $1 AND tenant = $2 AND run_id = $3 ORDER BY track_id`, [run.env, run.tenant, run.runId]);
  return rows;
}
