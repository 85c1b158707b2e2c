// The RICH blueprint in trackless mode (no `tracks` event in iot-platform.yaml), proven on real Flink: a rendered
// project's Flink job (flink/sql/10-rings.sql, FIND_RICH_RINGS) runs on the platform's SQL runner over a simulated run
// (runtime/rich-simulator, the contract's default parameters: 10 tracks/s, 2 kHz dark) and its output is judged
// against the run's truth: every hit labelled exactly once, and the contract's figures for trackless mode
// (docs/rich-data-contract.md: efficiency 1.0, no fake ring). Only the connectors change: the tables read the run's
// JSON (as the gateway writes it to rich.hits.v1) from a file and print the sinks' rows instead of Kafka and JDBC, so
// the job's Kafka consumer-group hints go too; the job's SQL is otherwise the rendered one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMETERS } from '../runtime/rich-simulator/index.ts';
import { findHit, simulateToFiles, type RichRun } from '../scripts/bench/rich-measures.ts';
import { richProject, writeRichJob } from '../scripts/bench/rich-job.ts';
import { measureTrackless } from '../scripts/bench/rich-trackless.ts';
import { flinkRunnerCommand, runFlinkSql } from './helpers/flink.ts';

const SECONDS = 30; // the contract's span for its trackless figures
const START_SEC = 1_767_225_600; // 2026-01-01T00:00:00Z
const RUN = { env: 'dev', tenant: 'detector', runId: 'run-1' };

/** Rows a print sink wrote: `<identifier>> +I[a, b, …]` → fields as strings. */
function printed(stdout: string, identifier: string): string[][] {
  const prefix = `${identifier}> +I[`;
  return stdout.split('\n').filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length, l.lastIndexOf(']')).split(', '));
}

let dir: string;
let run: RichRun;
let hits: string[][];
let rings: string[][];
let runner: { code: number | null; stderr: string };

beforeAll(async () => {
  flinkRunnerCommand(); // builds the runner on first use
  dir = mkdtempSync(join(tmpdir(), 'iotp-rich-trackless-'));
  run = await simulateToFiles({ parameters: { ...DEFAULT_PARAMETERS }, seed: 13, startSec: START_SEC, durationNs: SECONDS * 1e9, ...RUN }, dir);
  const { files, env } = richProject('trackless');
  expect(files.find((f) => f.path === 'flink/sql/10-rings.sql')!.content).toContain('FIND_RICH_RINGS(');
  // no tracks table in trackless mode (writeRichJob refuses tables other than these)
  const { tables, job: jobFile } = writeRichJob(join(dir, 'flink'), files, {
    'hits.sql': { connector: 'filesystem', path: join(dir, 'hits.json'), format: 'json' },
    'wall_clock.sql': { connector: 'datagen', 'number-of-rows': '1' },
    'rich_hits.sql': { connector: 'print', 'print-identifier': 'rich_hits' },
    'rich_rings.sql': { connector: 'print', 'print-identifier': 'rich_rings' },
    'rings.sql': { connector: 'blackhole' },
    'run_counters.sql': { connector: 'blackhole' },
  });
  const result = runFlinkSql(['--tables', tables, jobFile], { ...env, FLINK_PARALLELISM: '1' }, 240_000);
  runner = result;
  hits = printed(result.stdout, 'rich_hits');
  rings = printed(result.stdout, 'rich_rings');
}, 600_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the RICH blueprint in trackless mode, on real Flink', () => {
  it('renders no tracks table and runs the job to its end', () => {
    expect(runner.code, runner.stderr.slice(-3000)).toBe(0);
    expect(rings.length).toBeGreaterThan(200);
  });

  it('labels every hit of the run exactly once: signal with the id of a ring it found, or noise', () => {
    expect(hits).toHaveLength(run.hitOffset.length);
    const seen = new Uint8Array(run.hitOffset.length);
    const ringIds = new Set(rings.map((r) => r[3]));
    expect(ringIds.size).toBe(rings.length); // ring ids unique in the run
    for (const [env, tenant, runId, timeNs, ix, iy, label, trackId] of hits) {
      expect([env, tenant, runId]).toEqual([RUN.env, RUN.tenant, RUN.runId]);
      const i = findHit(run, Number(BigInt(timeNs!) - run.startNs), Number(ix), Number(iy));
      expect(i, `hit ${timeNs} ${ix} ${iy}`).toBeGreaterThanOrEqual(0);
      expect(seen[i], `hit ${timeNs} ${ix} ${iy} twice`).toBe(0);
      seen[i] = 1;
      if (label === 'signal') expect(ringIds.has(trackId!), `ring ${trackId}`).toBe(true);
      else expect([label, trackId]).toEqual(['noise', 'null']);
    }
  });

  it('writes rings with no track: found, the fit on the plane, hits as many as it labelled, id its first hit', () => {
    const labelled = new Map<string, bigint[]>();
    for (const h of hits) if (h[6] === 'signal') labelled.set(h[7]!, [...(labelled.get(h[7]!) ?? []), BigInt(h[3]!)]);
    for (const [, , , id, x, y, vx, vy, vz, found, count, cx, cy, radius, chi2, ndf, angle, beta] of rings) {
      expect([x, y, vx, vy, vz, found, angle, beta]).toEqual(['null', 'null', 'null', 'null', 'null', 'true', 'null', 'null']);
      const times = labelled.get(id!) ?? [];
      expect(times).toHaveLength(Number(count));
      expect(Number(ndf)).toBe(Number(count) - 3);
      expect(BigInt(id!) >= times.reduce((a, b) => (a < b ? a : b))).toBe(true); // its first hit's time, or just after
      const plane = (DEFAULT_PARAMETERS.pixelsPerSide * DEFAULT_PARAMETERS.pixelPitchMm) / 2 + 200;
      expect(Math.abs(Number(cx)) < plane && Math.abs(Number(cy)) < plane && Number(radius) > 0 && Number(chi2) >= 0).toBe(true);
    }
  });

  it("meets the contract's trackless figures at the defaults: efficiency 1.0, no fake ring", () => {
    const ringIndex = new Map(rings.map((r, k) => [r[3]!, k]));
    const ringOf = new Int32Array(run.hitOffset.length).fill(-1);
    for (const [, , , timeNs, ix, iy, label, trackId] of hits) {
      if (label === 'signal') ringOf[findHit(run, Number(BigInt(timeNs!) - run.startNs), Number(ix), Number(iy))] = ringIndex.get(trackId!)!;
    }
    const m = measureTrackless(run, DEFAULT_PARAMETERS.minRingHits, ringOf);
    console.log(`trackless, ${SECONDS} s, ${run.tracks.length} tracks, ${run.hitOffset.length} hits, ${rings.length} rings: ${JSON.stringify(m)}`);
    expect(m.findableTracks).toBeGreaterThan(250);
    expect(m.efficiency).toBe(1);
    expect(m.fakeRings).toBe(0);
  });
});
