// Benchmark: the transport pipeline on the native stack (GTFS-Realtime feed polled by the gateway → Kafka → Flink
// arrival detection → PostgreSQL stop_arrivals, and the vehicles job → Redis sink → Redis), at rising rates of
// vehicle positions until a step is not sustained.
//
//   npm run bench:transport
//   BENCH_RATES=2000,10000,20000 BENCH_STEP_SECONDS=60 npm run bench:transport
//
// A fleet of BENCH_VEHICLES buses (4,000: about seven King County-sized feeds in one) reports every 10 s of feed time; a step of
// rate r releases a snapshot every BENCH_VEHICLES / r seconds (a replay faster than real time above 400 positions/s)
// and the gateway polls every BENCH_POLL_SECONDS (0.05 s), so it sees each snapshot once
// (scripts/bench/transport-fleet.ts: straight routes, so every expected arrival is exact). Per
// step: positions served vs gateway records vs Kafka records, arrivals expected vs PostgreSQL rows (the exact set of
// (trip, stop) keys) vs the arrivals topic, Redis vehicle states vs buses; latency position→Redis (probe buses, from
// the wall time their snapshot was served to the state showing it) and position→arrival row (PostgreSQL inserted_at
// minus the serve time of the snapshot that passed the stop, every row); CPU and peak RSS per component; Flink
// backpressure. A step is sustained when ≥ 95 % of the target rate was served, nothing was lost, and everything
// arrived within BENCH_DRAIN_BOUND_SECONDS after the last snapshot.
// BENCH_PROFILE=1 attaches async-profiler to Flink's JVM (scripts/bench/jvm-profile.ts) and reports where its CPU
// went per operator chain; the profile covers the JVM's whole run (start, warm-up, the steps, the drain).
// Writes reports/bench-transport.json; the stack is torn down at the end, on failure and on Ctrl-C
// (BENCH_KEEP_STACK=1 keeps it).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { parseEnvFile } from '../stack/native/context.ts';
import { FLINK_VERSION, KAFKA_VERSION } from '../renderer/versions.ts';
import { machineContext, waitForQuietMachine } from './bench/machine.ts';
import { snapshot, usageBetween, machineCpu, type ComponentUsage } from './bench/procstat.ts';
import { flinkPressure, gatewayMetrics, gtfsRtMetrics, KafkaView, PostgresView, readStack, redisClient, type GatewayCounts, type RedisLike, type StackInfo, type VertexPressure } from './bench/observe.ts';
import { NativeSession } from './bench/native-session.ts';
import { logProfile, profileNextFlink, summariseProfile } from './bench/jvm-profile.ts';
import { FeedPlayer } from './bench/feed-player.ts';
import { FLEET, fleetShape, StepFleet, writeFleetGtfs } from './bench/transport-fleet.ts';
import { round, sleep, summarize, table } from './bench/stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const num = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const settings = {
  rates: (process.env.BENCH_RATES ?? '2000,5000,10000,20000,30000').split(',').map(Number).filter((n) => n > 0),
  stepSeconds: num('BENCH_STEP_SECONDS', 60),
  vehicles: num('BENCH_VEHICLES', 4000),
  pollSeconds: num('BENCH_POLL_SECONDS', 0.05),
  drainBoundSeconds: num('BENCH_DRAIN_BOUND_SECONDS', 30),
  drainMaxSeconds: num('BENCH_DRAIN_MAX_SECONDS', 150),
  probeVehicles: num('BENCH_PROBE_VEHICLES', 16),
  loadThreshold: num('BENCH_LOAD_THRESHOLD', 1.0),
  loadWaitSeconds: num('BENCH_LOAD_WAIT_SECONDS', 1200),
  projectDir: process.env.BENCH_PROJECT_DIR ?? join(tmpdir(), 'bench-transport'),
  keepStack: process.env.BENCH_KEEP_STACK === '1',
  profileFlink: process.env.BENCH_PROFILE === '1',
};
const BENCH_GROUP = 'bench (feed+observers)';
const FEED_PATH = '/vehicle-positions.pb';
const FEED_PORT = 8090;
const VEHICLE_STATE = (id: string) => `transport:vehicle:${id}`;
const log = (line: string) => console.log(line);
const session = new NativeSession(settings.projectDir, settings.keepStack, log);
/** A step of this rate: its snapshots and the time between them. */
const pace = (rate: number) => ({ snapshots: Math.max(2, Math.round((rate * settings.stepSeconds) / settings.vehicles)), periodMs: (settings.vehicles / rate) * 1000 });

