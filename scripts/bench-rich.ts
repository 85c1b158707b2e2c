// Benchmark: the RICH ring filter against the truth at rising dark-count rates, the platform's geometric filter
// (LABEL_RICH_HITS as blueprints/rich/files/flink/sql/10-rings.sql runs it) beside the prior time-only filter.
//
//   npm run bench:rich
//   BENCH_RICH_RATES=0.0347,100 BENCH_RICH_DURATION_MS=20 npm run bench:rich
//   BENCH_RICH_RATES=10000 BENCH_RICH_PARAMS=ringSigmas=1.5,timeWindowSigmas=1.5 npm run bench:rich   # other parameters
//   BENCH_RICH_CUTS='10000:timeWindowSigmas=1.2,ringSigmas=1.2' npm run bench:rich   # a second run at a rate, other cuts
//
// Per dark rate per pixel (BENCH_RICH_RATES, Hz: 0.0347 = the prior total of 2 kHz, 100, 1,000 = a typical MaPMT,
// 10,000): one seeded run of the simulator (runtime/rich-simulator) at the contract's defaults but trackRateHz =
// BENCH_RICH_TRACK_RATE (20,000) for BENCH_RICH_DURATION_MS (10 ms) of detector time: about 200 tracks a run, and at
// 10 kHz per pixel 576 M dark hits a detector second on the plane (the run holds 7.8 M, not 5.8 M: the simulator
// rounds each gap between dark counts down to the ns, which at a mean gap of 1.74 ns raises the rate by about a third;
// each run's simulated rate is reported). A track's candidate window is 6 µs (±kt·σt), so at 20 k tracks/s about one
// track in eight shares its window with another (the claims of step 4 then decide). The time-only filter's ±70 µs
// windows hold 2.8 other tracks on average: that helps its precision (a dark hit counts once, however many windows hold
// it) and costs its efficiency (a window's hits are mostly other tracks' even without dark counts), a bias of the
// track rate that only matters at the lowest dark rate. The same seed for every rate, so the tracks are the same and
// only the dark counts differ.
//
// The geometric filter is the platform's: the job is 10-rings.sql itself (only its Kafka consumer-group hints
// dropped) run by the Flink SQL runner in a local MiniCluster (scripts/ensure-flink-runner.sh; parallelism 1, the
// runner's default state backend, hashmap), with the blueprint's shared table definitions whose connectors are
// swapped: tracks and hits read from JSON files as the ingest gateway writes them to Kafka (same columns, clock and
// watermark; the hits in time order), the wall clock an empty file (a bounded source ends with the final watermark,
// which is what the wall clock is for), rich_hits and rich_rings written as JSON files, rings and run_counters to a
// blackhole (still computed). Every hit of the input must come out of rich_hits exactly once and every track out of
// rich_rings once: counted and checked row by row (unknown, duplicate, missing).
//
// Measures (docs/rich-data-contract.md, as scenarios/rich/reference_rings.py --measure): hit precision and recall,
// ring-finding efficiency (findable tracks with a true ring) and fake rings per event, for both filters
// (scripts/bench/rich-measures.ts). The Python reference's --measure runs on the same run (its wire records) too: where
// the job finished its figures must be the same for both filters (column "as ref"); where the job did not finish,
// they are the rule's figures (marked "ref"), the platform's job having none.
// Throughput: the checked run's input hits / its wall clock, from the job's start (Flink's REST start-time, after
// the MiniCluster is up) to the runner's exit (so it includes the job's own shutdown), with the JSON parsing of the
// sources as on Kafka but without Kafka's client; "labelled/s" is the slope of the rows out of the filter's operator
// (REST metrics every 0.2 s) between 10 % and 90 % of the input (a run too short for that is judged by its wall clock). The checked run's file sinks cost a system call or
// two per row, which is the check's cost, not the filter's: every run of at least 500,000 hits runs again with
// rich_hits and rich_rings as blackholes ("alone"), the same job on the same input. CPU: the runner JVM over the
// job. Latency is not measured per record: a pre-filled source has every record at the job's start, so event→row
// times would measure the backlog; what the report states is the rule's delay (a hit is labelled when the stream's
// clock, 1 ms behind the newest record, passes the end of its millisecond bucket).
// A run's job gets BENCH_RICH_JOB_TIMEOUT_SECONDS (300); a job that does not finish is stopped and its progress
// (rows into the filter operator so far) reported instead of measures.
// Trackless mode (docs/rich-data-contract.md): at BENCH_RICH_TRACKLESS_RATES (0.0347,100) the same run's hits go
// through the project rendered without a tracks event (FIND_RICH_RINGS), judged against the truth by the trackless
// measures (scripts/bench/rich-trackless.ts): each ring by its hits' true track.
// Cuts: a detector this noisy is run with tighter cuts than the defaults (kt = k = 3): BENCH_RICH_CUTS
// ("rate:name=value,…;rate:…", by default 10,000 Hz with timeWindowSigmas = ringSigmas = 1.2) adds a run of the same
// simulated run with those parameters; the quality goal at a rate is met when a run at that rate meets it.
// Goals (the issue): efficiency ≥ 95 % and ≤ 0.3 fake rings per event at every rate where the time-only filter's
// precision is below 90 %; ≥ 200,000 hits labelled/s sustained by the filter alone, with every hit labelled once
// in the checked run, judged on every run of at least 500,000 hits (smaller runs last about as long as the job's
// start and end).
// Waits for a quiet machine first (1-minute load < BENCH_LOAD_THRESHOLD, 1.0). Writes reports/bench-rich.json and
// reports/bench-rich.png.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { FLINK_VERSION } from '../renderer/versions.ts';
import { DEFAULT_PARAMETERS, PARAMETER_NAMES, resolveParameters, type RichParameters } from '../runtime/rich-simulator/index.ts';
import { drawChart } from './bench/chart.ts';
import { machineContext, waitForQuietMachine } from './bench/machine.ts';
import { machineCpu, snapshot, type ComponentUsage } from './bench/procstat.ts';
import { findHit, measure, simulateToFiles, timeOnly, type Measures, type RichRun } from './bench/rich-measures.ts';
import { richProject, writeRichJob } from './bench/rich-job.ts';
import { measureTrackless } from './bench/rich-trackless.ts';
import { round, sleep, table } from './bench/stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const num = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
/** { name: value } → "name value, name value" */
const parameterList = (parameters: Record<string, number>) => Object.entries(parameters).map(([k, v]) => `${k} ${v}`).join(', ');
/** "name=value,name=value" → { name: value } */
const pairs = (text: string): Record<string, number> => Object.fromEntries(text.split(',').filter(Boolean).map((pair) => {
  const [name, value] = pair.split('=').map((s) => s.trim());
  return [name!, Number(value)];
}));
const settings = {
  rates: (process.env.BENCH_RICH_RATES ?? '0.0347,100,1000,10000').split(',').map(Number).filter((n) => n >= 0),
  // the rates whose runs trackless mode (FIND_RICH_RINGS on the hits alone) labels too
  tracklessRates: (process.env.BENCH_RICH_TRACKLESS_RATES ?? '0.0347,100').split(',').filter(Boolean).map(Number),
  trackRateHz: num('BENCH_RICH_TRACK_RATE', 20_000),
  durationMs: num('BENCH_RICH_DURATION_MS', 10),
  seed: num('BENCH_RICH_SEED', 1),
  // the filter's (or the detector's) parameters other than the contract's defaults, e.g. ringSigmas=1.5,timeWindowSigmas=1.5
  parameters: pairs(process.env.BENCH_RICH_PARAMS ?? ''),
  // a second run at a rate with other cuts, "rate:name=value,…;rate:…"
  cuts: (process.env.BENCH_RICH_CUTS ?? '10000:timeWindowSigmas=1.2,ringSigmas=1.2').split(';').filter(Boolean).map((spec) => {
    const [rate, parameters] = spec.split(':');
    return { rate: Number(rate), parameters: pairs(parameters ?? '') };
  }),
  jobTimeoutSeconds: num('BENCH_RICH_JOB_TIMEOUT_SECONDS', 300),
  pollMs: num('BENCH_RICH_POLL_MS', 200),
  loadThreshold: num('BENCH_LOAD_THRESHOLD', 1.0),
  loadWaitSeconds: num('BENCH_LOAD_WAIT_SECONDS', 900),
  workDir: process.env.BENCH_RICH_DIR ?? join(tmpdir(), 'bench-rich'),
};
const GOALS = { efficiency: 0.95, fakeRingsPerEvent: 0.3, timeOnlyPrecisionBelow: 0.9, hitsPerSec: 200_000, throughputMinHits: 500_000 };
const START_SEC = 1_767_225_600; // 2026-01-01T00:00:00Z, the detector's clock at the run's start
const KEYS = { env: 'bench', tenant: 'rich' };
const log = (line: string) => console.log(line);
const children = new Set<ChildProcess>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    for (const child of children) child.kill('SIGKILL');
    process.exit(130);
  });
}