interface Views {
  stack: StackInfo;
  kafka: KafkaView;
  pg: PostgresView;
  redis: RedisLike & { hget(key: string, field: string): Promise<string | null> };
  feed: FeedPlayer;
}

/** Polls the probe buses' Redis states; a state showing snapshot n for the first time is one latency sample. */
function watchRedis(views: Views, fleet: StepFleet) {
  const ids = Array.from({ length: Math.min(settings.probeVehicles, fleet.vehicles) }, (_, i) => fleet.vehicleId(i));
  const seen = new Map<string, number>();
  const latencies: number[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const pipeline = views.redis.pipeline();
      for (const id of ids) pipeline.hget(VEHICLE_STATE(id), 'position_time_ms');
      const replies = (await pipeline.exec()) ?? [];
      const now = Date.now();
      replies.forEach(([error, value], i) => {
        if (error || value === null || value === undefined) return;
        const n = fleet.snapshotOfTimestamp(Number(value));
        if (!Number.isInteger(n) || (seen.get(ids[i]!) ?? -1) >= n) return;
        seen.set(ids[i]!, n);
        const served = views.feed.servedAt[n];
        if (served !== undefined) latencies.push(now - served);
      });
      await sleep(50);
    }
  })();
  return { latencies, stop: async () => ((running = false), await done) };
}

function arrivalRows(pg: PostgresView, serviceDate: string) {
  return pg.query(`SELECT trip_id, stop_sequence, (extract(epoch FROM inserted_at) * 1000)::bigint FROM stop_arrivals WHERE service_date = '${serviceDate}'`)
    .map(([trip, seq, at]) => ({ trip: trip!, seq: Number(seq), insertedAt: Number(at) }));
}
const countRows = (pg: PostgresView, serviceDate: string) => Number(pg.query(`SELECT count(*) FROM stop_arrivals WHERE service_date = '${serviceDate}'`)[0]![0]);
/** Buses whose Redis state shows their position of snapshot `last` (so every position up to it went through). */
async function statesAt(redis: Views['redis'], fleet: StepFleet, last: number): Promise<number> {
  const want = String(fleet.feedSecondsOf(last) * 1000);
  let n = 0;
  for (let from = 0; from < fleet.vehicles; from += 5000) {
    const pipeline = redis.pipeline();
    for (let i = from; i < Math.min(fleet.vehicles, from + 5000); i++) pipeline.hget(VEHICLE_STATE(fleet.vehicleId(i)), 'position_time_ms');
    n += ((await pipeline.exec()) ?? []).filter(([error, value]) => !error && value === want).length;
  }
  return n;
}

function procGroups(stack: StackInfo): Record<string, number[]> {
  return { ...Object.fromEntries(stack.components.map((c) => [c.name, c.pids])), [BENCH_GROUP]: [process.pid] };
}
const flinkUrls = (stack: StackInfo): Record<string, string> => (stack.addresses.FLINK_URL ? { flink: stack.addresses.FLINK_URL } : {});