// ---------- the job: 10-rings.sql as a project renders it, with file and blackhole connectors ----------
const file = (path: string) => ({ connector: 'filesystem', path: `file://${path}`, format: 'json' });
const blackhole = { connector: 'blackhole' };

/**
 * The job's files. Sinks 'files': rich_hits and rich_rings written as JSON files, to be checked row by row (the local
 * file system's writer makes a system call or two per row). Sinks 'blackhole': written nowhere, so that the run
 * measures the filter, not the writing of its check.
 */
function writeJob(dir: string, sinks: 'files' | 'blackhole'): { tables: string; job: string; out: { hits: string; rings: string } } {
  const out = { hits: join(dir, 'out/rich_hits'), rings: join(dir, 'out/rich_rings') };
  writeFileSync(join(dir, 'wall_clock.json'), '');
  const job = writeRichJob(join(dir, `job-${sinks}`), richProject('track').files, {
    'tracks.sql': file(join(dir, 'tracks.json')),
    'hits.sql': file(join(dir, 'hits.json')),
    'wall_clock.sql': file(join(dir, 'wall_clock.json')),
    'rich_hits.sql': sinks === 'files' ? file(out.hits) : blackhole,
    'rich_rings.sql': sinks === 'files' ? file(out.rings) : blackhole,
    'rings.sql': blackhole,
    'run_counters.sql': blackhole,
  }, sinks === 'files' ? ['rich_hits.sql', 'rich_rings.sql'] : []);
  return { ...job, out };
}

/** ${PIXELS_PER_SIDE} … of 10-rings.sql from the parameters (camelCase → UPPER_SNAKE). */
function parameterEnv(p: RichParameters): Record<string, string> {
  return Object.fromEntries(PARAMETER_NAMES.map((name) => [name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase(), String(p[name])]));
}

interface Sample {
  t: number;
  /** rows into the filter's operator (tracks and hits) */
  filterIn: number;
  /** rows out of it: each hit labelled and each track finalised */
  filterOut: number;
}

interface JobRun {
  finished: boolean;
  exitCode: number | null;
  timedOut: boolean;
  jobSeconds: number | null;
  filterVertex: string | null;
  samples: Sample[];
  metrics: Record<string, number>;
  cpuPercent: number | null;
  cpuSeconds: number | null;
  peakRssMiB: number | null;
  machineBusyPercent: number | null;
  loadAverage1m: { max: number; mean: number };
  stderrTail: string;
}

async function getJson<T>(url: string): Promise<T | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return response.ok ? ((await response.json()) as T) : undefined;
  } catch {
    return undefined;
  }
}

interface Vertex {
  id: string;
  name: string;
  metrics: Record<string, number>;
}

async function runJob(runner: string, files: ReturnType<typeof writeJob>, env: Record<string, string>, dir: string): Promise<JobRun> {
  const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  const child = spawn('bash', ['-c', `exec ${runner} --tables ${quote(files.tables)} ${quote(files.job)}`], {
    env: {
      ...process.env,
      ...env,
      FLINK_PARALLELISM: '1',
      FLINK_RESTORE: 'none',
      FLINK_CHECKPOINT_DIR: `file://${join(dir, 'checkpoints')}`,
      FLINK_PROPERTIES: 'metrics.fetcher.update-interval: 500',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(-200_000)));
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) => child.on('exit', (code) => ((exitCode = code), resolve())));
  const pid = child.pid!;
  const spawnedAt = Date.now();
  let jobStart: number | undefined, jid: string | undefined, filter: Vertex | undefined;
  let cpuFirst: { t: number; usage: ComponentUsage } | undefined, cpuLast: typeof cpuFirst;
  let machineFirst: ReturnType<typeof machineCpu> | undefined, machineLast: typeof machineFirst;
  const samples: Sample[] = [];
  const loads: number[] = [];
  let metrics: Record<string, number> = {};
  let metricIds: string[] | undefined;
  let timedOut = false;
  while (exitCode === undefined) {
    await Promise.race([exited, sleep(settings.pollMs)]);
    if (exitCode !== undefined) break;
    if (Date.now() - spawnedAt > settings.jobTimeoutSeconds * 1000) {
      timedOut = true;
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
      if (exitCode === undefined) child.kill('SIGKILL');
      await exited;
      break;
    }
    const rest = /REST at (http:\/\/\S+)/.exec(stdout)?.[1]?.replace(/\/$/, '');
    if (!rest) continue;
    const overview = await getJson<{ jobs: { jid: string; state: string; 'start-time': number }[] }>(`${rest}/jobs/overview`);
    const job = overview?.jobs[0];
    if (!job) continue;
    jid = job.jid;
    jobStart ??= job['start-time'];
    const usage = snapshot({ job: [pid] }).job!;
    if (usage.processes > 0) {
      cpuFirst ??= { t: Date.now(), usage };
      cpuLast = { t: Date.now(), usage };
    }
    machineFirst ??= machineCpu();
    machineLast = machineCpu();
    loads.push(loadavg()[0]!);
    const details = await getJson<{ vertices: Vertex[] }>(`${rest}/jobs/${jid}`);
    filter = details?.vertices.find((v) => /LABEL_RICH_HITS/i.test(v.name)) ?? details?.vertices.find((v) => /ProcessTable/i.test(v.name)) ?? filter;
    if (!filter || !details) continue;
    const now = details.vertices.find((v) => v.id === filter!.id)!;
    metricIds ??= (await getJson<{ id: string }[]>(`${rest}/jobs/${jid}/vertices/${filter.id}/metrics`))?.map((m) => m.id)
      .filter((id) => /\.(lateRows|rowsRejected)$|^\d+\.ProcessTableFunction\[\d+\]\.numRecordsOut$/.test(id));
    if (!metricIds?.length) continue;
    const values = await getJson<{ id: string; value: string }[]>(`${rest}/jobs/${jid}/vertices/${filter.id}/metrics?get=${metricIds.join(',')}`);
    for (const v of values ?? []) metrics[v.id.replace(/^.*\./, '')] = Number(v.value);
    samples.push({ t: Date.now(), filterIn: now.metrics['read-records'] ?? 0, filterOut: metrics.numRecordsOut ?? 0 });
  }
  const exitedAt = Date.now();
  children.delete(child);
  const cpuWall = cpuFirst && cpuLast && cpuLast.t > cpuFirst.t ? (cpuLast.t - cpuFirst.t) / 1000 : null;
  const cpuSeconds = cpuFirst && cpuLast ? cpuLast.usage.cpuSeconds - cpuFirst.usage.cpuSeconds : null;
  const machineBusy = machineFirst && machineLast && machineLast.total > machineFirst.total
    ? (machineLast.busy - machineFirst.busy) / (machineLast.total - machineFirst.total) : null;
  return {
    finished: !timedOut && exitCode === 0,
    exitCode: exitCode ?? null,
    timedOut,
    jobSeconds: jobStart ? (exitedAt - jobStart) / 1000 : null,
    filterVertex: filter?.name.slice(0, 200) ?? null,
    samples: samples.map((s) => ({ ...s, t: jobStart ? s.t - jobStart : s.t })),
    metrics,
    cpuPercent: cpuSeconds !== null && cpuWall ? round((cpuSeconds / cpuWall) * 100) : null,
    cpuSeconds: cpuSeconds === null ? null : round(cpuSeconds, 1),
    peakRssMiB: cpuLast?.usage.peakRssMiB ?? null,
    machineBusyPercent: machineBusy === null ? null : round(machineBusy * 100),
    loadAverage1m: { max: round(Math.max(0, ...loads), 2), mean: round(loads.reduce((a, b) => a + b, 0) / Math.max(1, loads.length), 2) },
    stderrTail: stderr.trim().split('\n').slice(-5).join('\n'),
  };
}