async function runStep(views: Views, fleet: StepFleet, rate: number) {
  const { stack, kafka, pg, redis, feed } = views;
  const gatewayPort = stack.ports['service:ingest-gateway']!;
  const topics = (await kafka.admin.listTopics()).filter((t) => !t.startsWith('__')).sort();
  const groups = procGroups(stack);
  const encodeStart = Date.now();
  const { snapshots, periodMs } = pace(rate);
  const bodies = Array.from({ length: snapshots }, (_, n) => fleet.snapshot(n));
  const encodeSeconds = round((Date.now() - encodeStart) / 1000, 1);
  const expected = fleet.expectedArrivals(snapshots);
  const expectedRows = [...expected.values()].reduce((n, stops) => n + stops.size, 0);
  const offsetsBefore = await kafka.endOffsets(topics);
  const gatewayBefore = await gatewayMetrics(gatewayPort);
  const gateBefore = await gtfsRtMetrics(gatewayPort);
  const usageBefore = snapshot(groups, [BENCH_GROUP]);
  const cpuBefore = machineCpu();
  const loadAvgBefore = loadavg().map((n) => round(n, 2));
  log(`\n▶ step ${rate} positions/s: ${fleet.vehicles} buses × ${snapshots} snapshots, one every ${periodMs} ms (${round(bodies[0]!.byteLength / 1024)} KiB each, encoded in ${encodeSeconds} s), service date ${fleet.serviceDate}, ${expectedRows} arrivals expected (load ${loadAvgBefore.join(' ')})`);

  const redisWatch = watchRedis(views, fleet);
  const t0 = Date.now();
  const samples: { t: number; gateway: GatewayCounts; rows?: number; lag?: Record<string, Record<string, number>> }[] = [];
  const pressure: { at: string; vertices: VertexPressure[] }[] = [];
  let sampling = true;
  const sampler = (async () => {
    for (let i = 0; sampling; i++) {
      const sample: (typeof samples)[number] = { t: Date.now(), gateway: await gatewayMetrics(gatewayPort).catch(() => gatewayBefore) };
      if (i % 5 === 0) {
        sample.rows = countRows(pg, fleet.serviceDate);
        sample.lag = await kafka.lag().catch(() => ({}));
      }
      if (i === Math.round(settings.stepSeconds * 0.8)) pressure.push({ at: `${i} s`, vertices: await flinkPressure(flinkUrls(stack)) });
      samples.push(sample);
      await sleep(1000);
    }
  })();

  await feed.play(bodies, periodMs);
  const servedAt = [...feed.servedAt];
  const lastServed = servedAt.at(-1)!;
  const serveSeconds = (lastServed - servedAt[0]!) / 1000 + periodMs / 1000;
  const served = fleet.vehicles * snapshots;
  const servedRate = served / serveSeconds;
  const usageServe = snapshot(groups, [BENCH_GROUP]);
  log(`  served ${served.toLocaleString()} positions in ${round(serveSeconds, 1)} s (${Math.round(servedRate).toLocaleString()}/s); draining …`);

  // Drain: until every expected arrival is a row and every bus's Redis state shows its last position, or the
  // deadline. States are checked as they come: their TTL runs out 120 s after a bus's last position.
  let rows = 0;
  let states = 0;
  let lastRows = -1;
  let lastProgressAt = Date.now();
  while (Date.now() - lastServed < settings.drainMaxSeconds * 1000) {
    rows = countRows(pg, fleet.serviceDate);
    if (states < fleet.vehicles) states = await statesAt(redis, fleet, snapshots - 1);
    if (rows >= expectedRows && states >= fleet.vehicles) break;
    if (rows !== lastRows) [lastRows, lastProgressAt] = [rows, Date.now()];
    if (Date.now() - lastProgressAt > 60_000) break; // nothing moves any more: report what is missing
    await sleep(1000);
  }
  const drainSeconds = round((Date.now() - lastServed) / 1000, 1);
  const drained = rows >= expectedRows && states >= fleet.vehicles;
  sampling = false;
  await sampler;
  await redisWatch.stop();

  const tEnd = Date.now();
  const usageEnd = snapshot(groups, [BENCH_GROUP]);
  const cpuEnd = machineCpu();
  const offsetsAfter = await kafka.endOffsets(topics);
  const gatewayAfter = await gatewayMetrics(gatewayPort);
  const gateAfter = await gtfsRtMetrics(gatewayPort);
  const kafkaRecords = Object.fromEntries(topics.map((t) => [t, offsetsAfter[t]! - offsetsBefore[t]!]));
  const gateway = {
    feeds: gateAfter.feeds - gateBefore.feeds,
    entities: gateAfter.entities - gateBefore.entities,
    passed: gateAfter.passed - gateBefore.passed,
    dropped: gateAfter.dropped - gateBefore.dropped,
    produced: gatewayAfter.produced - gatewayBefore.produced,
    deadLettered: gatewayAfter.deadLettered - gatewayBefore.deadLettered,
    queuedMax: Math.max(0, ...samples.map((s) => s.gateway.queued)),
  };

  // Exactly the expected arrivals? And how long from the snapshot that passed a stop to its row.
  const stored = arrivalRows(pg, fleet.serviceDate);
  const rowLatencies: number[] = [];
  let unexpectedRows = 0;
  const found = new Set<string>();
  for (const row of stored) {
    const crossing = expected.get(row.trip)?.get(row.seq);
    if (crossing === undefined) unexpectedRows += 1;
    else {
      found.add(`${row.trip}/${row.seq}`);
      rowLatencies.push(row.insertedAt - servedAt[crossing]!);
    }
  }
  const missingRows = expectedRows - found.size;
  const gatewayDoneAt = samples.find((s) => s.t >= lastServed && s.gateway.produced - gatewayBefore.produced >= served)?.t ?? tEnd;
  const gatewayPerSec = Math.round(Math.min(gateway.produced, served) / ((gatewayDoneAt - servedAt[0]!) / 1000));
  const insertTimes = stored.map((r) => r.insertedAt).sort((a, b) => a - b);
  const rowsPerSec = insertTimes.length > 1 ? Math.round(insertTimes.length / Math.max(serveSeconds, (insertTimes.at(-1)! - Math.max(insertTimes[0]!, servedAt[0]!)) / 1000)) : 0;

  const positionsTopic = kafkaRecords['transport.positions.v1'] ?? 0;
  const lost = {
    feedToGateway: served - gateway.entities,
    droppedByGateway: gateway.dropped,
    gatewayToKafka: gateway.passed - positionsTopic,
    arrivalRowsMissing: missingRows,
    unexpectedArrivalRows: unexpectedRows,
    vehicleStatesMissing: fleet.vehicles - states,
  };
  const nothingLost = Object.values(lost).every((n) => n === 0) && gateway.deadLettered === 0;
  const achievedOk = servedRate >= rate * 0.95;
  const drainedInBound = drained && drainSeconds <= settings.drainBoundSeconds;
  const sustained = achievedOk && nothingLost && drainedInBound;
  const reasons = [
    ...(achievedOk ? [] : [`served only ${Math.round(servedRate)} positions/s (< 95 % of target): the gateway fetched the snapshots slower than they were due`]),
    ...(nothingLost ? [] : [`lost or missing: ${JSON.stringify(lost)}`]),
    ...(drained ? (drainedInBound ? [] : [`arrived ${drainSeconds} s after the last snapshot (> ${settings.drainBoundSeconds} s)`]) : [`not all arrived ${drainSeconds} s after the last snapshot`]),
  ];
  const latency = { positionToRedis: summarize(redisWatch.latencies), positionToArrivalRow: summarize(rowLatencies) };
  const wall = (tEnd - t0) / 1000;
  const result = {
    targetRate: rate,
    vehicles: fleet.vehicles,
    snapshots,
    snapshotPeriodMs: periodMs,
    serviceDate: fleet.serviceDate,
    sustained,
    notSustainedBecause: reasons,
    serve: { seconds: round(serveSeconds, 1), achievedRate: Math.round(servedRate), positions: served, snapshotKiB: round(bodies[0]!.byteLength / 1024), encodeSeconds },
    throughput: { gatewayPositionsPerSec: gatewayPerSec, arrivalRowsPerSec: rowsPerSec },
    drain: { drained, secondsAfterLastSnapshot: drainSeconds, boundSeconds: settings.drainBoundSeconds },
    counts: {
      positionsServed: served,
      gateway,
      kafkaRecords,
      expected: { arrivalRows: expectedRows, vehicleStates: fleet.vehicles },
      arrivalRows: stored.length,
      vehicleStates: states,
      lost,
    },
    latency,
    resources: {
      wallSeconds: round(wall, 1),
      machineCpuBusyPercent: Math.round(((cpuEnd.busy - cpuBefore.busy) / (cpuEnd.total - cpuBefore.total)) * 100),
      duringServe: usageBetween(usageBefore, usageServe, serveSeconds),
      wholeStep: usageBetween(usageBefore, usageEnd, wall),
    },
    loadAverageBefore: loadAvgBefore,
    flinkBackpressure: pressure,
    timeline: samples.map((s) => ({
      s: round((s.t - t0) / 1000, 1),
      gatewayProduced: s.gateway.produced - gatewayBefore.produced,
      gatewayQueued: s.gateway.queued,
      ...(s.rows !== undefined ? { arrivalRows: s.rows } : {}),
      ...(s.lag ? { lag: s.lag } : {}),
    })),
  };
  log(`  ${sustained ? '✔ sustained' : '✖ not sustained'}: gateway ${gatewayPerSec} positions/s, PostgreSQL ${rowsPerSec} arrival rows/s, rows ${found.size}/${expectedRows} (+${unexpectedRows} unexpected), states ${states}/${fleet.vehicles}, all in ${drainSeconds} s after the last snapshot` +
    (reasons.length ? ` — ${reasons.join('; ')}` : ''));
  log(`  latency position→Redis p50/p95/p99 ${latency.positionToRedis.p50}/${latency.positionToRedis.p95}/${latency.positionToRedis.p99} ms (${latency.positionToRedis.samples} probe samples); position→arrival row ${latency.positionToArrivalRow.p50}/${latency.positionToArrivalRow.p95}/${latency.positionToArrivalRow.p99} ms`);
  return result;
}