/** Rows per second (into or out of the filter) between 10 % and 90 % of the input (null when the samples do not span it). */
function sustainedRate(samples: Sample[], inputRows: number, side: 'filterIn' | 'filterOut'): number | null {
  const inside = samples.filter((s) => s[side] >= 0.1 * inputRows && s[side] <= 0.9 * inputRows);
  if (inside.length < 2) return null;
  const [a, b] = [inside[0]!, inside.at(-1)!];
  return b.t > a.t && b[side] > a[side] ? Math.round(((b[side] - a[side]) / (b.t - a.t)) * 1000) : null;
}

// ---------- the job's output against the input and the truth ----------
async function* jsonLines(dir: string): AsyncGenerator<Record<string, unknown>> {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir).filter((n) => !n.startsWith('.')).sort()) {
    for await (const line of createInterface({ input: createReadStream(join(dir, name)), crlfDelay: Infinity })) {
      // 64-bit ids as strings (a JSON number above 2^53 would lose digits)
      if (line) yield JSON.parse(line.replace(/"(time_ns|track_id)":(-?\d+)/g, '"$1":"$2"')) as Record<string, unknown>;
    }
  }
}

async function readLabels(run: RichRun, out: { hits: string; rings: string }, minRingHits: number) {
  const trackOf = new Map(run.tracks.map((t, k) => [String(t.timeNs), k]));
  const n = run.hitOffset.length;
  const seen = new Uint8Array(n);
  const label = new Int32Array(n).fill(-1);
  const counts = { rows: 0, unknown: 0, duplicates: 0, missing: 0, signal: 0, ringRows: 0, ringDuplicates: 0, ringsMissing: 0, ringsUnknown: 0, keptMismatches: 0 };
  for await (const o of jsonLines(out.hits)) {
    counts.rows++;
    const i = findHit(run, Number(BigInt(o.time_ns as string) - run.startNs), o.ix as number, o.iy as number);
    if (i < 0) {
      counts.unknown++;
      continue;
    }
    if (seen[i]!++) {
      counts.duplicates++;
      continue;
    }
    if (o.label === 'signal') {
      counts.signal++;
      label[i] = trackOf.get(o.track_id as string) ?? -1;
    }
  }
  for (let i = 0; i < n; i++) if (!seen[i]) counts.missing++;
  const found = new Int8Array(run.tracks.length).fill(-1);
  const reportedHits = new Int32Array(run.tracks.length);
  for await (const o of jsonLines(out.rings)) {
    counts.ringRows++;
    const k = trackOf.get(o.track_id as string);
    if (k === undefined) counts.ringsUnknown++;
    else if (found[k] !== -1) counts.ringDuplicates++;
    else [found[k], reportedHits[k]] = [o.found ? 1 : 0, (o.hits as number | null) ?? 0];
  }
  const signal = new Uint8Array(n);
  const ringHits = new Int32Array(run.tracks.length);
  const ringOwn = new Int32Array(run.tracks.length);
  for (let i = 0; i < n; i++) {
    const k = label[i]!;
    if (k < 0) continue;
    signal[i] = 1;
    ringHits[k]!++;
    if (run.truth[i] === k) ringOwn[k]!++;
  }
  for (let k = 0; k < run.tracks.length; k++) {
    if (found[k] === -1) counts.ringsMissing++;
    if (found[k] !== 1) ringHits[k] = -1;
    else if (ringHits[k] !== reportedHits[k]) counts.keptMismatches++;
  }
  const exactlyOnce = counts.rows === n && counts.unknown === 0 && counts.duplicates === 0 && counts.missing === 0
    && counts.ringRows === run.tracks.length && counts.ringsMissing === 0 && counts.ringDuplicates === 0 && counts.ringsUnknown === 0;
  return { counts, exactlyOnce, measures: measure(run, minRingHits, signal, ringHits, ringOwn) };
}