/** Loads the fleet's static feed and waits until a small warm-up fleet's arrivals and states come out. */
async function warmUp(views: Views, gtfsDir: string, serviceDate: string) {
  const load = spawnSync('npm', ['run', '--silent', 'gtfs:load', '--', gtfsDir], { cwd: settings.projectDir, encoding: 'utf8' });
  if (load.status !== 0) throw new Error(`npm run gtfs:load failed (exit ${load.status}):\n${load.stdout}${load.stderr}`);
  log(`  ${load.stdout.trim().split('\n').pop()}`);
  const fleet = new StepFleet('warm', Math.min(50, settings.vehicles), serviceDate);
  const snapshots = 12;
  const expectedRows = [...fleet.expectedArrivals(snapshots).values()].reduce((n, s) => n + s.size, 0);
  const started = Date.now();
  await views.feed.play(Array.from({ length: snapshots }, (_, n) => fleet.snapshot(n)), 1000);
  while (Date.now() - started < 300_000) {
    if (countRows(views.pg, serviceDate) >= expectedRows && (await statesAt(views.redis, fleet, snapshots - 1)) >= fleet.vehicles) {
      return round((Date.now() - started) / 1000);
    }
    await sleep(1000);
  }
  throw new Error(`warm-up: ${countRows(views.pg, serviceDate)} of ${expectedRows} arrival rows after 300 s; is the stack healthy? (${settings.projectDir}/.stack/logs)`);
}