// ---------- the reference (scenarios/rich/reference_rings.py --measure) on the same run, for the smaller runs ----------
type ReferenceMeasures = Record<'ringFilter' | 'timeOnly', Pick<Measures, 'precision' | 'recall' | 'efficiency' | 'fakeRingsPerEvent' | 'labelledSignal' | 'findableTracks'>>;

function referenceMeasures(dir: string): ReferenceMeasures | { error: string } {
  const result = spawnSync('python3', [join(ROOT, 'scenarios/rich/reference_rings.py'), '--tracks', join(dir, 'tracks.bin'), '--hits', join(dir, 'hits.bin'),
    '--params', join(dir, 'parameters.json'), '--measure', join(dir, 'truth.jsonl')], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (result.status !== 0) return { error: (result.stderr || String(result.error)).trim().split('\n').pop()! };
  return JSON.parse(result.stdout) as ReferenceMeasures;
}

function agrees(reference: ReferenceMeasures['ringFilter'], measured: Measures): boolean {
  return (['precision', 'recall', 'efficiency', 'fakeRingsPerEvent', 'labelledSignal', 'findableTracks'] as const).every((key) => reference[key] === measured[key]);
}

/** The geometric rule's measures of a rate: the platform job's, else the reference's (the job did not finish). */
function ruleMeasures(r: { geometric: Measures | null; reference: ReferenceMeasures | { error: string } }): ['job' | 'reference' | 'none', ReferenceMeasures['ringFilter'] | null] {
  if (r.geometric) return ['job', r.geometric];
  if (!('error' in r.reference)) return ['reference', r.reference.ringFilter];
  return ['none', null];
}

// ---------- trackless mode on the same run ----------
/** FIND_RICH_RINGS (the project rendered without a tracks event) over the run's hits, judged against the truth. */
async function runTrackless(runner: string, dir: string, run: RichRun, p: RichParameters) {
  const out = { hits: join(dir, 'out-trackless/rich_hits'), rings: join(dir, 'out-trackless/rich_rings') };
  const job = writeRichJob(join(dir, 'job-trackless'), richProject('trackless').files, {
    'hits.sql': file(join(dir, 'hits.json')),
    'wall_clock.sql': file(join(dir, 'wall_clock.json')),
    'rich_hits.sql': file(out.hits),
    'rich_rings.sql': file(out.rings),
    'rings.sql': blackhole,
    'run_counters.sql': blackhole,
  }, ['rich_hits.sql', 'rich_rings.sql']);
  const result = await runJob(runner, { ...job, out }, parameterEnv(p), dir);
  if (!result.finished) return { finished: false, seconds: result.jobSeconds, measures: null, exactlyOnce: false };
  const ringIndex = new Map<string, number>();
  for await (const o of jsonLines(out.rings)) ringIndex.set(o.track_id as string, ringIndex.size);
  const ringOf = new Int32Array(run.hitOffset.length).fill(-1);
  const seen = new Uint8Array(run.hitOffset.length);
  let rows = 0, unknown = 0, duplicates = 0;
  for await (const o of jsonLines(out.hits)) {
    rows++;
    const i = findHit(run, Number(BigInt(o.time_ns as string) - run.startNs), o.ix as number, o.iy as number);
    if (i < 0) unknown++;
    else if (seen[i]!++) duplicates++;
    else if (o.label === 'signal') ringOf[i] = ringIndex.get(o.track_id as string) ?? -1;
  }
  return {
    finished: true,
    seconds: result.jobSeconds === null ? null : round(result.jobSeconds, 2),
    hitsPerSec: result.jobSeconds ? Math.round(run.hitOffset.length / result.jobSeconds) : null,
    rings: ringIndex.size,
    output: { rows, unknown, duplicates, missing: run.hitOffset.length - seen.reduce((n, v) => n + (v ? 1 : 0), 0) },
    exactlyOnce: rows === run.hitOffset.length && unknown === 0 && duplicates === 0,
    measures: measureTrackless(run, p.minRingHits, ringOf),
  };
}

// ---------- one rate ----------
async function runRate(runner: string, rate: number, cuts: Record<string, number> | null = null) {
  const p = resolveParameters({ ...settings.parameters, ...cuts, darkRatePerPixelHz: rate, trackRateHz: settings.trackRateHz }, 'BENCH_RICH_PARAMS / BENCH_RICH_CUTS');
  const dir = join(settings.workDir, `rate-${rate}${cuts ? `-${Object.values(cuts).join('-')}` : ''}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  log(`\nDark rate ${rate} Hz per pixel (${round(rate * p.pixelsPerSide ** 2)} Hz on the plane)${cuts ? `, cuts ${parameterList(cuts)}` : ''}: simulating ${settings.durationMs} ms …`);
  const simStarted = Date.now();
  const runId = `dark-${rate}`;
  const run = await simulateToFiles({ parameters: p, seed: settings.seed, startSec: START_SEC, durationNs: settings.durationMs * 1e6, ...KEYS, runId }, dir);
  const hits = run.hitOffset.length;
  log(`  ${run.tracks.length} tracks, ${hits} hits (${run.trueSignal} signal) in ${round((Date.now() - simStarted) / 1000, 1)} s; the job …`);
  const timeOnlyMeasures = timeOnly(run, p.minRingHits);
  const files = writeJob(dir, 'files');
  const job = await runJob(runner, files, parameterEnv(p), dir);
  const inputRows = hits + run.tracks.length;
  const last = job.samples.at(-1);
  // the throughput: the same job and input again, its labelled rows written nowhere (large runs only)
  const speed = job.finished && hits >= GOALS.throughputMinHits ? await runJob(runner, writeJob(dir, 'blackhole'), parameterEnv(p), dir) : null;
  let geometric: Measures | null = null;
  let output: Awaited<ReturnType<typeof readLabels>>['counts'] | null = null;
  let exactlyOnce = false;
  if (job.finished) {
    const labels = await readLabels(run, files.out, p.minRingHits);
    [geometric, output, exactlyOnce] = [labels.measures, labels.counts, labels.exactlyOnce];
  }
  const hitsPerSec = job.finished && job.jobSeconds ? Math.round(hits / job.jobSeconds) : null;
  const filterOnly = speed && {
    finished: speed.finished,
    seconds: speed.jobSeconds === null ? null : round(speed.jobSeconds, 2),
    hitsPerSec: speed.finished && speed.jobSeconds ? Math.round(hits / speed.jobSeconds) : null,
    sustainedLabelledRowsPerSec: sustainedRate(speed.samples, inputRows, 'filterOut'),
    rowsOutAtLastSample: speed.samples.at(-1)?.filterOut ?? null,
    cpuPercentOfOneCore: speed.cpuPercent,
    peakRssMiB: speed.peakRssMiB,
    loadAverage1m: speed.loadAverage1m,
    samples: speed.samples,
  };
  const reference = referenceMeasures(dir);
  const trackless = !cuts && settings.tracklessRates.includes(rate) ? await runTrackless(runner, dir, run, p) : null;
  const result = {
    darkRatePerPixelHz: rate,
    cuts,
    darkRateOnPlaneHz: round(rate * p.pixelsPerSide ** 2),
    tracks: run.tracks.length,
    hits,
    trueSignalHits: run.trueSignal,
    darkHits: hits - run.trueSignal,
    // the simulator rounds each gap between dark counts down to the ns (physics.ts darkGapNs): at a mean gap of a few ns
    // that raises the rate (10 kHz per pixel, 1.74 ns on the plane: about 1.35 times)
    effectiveDarkRatePerPixelHz: Number(((hits - run.trueSignal) / (settings.durationMs / 1000) / p.pixelsPerSide ** 2).toPrecision(3)),
    duplicatesDropped: run.duplicatesDropped,
    timeOnly: timeOnlyMeasures,
    geometric,
    reference,
    referenceAgrees: !('error' in reference) && geometric ? agrees(reference.ringFilter, geometric) && agrees(reference.timeOnly, timeOnlyMeasures) : null,
    output: output && { ...output, exactlyOnce },
    job: {
      finished: job.finished,
      timedOut: job.timedOut,
      exitCode: job.exitCode,
      seconds: job.jobSeconds === null ? null : round(job.jobSeconds, 2),
      hitsPerSec,
      sustainedRowsIntoFilterPerSec: sustainedRate(job.samples, inputRows, 'filterIn'),
      sustainedLabelledRowsPerSec: sustainedRate(job.samples, inputRows, 'filterOut'),
      progress: job.finished ? null : { rowsIntoFilter: last?.filterIn ?? 0, inputRows,
        rowsPerSec: last && last.t > 0 ? Math.round((last.filterIn / last.t) * 1000) : null },
      cpuPercentOfOneCore: job.cpuPercent,
      cpuSeconds: job.cpuSeconds,
      peakRssMiB: job.peakRssMiB,
      machineBusyPercentOfAllCores: job.machineBusyPercent,
      loadAverage1m: job.loadAverage1m,
      filterMetrics: job.metrics,
      filterVertex: job.filterVertex,
      samples: job.samples,
      stderrTail: job.finished ? undefined : job.stderrTail,
    },
    filterOnly,
    trackless,
  };
  const pct = (m: Measures | null, key: 'precision' | 'recall' | 'efficiency') => (m?.[key] == null ? '–' : `${round(m[key]! * 100, 1)} %`);
  log(`  time-only: precision ${pct(timeOnlyMeasures, 'precision')}, recall ${pct(timeOnlyMeasures, 'recall')}, efficiency ${pct(timeOnlyMeasures, 'efficiency')}, fakes/event ${round(timeOnlyMeasures.fakeRingsPerEvent ?? NaN, 3)}`);
  if (job.finished) {
    log(`  geometric: precision ${pct(geometric, 'precision')}, recall ${pct(geometric, 'recall')}, efficiency ${pct(geometric, 'efficiency')}, fakes/event ${round(geometric?.fakeRingsPerEvent ?? NaN, 3)}`);
    log(`  reference_rings.py --measure on the same run: ${'error' in reference ? `failed: ${reference.error}` : result.referenceAgrees ? 'the same measures for both filters' : `DIFFERENT: ${JSON.stringify(reference)}`}`);
    log(`  job ${result.job.seconds} s, ${hitsPerSec} hits/s, CPU ${job.cpuPercent} %; hits in ${hits}, out ${output?.rows} (each once: ${exactlyOnce ? 'yes' : 'NO'})`);
    if (trackless) log(`  trackless (FIND_RICH_RINGS, hits only): ${trackless.measures ? `precision ${pct(trackless.measures, 'precision')}, recall ${pct(trackless.measures, 'recall')}, efficiency ${pct(trackless.measures, 'efficiency')}, fakes/event ${round(trackless.measures.fakeRingsPerEvent ?? NaN, 3)}, ${trackless.rings} rings, each hit once: ${trackless.exactlyOnce ? 'yes' : `NO ${JSON.stringify(trackless.output)}`}, ${trackless.seconds} s` : 'did not finish'}`);
    if (filterOnly) log(`  the filter alone (labelled rows to a blackhole): ${filterOnly.finished ? `${filterOnly.seconds} s, ${filterOnly.hitsPerSec} hits/s, sustained ${filterOnly.sustainedLabelledRowsPerSec} rows labelled/s, CPU ${filterOnly.cpuPercentOfOneCore} %` : 'did not finish'}`);
  } else {
    log(`  job ${job.timedOut ? `stopped after ${settings.jobTimeoutSeconds} s` : `failed (exit ${job.exitCode}): ${job.stderrTail}`}; ${result.job.progress?.rowsIntoFilter} of ${inputRows} rows into the filter`);
    const m = 'error' in reference ? null : reference.ringFilter;
    log(`  the rule by reference_rings.py on the same run: ${m ? `precision ${pct(m as Measures, 'precision')}, recall ${pct(m as Measures, 'recall')}, efficiency ${pct(m as Measures, 'efficiency')}, fakes/event ${round(m.fakeRingsPerEvent ?? NaN, 3)}` : `failed: ${(reference as { error: string }).error}`}`);
  }
  if (process.env.BENCH_RICH_KEEP !== '1') rmSync(dir, { recursive: true, force: true }); // up to a few GB at the highest rate
  return result;
}

// ---------- main ----------
async function main() {
  const started = new Date();
  log('Building / locating the Flink SQL runner …');
  const ensured = spawnSync('bash', [join(ROOT, 'scripts/ensure-flink-runner.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (ensured.status !== 0) throw new Error('scripts/ensure-flink-runner.sh failed');
  const runner = ensured.stdout.trim();
  const quiet = await waitForQuietMachine(settings.loadThreshold, settings.loadWaitSeconds, log);
  const loadBeforeMeasurement = loadavg().map((n) => round(n, 2));
  const machine = machineContext({ flink: FLINK_VERSION });
  log(`Load average before measuring: ${loadBeforeMeasurement.join(' ')}${quiet.quiet ? '' : ' (NOT quiet: figures may be skewed)'}`);

  const rates: Awaited<ReturnType<typeof runRate>>[] = [];
  for (const rate of settings.rates) {
    rates.push(await runRate(runner, rate));
    for (const cut of settings.cuts.filter((c) => c.rate === rate)) rates.push(await runRate(runner, rate, cut.parameters));
  }

  // per rate where the time-only filter's precision is below 90 %: the first of its runs that meets the goal, else its first
  const noisy = [...new Set(rates.filter((r) => r.timeOnly.precision !== null && r.timeOnly.precision < GOALS.timeOnlyPrecisionBelow).map((r) => r.darkRatePerPixelHz))];
  const qualityGoal = noisy.map((rate) => {
    const runs = rates.filter((r) => r.darkRatePerPixelHz === rate).map((r) => {
      const [by, m] = ruleMeasures(r);
      return {
        darkRatePerPixelHz: rate,
        cuts: r.cuts,
        by,
        efficiency: m?.efficiency ?? null,
        fakeRingsPerEvent: m?.fakeRingsPerEvent ?? null,
        met: m !== null && (m.efficiency ?? 0) >= GOALS.efficiency && (m.fakeRingsPerEvent ?? Infinity) <= GOALS.fakeRingsPerEvent,
      };
    });
    return runs.find((g) => g.met) ?? runs[0]!;
  });
  const throughputGoal = rates.filter((r) => r.hits >= GOALS.throughputMinHits).map((r) => ({
    darkRatePerPixelHz: r.darkRatePerPixelHz,
    sustainedLabelledRowsPerSec: r.filterOnly?.sustainedLabelledRowsPerSec ?? null,
    // a run too short for the samples to span its output is judged by its wall clock (start and end included)
    judgedBy: r.filterOnly?.sustainedLabelledRowsPerSec ? 'sustained' : 'wall clock',
    met: r.job.finished && r.output?.exactlyOnce === true
      && (r.filterOnly?.sustainedLabelledRowsPerSec ?? r.filterOnly?.hitsPerSec ?? 0) >= GOALS.hitsPerSec,
  }));
  const report = {
    date: started.toISOString(),
    command: 'npm run bench:rich',
    settings: { ...settings, workDir: undefined },
    parameters: { ...DEFAULT_PARAMETERS, ...settings.parameters, trackRateHz: settings.trackRateHz, darkRatePerPixelHz: 'per rate' },
    machine,
    loadWait: quiet,
    loadBeforeMeasurement,
    goals: GOALS,
    latency: 'not measured per record (pre-filled source); a hit is labelled once the stream clock (1 ms behind the newest record) passes the end of its millisecond bucket and no open track can claim it',
    summary: {
      qualityGoal,
      qualityGoalMet: qualityGoal.length > 0 && qualityGoal.every((g) => g.met),
      qualityGoalMetByThePlatformsJob: qualityGoal.length > 0 && qualityGoal.every((g) => g.met && g.by === 'job'),
      throughputGoal,
      throughputGoalMet: throughputGoal.length > 0 && throughputGoal.every((g) => g.met),
    },
    rates,
  };
  mkdirSync(join(ROOT, 'reports'), { recursive: true });
  const jsonFile = join(ROOT, 'reports/bench-rich.json');
  writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  const chartError = drawChart(jsonFile, join(ROOT, 'reports/bench-rich.png'), 'chart_rich.py');

  const f = (v: number | null | undefined, digits = 3) => (v === null || v === undefined ? '–' : String(round(v, digits)));
  type Shown = Pick<Measures, 'precision' | 'recall' | 'efficiency' | 'fakeRingsPerEvent'> | null;
  const pr = (m: Shown, mark = '') => (m ? `${f(m.precision)}/${f(m.recall)}${mark}` : '–');
  const ef = (m: Shown, mark = '') => (m ? `${f(m.efficiency)}/${f(m.fakeRingsPerEvent)}${mark}` : '–');
  const rule = (r: (typeof rates)[number]) => {
    const [by, m] = ruleMeasures(r);
    return [m, by === 'reference' ? ' ref' : ''] as const;
  };
  log(`\nbench:rich — ${machine.cores} cores, ${machine.cpuModel}, ${machine.memoryGiB} GiB, load before measurement ${loadBeforeMeasurement.join(' ')}`);
  log(`${settings.durationMs} ms of detector time at ${settings.trackRateHz} tracks/s per rate, seed ${settings.seed}${Object.keys(settings.parameters).length ? `, ${parameterList(settings.parameters)}` : ''}; geometric = LABEL_RICH_HITS (10-rings.sql) on a MiniCluster, parallelism 1`);
  log(table(
    ['dark Hz/px (simulated)', 'tracks', 'hits', 'time-only P/R', 'time-only eff/fakes', 'geometric P/R', 'geometric eff/fakes', 'hits out (once)', 'job s', 'hits/s', 'labelled/s', 'alone: job s', 'hits/s', 'labelled/s', 'CPU %', 'load 1m max', 'late', 'as ref', 'trackless P/R', 'trackless eff/fakes'],
    rates.map((r) => [
      `${r.darkRatePerPixelHz} (${r.effectiveDarkRatePerPixelHz})${r.cuts ? ` kt/k ${r.cuts.timeWindowSigmas ?? '–'}/${r.cuts.ringSigmas ?? '–'}` : ''}`, r.tracks, r.hits, pr(r.timeOnly), ef(r.timeOnly), pr(...rule(r)), ef(...rule(r)),
      r.output ? `${r.output.rows} (${r.output.exactlyOnce ? 'yes' : 'NO'})` : r.job.timedOut ? `stopped: ${r.job.progress?.rowsIntoFilter} in` : 'failed',
      r.job.seconds, r.job.hitsPerSec ?? (r.job.progress?.rowsPerSec ? `(${r.job.progress.rowsPerSec})` : null), r.job.sustainedLabelledRowsPerSec,
      r.filterOnly?.seconds, r.filterOnly?.hitsPerSec, r.filterOnly?.sustainedLabelledRowsPerSec,
      r.job.cpuPercentOfOneCore, r.job.loadAverage1m.max, r.job.filterMetrics.lateRows,
      r.referenceAgrees === null ? '–' : r.referenceAgrees ? 'yes' : 'NO',
      r.trackless ? (r.trackless.measures ? pr(r.trackless.measures, r.trackless.exactlyOnce ? '' : ' NOT ONCE') : 'unfinished') : '–',
      r.trackless?.measures ? ef(r.trackless.measures) : '–',
    ]),
  ));
  log(`\nGoal efficiency ≥ ${GOALS.efficiency} and ≤ ${GOALS.fakeRingsPerEvent} fakes/event where the time-only precision < ${GOALS.timeOnlyPrecisionBelow}: ${qualityGoal.map((g) => `${g.darkRatePerPixelHz} Hz${g.cuts ? ` (${parameterList(g.cuts)})` : ''} ${g.met ? 'met' : 'MISSED'}${g.by === 'job' ? '' : g.by === 'reference' ? ' (by the reference: the job did not finish)' : ' (not measured)'}`).join(', ') || 'no such rate'}`);
  log(`Goal ≥ ${GOALS.hitsPerSec} hits labelled/s sustained by the filter alone, every hit once in the checked run (runs of ≥ ${GOALS.throughputMinHits} hits): ${throughputGoal.map((g) => `${g.darkRatePerPixelHz} Hz ${g.met ? 'met' : 'MISSED'} (${g.judgedBy})`).join(', ') || 'no such run'}`);
  log(`Latency: ${report.latency}.`);
  log(`Wrote reports/bench-rich.json${chartError ? ` (no chart: ${chartError})` : ' and reports/bench-rich.png'}`);
}

try {
  await main();
} catch (error) {
  log(`bench:rich failed: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
}
process.exit(process.exitCode ?? 0);