const dayAfter = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

async function main() {
  const started = new Date();
  log(`bench:transport — rates ${settings.rates.join(', ')} positions/s from ${settings.vehicles} buses, ${settings.stepSeconds} s per step, a poll every ${settings.pollSeconds} s, project ${settings.projectDir}`);
  const quiet = await waitForQuietMachine(settings.loadThreshold, settings.loadWaitSeconds, log);
  log(`  load average ${quiet.loadAfter.toFixed(2)} (waited ${quiet.waitedSeconds} s)`);
  const machine = machineContext({ kafka: KAFKA_VERSION, flink: FLINK_VERSION });

  log('Generating a fresh transport project (PostgreSQL, Redis; the feed polled every poll interval) …');
  rmSync(settings.projectDir, { recursive: true, force: true });
  const generated = spawnSync(process.execPath, [join(ROOT, 'bin/create-iot-platform.js'), settings.projectDir, '--blueprint', 'transport', '--components', 'redis', '--yes', '--skip-git', '--link'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (generated.status !== 0) throw new Error('project generation failed');
  const manifestPath = join(settings.projectDir, 'iot-platform.yaml');
  const manifestDoc = parseDocument(readFileSync(manifestPath, 'utf8'));
  manifestDoc.setIn(['events', 'vehicle_positions', 'source', 'poll', 'intervalSeconds'], settings.pollSeconds);
  manifestDoc.setIn(['events', 'vehicle_positions', 'source', 'poll', 'url'], `http://127.0.0.1:${FEED_PORT}${FEED_PATH}`);
  manifestDoc.deleteIn(['events', 'trip_updates']); // measured: positions; the feed player serves nothing else
  writeFileSync(manifestPath, manifestDoc.toString());
  const gtfsDir = join(settings.projectDir, 'gtfs', 'bench-fleet');
  const shape = fleetShape(settings.vehicles, Math.max(...settings.rates.map((r) => pace(r).snapshots)));
  writeFleetGtfs(gtfsDir, shape);
  log(`  fleet: ${shape.trips.toLocaleString()} trips on 50 straight routes of ${shape.stopsPerRoute} stops ${FLEET.stopSpacingMetres} m apart`);

  const feed = new FeedPlayer(FEED_PATH);
  await feed.listen(FEED_PORT, '127.0.0.1');
  session.children.add({ kill: () => void feed.close() });
  const profileFile = join(ROOT, 'reports/bench-transport-flink.collapsed');
  if (settings.profileFlink) profileNextFlink(profileFile);
  log('Starting the native stack …');
  const upStarted = Date.now();
  await session.start();
  const stackUpSeconds = round((Date.now() - upStarted) / 1000, 1);
  const stack = readStack(settings.projectDir, parseEnvFile);
  const kafka = new KafkaView(stack.addresses.KAFKA_BROKERS!);
  await kafka.connect();
  const views: Views = { stack, kafka, pg: new PostgresView(stack), redis: (await redisClient(stack)) as Views['redis'], feed };
  session.children.add({ kill: () => void views.redis.quit().catch(() => {}) }); // before the stack goes, on every path
  const firstDate = '2026-06-01';
  log('Loading the static feed and warming up …');
  const warmUpSeconds = await warmUp(views, gtfsDir, firstDate);
  log(`  warm-up arrivals and states out after ${warmUpSeconds} s`);
  const idleBefore = snapshot(procGroups(stack), [BENCH_GROUP]);
  await sleep(15_000);
  const idle = snapshot(procGroups(stack), [BENCH_GROUP]);
  const idleUsage = usageBetween(idleBefore, idle, 15);
  const loadBeforeMeasurement = loadavg().map((n) => round(n, 2));

  const steps: Awaited<ReturnType<typeof runStep>>[] = [];
  for (const [i, rate] of settings.rates.entries()) {
    const fleet = new StepFleet(`s${i + 1}`, settings.vehicles, dayAfter(firstDate, i + 1));
    const step = await runStep(views, fleet, rate);
    steps.push(step);
    if (!step.sustained) {
      log(`Step ${rate} positions/s not sustained: not rising further.`);
      break;
    }
    await sleep(5000);
  }
  const peakRss = Object.fromEntries(Object.entries(snapshot(procGroups(stack), [BENCH_GROUP])).map(([k, v]: [string, ComponentUsage]) => [k, v.peakRssMiB]));
  await kafka.disconnect();
  let flinkProfile: ReturnType<typeof summariseProfile> | null = null;
  if (settings.profileFlink) {
    await session.teardown(); // the profile is written when Flink's JVM exits
    flinkProfile = summariseProfile(profileFile);
  }

  const best = steps.filter((s) => s.sustained).pop();
  const at2000 = steps.find((s) => s.targetRate === 2000);
  const report = {
    date: started.toISOString(),
    command: 'npm run bench:transport',
    settings: { ...settings, projectDir: undefined },
    machine,
    loadWait: quiet,
    loadBeforeMeasurement,
    stackUpSeconds,
    warmUpSeconds,
    fleet: shape,
    idleRssMiB: Object.fromEntries(Object.entries(idle).map(([k, v]) => [k, v.peakRssMiB])),
    idleCpuPercent: Object.fromEntries(Object.entries(idleUsage).map(([k, v]) => [k, v.cpuPercent])),
    targets: { sustainedPositionsPerSec: 20_000, redisP95MsAt2000: 1000 },
    summary: {
      maxSustainedTargetRate: best?.targetRate ?? 0,
      meetsThroughputTarget: (best?.targetRate ?? 0) >= 20_000,
      redisP95At2000: at2000?.latency.positionToRedis.p95 ?? null,
      meetsRedisLatencyTarget: (at2000?.latency.positionToRedis.p95 ?? Infinity) <= 1000,
    },
    peakRssMiB: peakRss,
    steps,
    flinkProfile,
  };
  mkdirSync(join(ROOT, 'reports'), { recursive: true });
  writeFileSync(join(ROOT, 'reports/bench-transport.json'), `${JSON.stringify(report, null, 2)}\n`);

  log(`\nbench:transport — ${machine.cores} cores, ${machine.cpuModel}, ${machine.memoryGiB} GiB, load before measurement ${loadBeforeMeasurement.join(' ')}`);
  log(table(
    ['target pos/s', 'served/s', 'gateway/s', 'rows/s', 'served', 'Kafka pos', 'rows/exp', 'states/buses', 'all in s', 'Redis p50/p95/p99 ms', 'row p50/p95/p99 ms', 'sustained'],
    steps.map((s) => [
      s.targetRate, s.serve.achievedRate, s.throughput.gatewayPositionsPerSec, s.throughput.arrivalRowsPerSec,
      s.counts.positionsServed, s.counts.kafkaRecords['transport.positions.v1'], `${s.counts.arrivalRows}/${s.counts.expected.arrivalRows}`,
      `${s.counts.vehicleStates}/${s.vehicles}`, s.drain.secondsAfterLastSnapshot,
      `${s.latency.positionToRedis.p50}/${s.latency.positionToRedis.p95}/${s.latency.positionToRedis.p99}`,
      `${s.latency.positionToArrivalRow.p50}/${s.latency.positionToArrivalRow.p95}/${s.latency.positionToArrivalRow.p99}`,
      s.sustained ? 'yes' : 'NO',
    ]),
  ));
  log('\nCPU while serving (% of one core) and peak RSS (MiB) per component:');
  const names = Object.keys(steps.at(-1)?.resources.duringServe ?? {});
  log(table(['component', 'idle', ...steps.map((s) => `${s.targetRate}`), 'peak RSS MiB'], names.map((n) => [n, report.idleCpuPercent[n], ...steps.map((s) => (s.resources.duringServe as Record<string, { cpuPercent: number }>)[n]?.cpuPercent), peakRss[n]])));
  if (flinkProfile) logProfile(flinkProfile, log);
  log(`\nMax sustained: ${report.summary.maxSustainedTargetRate} positions/s (target 20,000); p95 position→Redis at 2,000/s: ${report.summary.redisP95At2000} ms (target 1,000).`);
  log('Wrote reports/bench-transport.json');
}

try {
  await main();
} catch (error) {
  log(`bench:transport failed: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
} finally {
  await session.teardown();
}
process.exit(process.exitCode ?? 0);
