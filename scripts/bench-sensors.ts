// Benchmark: the sensors pipeline on the native stack (MQTT → gateway → Kafka → Flink SQL → PostgreSQL and
// upsert-kafka → Redis sink → Redis), at rising target rates until a step is not sustained.
//
//   npm run bench:sensors
//   BENCH_RATES=5000,10000,25000 BENCH_STEP_SECONDS=60 npm run bench:sensors
//
// Per step (own tenant, so counts are separable): realistic ticks from the simulator's models (4 CSV
// messages each: humidity, temperature, location, state; every device ticks every BENCH_TICK_SECONDS)
// published with QoS 1 by forked raw-MQTT publishers; then it waits for the backlog to drain and reports
// achieved publish rate, gateway and PostgreSQL throughput, counts in vs out at every hop (MQTT acked,
// gateway received/produced/dead-lettered, Kafka records per topic by offsets, PostgreSQL rows = ticks,
// Redis state hashes = devices), latency event→PostgreSQL (server side, every row) and event→Redis (probe
// devices), per-component CPU and peak RSS, consumer lag over time and Flink backpressure.
// A step is sustained when ≥ 95 % of the target rate was published, nothing was lost, neither p95 latency
// (event→PostgreSQL, event→Redis) nor consumer lag grew from the first third of the step to the last (by more than
// half plus a slack: LATENCY_SLACK_MS, LAG_SLACK_SECONDS of input), and the backlog drained within
// BENCH_DRAIN_BOUND_SECONDS after publishing stopped. Steps last BENCH_STEP_SECONDS (default 3 minutes), after
// BENCH_WARMUP_SECONDS (default 60) of the first step's load on a tenant of its own (0: none), and until the JVMs'
// JIT has fallen quiet after it (scripts/bench/jit.ts).
// Each step profiles Flink's JVM over the middle third of its publishing (async-profiler attached to the running JVM,
// scripts/bench/jvm-profile.ts) and reports where its CPU went per operator chain (BENCH_PROFILE=0: no profile).
// After the steps, each stage's own ceiling (scripts/bench/stage-ceilings.ts: the gateway with Flink and the Redis
// sink frozen, then each of those draining its pre-filled input; BENCH_STAGE_SECONDS=0 skips it): each step reports
// its load as a ratio of every ceiling, the highest naming the bottleneck. After, so that the backlogs it piles up on
// purpose (in Mosquitto, the gateway, the Redis sink: memory a process keeps) are no part of the steps' memory.
// Last, the stack's idle CPU: no traffic, after BENCH_IDLE_SETTLE_SECONDS and until its JVMs stop compiling
// (scripts/bench/jit.ts; at most BENCH_IDLE_SETTLE_MAX_SECONDS), over BENCH_IDLE_SECONDS.
// Writes reports/bench-sensors.json and reports/bench-sensors.png; the stack is torn down at the end, on
// failure and on Ctrl-C (BENCH_KEEP_STACK=1 keeps it).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { nativeDown, nativeUp } from '../stack/native/driver.ts';
import { DynsecAdmin } from '../runtime/mqtt-access/dynsec-admin.ts';
import { devicePassword } from '../runtime/mqtt-access/device-password.ts';
import { deviceClient, ensureClients } from '../runtime/mqtt-access/provision.ts';
import { loadManifest } from '../runtime/service-kit/manifest.ts';
import { parseEnvFile } from '../stack/native/context.ts';
import { FLINK_VERSION, KAFKA_VERSION } from '../renderer/versions.ts';
import { machineContext, waitForQuietMachine } from './bench/machine.ts';
import { largestTotal, memoryNow, processTree, snapshot, usageBetween, machineCpu, type ComponentUsage } from './bench/procstat.ts';
import { countKeys, flinkCheckpoints, flinkPressure, gatewayMetrics, KafkaView, PostgresView, readStack, redisClient, type GatewayCounts, type JobCheckpoints, type StackInfo, type VertexPressure } from './bench/observe.ts';
import { Probe } from './bench/probe.ts';
import { startLoad, type LoadResult } from './bench/load.ts';
import { publisherCeiling } from './bench/ceiling.ts';
import { cpuBudget } from './bench/cpu-budget.ts';
import { waitForJitQuiet } from './bench/jit.ts';
import { loadOfCeilings, measureStageCeilings, thawAll, type StageCeilings } from './bench/stage-ceilings.ts';
import { drawChart } from './bench/chart.ts';
import { logProfile, profileWindow, type ProfileSummary } from './bench/jvm-profile.ts';
import { round, sleep, summarize, table } from './bench/stats.ts';
import { grew, meanByThirds, thirdsOf } from './bench/growth.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const num = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const settings = {
  rates: (process.env.BENCH_RATES ?? '2000,5000,10000,25000,40000').split(',').map(Number).filter((n) => n > 0),
  stepSeconds: num('BENCH_STEP_SECONDS', 180),
  warmupSeconds: num('BENCH_WARMUP_SECONDS', 60),
  tickSeconds: num('BENCH_TICK_SECONDS', 1),
  drainBoundSeconds: num('BENCH_DRAIN_BOUND_SECONDS', 30),
  drainMaxSeconds: num('BENCH_DRAIN_MAX_SECONDS', 150),
  publishers: num('BENCH_PUBLISHERS', 2),
  connectionsPerPublisher: num('BENCH_CONNECTIONS', 4),
  window: num('BENCH_WINDOW', 2000),
  probeDevices: num('BENCH_PROBE_DEVICES', 16),
  probeTicksPerSecond: num('BENCH_PROBE_TICKS_PER_SECOND', 16),
  loadThreshold: num('BENCH_LOAD_THRESHOLD', 1.0),
  loadWaitSeconds: num('BENCH_LOAD_WAIT_SECONDS', 1200),
  ceilingSeconds: num('BENCH_CEILING_SECONDS', 8),
  stageSeconds: num('BENCH_STAGE_SECONDS', 8),
  stageDevices: num('BENCH_STAGE_DEVICES', 5000),
  idleSettleSeconds: num('BENCH_IDLE_SETTLE_SECONDS', 60),
  idleSettleMaxSeconds: num('BENCH_IDLE_SETTLE_MAX_SECONDS', 600),
  idleSeconds: num('BENCH_IDLE_SECONDS', 60),
  projectDir: process.env.BENCH_PROJECT_DIR ?? join(tmpdir(), 'bench-sensors'),
  keepStack: process.env.BENCH_KEEP_STACK === '1',
  profileFlink: process.env.BENCH_PROFILE !== '0',
};
const ENV = 'bench';
/** What a steady pipeline's p95 latency and consumer lag may vary by between the thirds of a step. */
const LATENCY_SLACK_MS = 500;
const LAG_SLACK_SECONDS = 2;
/** Issue 14's goals; its latency goals hold at one rate, whatever the highest sustained one. */
const GOALS = {
  sustainedMsgPerSec: 25_000,
  latency: { atMsgPerSec: 5000, redisP95Ms: 1000, postgresP95Ms: 3000 },
  stackMemoryMiB: 3072,
  idleCpuPercent: 10,
};
const BENCH_GROUP = 'bench (probe+observers)';
const runId = Date.now().toString(36);
const log = (line: string) => console.log(line);

// ---------- teardown on every exit path ----------
let stackUp = false;
let tearingDown: Promise<void> | undefined;
const activeLoads = new Set<{ kill(): void }>();

/** Provisions a tenant's MQTT user (the bench project has mqtt.credentials: tenant) and answers its login. */
async function tenantLogin(stack: StackInfo, tenant: string): Promise<{ username: string; password: string }> {
  const manifest = loadManifest(join(stack.projectDir, 'iot-platform.yaml'));
  const admin = await DynsecAdmin.connect({ url: `mqtt://127.0.0.1:${stack.ports.mqtt}`, password: stack.secrets.MQTT_ADMIN_PASSWORD! });
  try {
    await ensureClients(admin, [deviceClient(manifest, stack.secrets.MQTT_DEVICE_KEY!, { username: tenant, tenant })]);
  } finally {
    await admin.close();
  }
  return { username: tenant, password: devicePassword(stack.secrets.MQTT_DEVICE_KEY!, tenant) };
}

async function teardown(): Promise<void> {
  for (const l of activeLoads) l.kill();
  thawAll();
  if (!stackUp || settings.keepStack) return;
  tearingDown ??= (async () => {
    log('Tearing the native stack down …');
    try {
      await nativeDown(settings.projectDir, () => {}, { purge: true });
    } catch (error) {
      log(`  teardown failed: ${(error as Error).message}; run: cd ${settings.projectDir} && npm run stack -- down --purge`);
    }
    stackUp = false;
  })();
  return tearingDown;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    log(`\n${signal}: stopping`);
    void teardown().finally(() => process.exit(130));
  });
}

// ---------- one step ----------
interface Sample {
  t: number;
  published: number;
  gateway: GatewayCounts;
  postgresRows?: number;
  lag?: Record<string, Record<string, number>>;
  /** The stack's components' memory (PSS, MiB) at this moment. */
  memoryMiB?: Record<string, number>;
}

/** Devices that tick every BENCH_TICK_SECONDS with 4 messages each, for `rate` messages a second. */
const devicesAt = (rate: number) => Math.max(4, Math.round((rate / 4) * settings.tickSeconds));

async function runStep(stack: StackInfo, kafka: KafkaView, pg: PostgresView, redis: Awaited<ReturnType<typeof redisClient>>, probe: Probe, rate: number) {
  const tenant = `t${rate}-${runId}`;
  const devices = devicesAt(rate);
  const gatewayPort = stack.ports['service:ingest-gateway']!;
  const topics = (await kafka.admin.listTopics()).filter((t) => !t.startsWith('__')).sort();
  const groups = procGroups(stack);
  const stackGroups = withoutBench(groups);
  await probe.quiesce(); // no probe traffic in flight while the before-counters are read
  const probeBefore = { ...probe.published };
  const probeTicksBefore = probe.ticks;
  const offsetsBefore = await kafka.endOffsets(topics);
  const gatewayBefore = await gatewayMetrics(gatewayPort);
  probe.resume();
  const usageBefore = snapshot(groups, [BENCH_GROUP]);
  const cpuBefore = machineCpu();
  const loadAvgBefore = loadavg().map((n) => round(n, 2));
  log(`\n▶ step ${rate} msg/s: ${devices} devices × 4 messages every ${settings.tickSeconds} s, ${settings.stepSeconds} s, tenant ${tenant} (load ${loadAvgBefore.join(' ')})`);

  const load = startLoad({
    projectDir: stack.projectDir, host: '127.0.0.1', port: stack.ports.mqtt!, ...(await tenantLogin(stack, tenant)),
    env: ENV, tenant, deviceCount: devices, rate, seconds: settings.stepSeconds,
    workers: settings.publishers, connectionsPerWorker: settings.connectionsPerPublisher, window: settings.window,
  });
  activeLoads.add(load);
  groups.publisher = load.pids;
  const t0 = Date.now();
  const samples: Sample[] = [];
  const pressure: { atSecond: number; vertices: VertexPressure[] }[] = [];
  let sampling = true;
  const sampler = (async () => {
    let i = 0;
    while (sampling) {
      const sample: Sample = { t: Date.now(), published: load.progress().acked, gateway: await gatewayMetrics(gatewayPort).catch(() => gatewayBefore) };
      if (i % 5 === 0) {
        sample.postgresRows = pg.count(ENV, tenant);
        sample.lag = await kafka.lag().catch(() => ({}));
        sample.memoryMiB = memoryNow(stackGroups);
      }
      samples.push(sample);
      i += 1;
      await sleep(1000);
    }
  })();
  const profileTask = settings.profileFlink ? profileMiddleThird(stack, t0, rate) : Promise.resolve(undefined);
  const pressureAt = [0.5, 0.9].map((f) => Math.round(settings.stepSeconds * f));
  const pressureTask = (async () => {
    for (const at of pressureAt) {
      await sleep(Math.max(0, t0 + at * 1000 - Date.now()));
      if (!sampling) return;
      pressure.push({ atSecond: at, vertices: await flinkPressure(flinkUrls(stack)) });
    }
  })();

  const published: LoadResult = await load.done;
  activeLoads.delete(load);
  const flinkProfile = await profileTask;
  const usagePublish = snapshot(groups, [BENCH_GROUP]);
  const checkpoints: JobCheckpoints[] = await flinkCheckpoints(flinkUrls(stack)).catch(() => []);
  const publishSeconds = (Math.max(published.publishEndedAt, published.lastAckAt) - published.startedAt) / 1000;
  const expectedRows = Math.min(published.perKind.humidity ?? 0, published.perKind.temperature ?? 0);
  log(`  published ${published.acked.toLocaleString()} acked (${Math.round(published.achievedRate).toLocaleString()} msg/s), ${published.unacked} unacked; draining …`);
  const mib = (bytes: number) => round(bytes / 2 ** 20, 1);
  for (const c of checkpoints) {
    const largest = c.byVertex.filter((v) => v.stateBytes >= 2 ** 20).map((v) => `${v.vertex} ${mib(v.stateBytes)} MiB`);
    log(`  checkpoint of ${c.job}: ${mib(c.stateBytes)} MiB state, ${c.durationMs} ms (${c.completed} done)${largest.length ? `; ${largest.join('; ')}` : ''}`);
  }

  // Drain: until every tick is a PostgreSQL row and every device a Redis state hash, or the deadline.
  const drainStart = Date.now();
  let rows = 0;
  let stateKeys = 0;
  let lastProgressAt = Date.now();
  let lastRows = -1;
  let pressureDuringDrain: VertexPressure[] | undefined;
  while (Date.now() - drainStart < settings.drainMaxSeconds * 1000) {
    rows = pg.count(ENV, tenant);
    stateKeys = rows >= expectedRows ? await countKeys(redis, `sensors:${ENV}:${tenant}:device:*:state`) : 0;
    if (rows >= expectedRows && stateKeys >= devices) break;
    if (rows !== lastRows) {
      lastRows = rows;
      lastProgressAt = Date.now();
    }
    if (!pressureDuringDrain && Date.now() - drainStart > 5000) pressureDuringDrain = await flinkPressure(flinkUrls(stack));
    if (Date.now() - lastProgressAt > 60_000) break; // nothing moves any more: report what is missing
    await sleep(1000);
  }
  const drainSeconds = round((Date.now() - drainStart) / 1000, 1);
  const drained = rows >= expectedRows && stateKeys >= devices;
  if (!drained) stateKeys = await countKeys(redis, `sensors:${ENV}:${tenant}:device:*:state`);
  sampling = false;
  await sampler;
  await pressureTask;

  // Counts in vs out.
  await probe.quiesce();
  const tEnd = Date.now();
  const usageEnd = snapshot(groups, [BENCH_GROUP]);
  const cpuEnd = machineCpu();
  const offsetsAfter = await kafka.endOffsets(topics);
  const gatewayAfter = await gatewayMetrics(gatewayPort);
  probe.resume();
  const probeIn = Object.fromEntries(Object.entries(probe.published).map(([k, v]) => [k, v - (probeBefore[k] ?? 0)]));
  const probeMessages = Object.values(probeIn).reduce((a, b) => a + b, 0);
  const probeTicks = probe.ticks - probeTicksBefore;
  const kafkaRecords = Object.fromEntries(topics.map((t) => [t, offsetsAfter[t]! - offsetsBefore[t]!]));
  const kafkaBatches = gatewayAfter.kafka.batches - gatewayBefore.kafka.batches;
  const gateway = {
    received: gatewayAfter.received - gatewayBefore.received - probeMessages,
    produced: gatewayAfter.produced - gatewayBefore.produced - probeMessages,
    deadLettered: gatewayAfter.deadLettered - gatewayBefore.deadLettered,
    queuedMax: Math.max(0, ...samples.map((s) => s.gateway.queued)),
    kafkaBatches,
    kafkaRecordsPerBatch: round((gatewayAfter.kafka.records - gatewayBefore.kafka.records) / Math.max(1, kafkaBatches), 0),
    kafkaAckMsMean: round((gatewayAfter.kafka.ackMsTotal - gatewayBefore.kafka.ackMsTotal) / Math.max(1, kafkaBatches), 1),
  };
  const latencyPg = pg.latency(ENV, tenant);
  const windowStart = published.startedAt;
  const windowEnd = Math.max(published.publishEndedAt, published.lastAckAt);
  const redisLatency = summarize(probe.samples.filter((s) => s.eventTime >= windowStart && s.eventTime <= windowEnd).map((s) => s.latencyMs));

  // Steady: neither latency nor consumer lag grows from the first third of the publishing window to the last.
  const thirds = thirdsOf(windowStart, windowEnd);
  const redisP95InThird = (from: number, to: number) => summarize(probe.samples.filter((s) => s.eventTime >= from && s.eventTime < to).map((s) => s.latencyMs)).p95;
  const totalLag = (s: Sample) => (s.lag ? Object.values(s.lag).flatMap((topics) => Object.values(topics)).reduce((a, b) => a + b, 0) : undefined);
  const growth = {
    postgresP95Ms: pg.p95ByThirds(ENV, tenant, thirds),
    redisP95Ms: { first: redisP95InThird(thirds[0], thirds[1]), last: redisP95InThird(thirds[2], thirds[3] + 1) },
    consumerLag: meanByThirds(samples, totalLag, windowStart, windowEnd),
  };
  const grown = [
    ...(grew(growth.postgresP95Ms, LATENCY_SLACK_MS) ? [`p95 event→PostgreSQL grew from ${growth.postgresP95Ms.first} to ${growth.postgresP95Ms.last} ms over the step`] : []),
    ...(grew(growth.redisP95Ms, LATENCY_SLACK_MS) ? [`p95 event→Redis grew from ${growth.redisP95Ms.first} to ${growth.redisP95Ms.last} ms over the step`] : []),
    ...(grew(growth.consumerLag, rate * LAG_SLACK_SECONDS) ? [`consumer lag grew from ${Math.round(growth.consumerLag.first!)} to ${Math.round(growth.consumerLag.last!)} records over the step`] : []),
  ];

  // Throughput: the gateway over the publishing window (plus the backlog it still had), PostgreSQL over its inserts.
  const gwSeries = samples.map((s) => ({ t: s.t, produced: s.gateway.produced - gatewayBefore.produced, queued: s.gateway.queued }));
  const caughtUp = gwSeries.find((s) => s.t >= windowEnd && s.produced >= published.acked - gateway.deadLettered);
  const gatewayDoneAt = caughtUp?.t ?? gwSeries[gwSeries.length - 1]?.t ?? tEnd;
  const gatewayMsgPerSec = Math.round(Math.min(gateway.produced, published.acked) / ((gatewayDoneAt - windowStart) / 1000));
  const pgSeconds = latencyPg.firstInsertMs && latencyPg.lastInsertMs ? (latencyPg.lastInsertMs - Math.max(latencyPg.firstInsertMs, windowStart)) / 1000 : 0;
  const postgresRowsPerSec = pgSeconds > 0 ? Math.round(latencyPg.rows / Math.max(pgSeconds, publishSeconds)) : 0;

  const lost = {
    mqttToGateway: published.acked - gateway.received,
    gatewayToKafka: gateway.received - gateway.produced - gateway.deadLettered,
    rowsMissing: expectedRows - rows,
    stateHashesMissing: devices - stateKeys,
  };
  const nothingLost = lost.mqttToGateway === 0 && lost.gatewayToKafka === 0 && lost.rowsMissing === 0 && lost.stateHashesMissing === 0 && gateway.deadLettered === 0;
  const achievedOk = published.achievedRate >= rate * 0.95;
  const drainedInBound = drained && drainSeconds <= settings.drainBoundSeconds;
  const sustained = achievedOk && nothingLost && drainedInBound && grown.length === 0;
  const reasons = [
    ...grown,
    ...(achievedOk ? [] : [`published only ${Math.round(published.achievedRate)} msg/s (< 95 % of target)`]),
    ...(nothingLost ? [] : [`lost or missing: ${JSON.stringify(lost)}`]),
    ...(drained ? (drainedInBound ? [] : [`backlog drained in ${drainSeconds} s (> ${settings.drainBoundSeconds} s)`]) : [`backlog not drained after ${drainSeconds} s`]),
  ];
  const wall = (tEnd - t0) / 1000;
  const result = {
    targetRate: rate,
    tenant,
    devices,
    sustained,
    notSustainedBecause: reasons,
    publish: {
      seconds: round(publishSeconds, 1),
      achievedRate: Math.round(published.achievedRate),
      published: published.published,
      acked: published.acked,
      unacked: published.unacked,
      perKind: published.perKind,
      ticks: published.ticks,
      windowBlockedMs: published.blockedMs,
      publisherCpuSeconds: round(published.cpuSeconds, 1),
    },
    throughput: { gatewayMsgPerSec, postgresRowsPerSec, postgresMsgEquivalentPerSec: postgresRowsPerSec * 4 },
    drain: { drained, seconds: drainSeconds, boundSeconds: settings.drainBoundSeconds },
    growth,
    counts: {
      mqttAcked: published.acked,
      gateway,
      kafkaRecords,
      kafkaRecordsIncludeProbe: { messages: probeIn, ticks: probeTicks },
      expected: { rawPerTopic: published.perKind, measurements: expectedRows, postgresRows: expectedRows, redisStateHashes: devices },
      postgresRows: rows,
      redisStateHashes: stateKeys,
      lost,
    },
    latency: {
      postgres: { rows: latencyPg.rows, p50: latencyPg.p50, p95: latencyPg.p95, p99: latencyPg.p99, max: latencyPg.max, mean: latencyPg.mean },
      redis: redisLatency,
    },
    memory: largestTotal(samples.flatMap((s) => (s.memoryMiB ? [s.memoryMiB] : []))),
    resources: {
      wallSeconds: round(wall, 1),
      machineCpuBusyPercent: Math.round(((cpuEnd.busy - cpuBefore.busy) / (cpuEnd.total - cpuBefore.total)) * 100),
      duringPublish: usageBetween(usageBefore, usagePublish, publishSeconds),
      wholeStep: usageBetween(usageBefore, usageEnd, wall),
    },
    loadAverageBefore: loadAvgBefore,
    flinkCheckpointsAtPublishEnd: checkpoints,
    flinkProfile,
    flinkBackpressure: [...pressure, ...(pressureDuringDrain ? [{ atSecond: 'drain+5s', vertices: pressureDuringDrain }] : [])],
    timeline: samples.map((s) => ({
      s: round((s.t - t0) / 1000, 1),
      published: s.published,
      gatewayReceived: s.gateway.received - gatewayBefore.received,
      gatewayProduced: s.gateway.produced - gatewayBefore.produced,
      gatewayQueued: s.gateway.queued,
      ...(s.postgresRows !== undefined ? { postgresRows: s.postgresRows } : {}),
      ...(s.lag ? { lag: s.lag } : {}),
    })),
  };
  log(`  ${sustained ? '✔ sustained' : '✖ not sustained'}: gateway ${gatewayMsgPerSec} msg/s, PostgreSQL ${postgresRowsPerSec} rows/s, rows ${rows}/${expectedRows}, state hashes ${stateKeys}/${devices}, drain ${drainSeconds} s` +
    (reasons.length ? ` — ${reasons.join('; ')}` : ''));
  log(`  gateway → Kafka: ${gateway.kafkaBatches} batches of ${gateway.kafkaRecordsPerBatch} records on average, acknowledged in ${gateway.kafkaAckMsMean} ms on average (one batch in flight); queue up to ${gateway.queuedMax}`);
  log(`  latency event→PostgreSQL p50/p95/p99 ${latencyPg.p50}/${latencyPg.p95}/${latencyPg.p99} ms; event→Redis p50/p95/p99 ${redisLatency.p50}/${redisLatency.p95}/${redisLatency.p99} ms (${redisLatency.samples} probe ticks)`);
  if (flinkProfile) logProfile(flinkProfile, log, `over the middle third of the ${rate} msg/s step`);
  return result;
}

/**
 * The first step's load on a tenant of its own until the JVMs' compilers have the hot paths (a first step measured on
 * a cold stack read up to twice the latency of the same step run later), then until its last tick is in PostgreSQL.
 */
async function warmUp(stack: StackInfo, pg: PostgresView, rate: number, seconds: number): Promise<void> {
  const tenant = `warmup-${runId}`;
  log(`\nWarm-up: ${rate} msg/s for ${seconds} s on tenant ${tenant} …`);
  const load = startLoad({
    projectDir: stack.projectDir, host: '127.0.0.1', port: stack.ports.mqtt!, ...(await tenantLogin(stack, tenant)),
    env: ENV, tenant, deviceCount: devicesAt(rate), rate, seconds,
    workers: settings.publishers, connectionsPerWorker: settings.connectionsPerPublisher, window: settings.window,
  });
  activeLoads.add(load);
  const published = await load.done;
  activeLoads.delete(load);
  const expectedRows = Math.min(published.perKind.humidity ?? 0, published.perKind.temperature ?? 0);
  const deadline = Date.now() + settings.drainMaxSeconds * 1000;
  while (pg.count(ENV, tenant) < expectedRows && Date.now() < deadline) await sleep(1000);
  log(`  ${pg.count(ENV, tenant).toLocaleString()}/${expectedRows.toLocaleString()} rows in PostgreSQL`);
  // The JVMs compile what the load made hot for minutes after it: a step that starts before they are done is measured
  // on a JVM still compiling (a fifth of Flink's CPU in the step, and a p95 to PostgreSQL 0.3 s higher).
  const jit = await waitForJitQuiet(() => stackPids(stack), { deadlineSeconds: settings.idleSettleMaxSeconds });
  log(`  JIT ${jit.quiet ? 'quiet' : 'still compiling'} after ${jit.seconds} s (${jit.lastWindowPercent} % of a core)`);
}

/** A CPU profile of Flink's JVM from a third of the step's publishing to two thirds, the load steady by then. */
async function profileMiddleThird(stack: StackInfo, t0: number, rate: number): Promise<ProfileSummary | { error: string }> {
  const pid = stack.components.find((c) => c.name === 'flink')?.pids.find((p) => readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'java');
  if (!pid) return { error: 'no java process among the flink component\'s' };
  await sleep(Math.max(0, t0 + (settings.stepSeconds * 1000) / 3 - Date.now()));
  const window = profileWindow(pid);
  if ('error' in window) return window;
  await sleep(Math.max(0, t0 + (settings.stepSeconds * 2000) / 3 - Date.now()));
  mkdirSync(join(ROOT, 'reports'), { recursive: true });
  return window.stop(join(ROOT, `reports/bench-sensors-flink-${rate}.collapsed`));
}

const stackPids = (stack: StackInfo) => processTree(stack.components.flatMap((c) => c.pids));

/** The stack's groups of procGroups, without the bench's own. */
function withoutBench(groups: Record<string, number[]>): Record<string, number[]> {
  const { [BENCH_GROUP]: _bench, ...stackGroups } = groups;
  return stackGroups;
}

function procGroups(stack: StackInfo): Record<string, number[]> {
  const groups: Record<string, number[]> = {};
  for (const c of stack.components) {
    groups[c.name] = c.pids;
  }
  groups[BENCH_GROUP] = [process.pid];
  return groups;
}

/** The native stack runs every Flink job in one local cluster with one REST endpoint. */
function flinkUrls(stack: StackInfo): Record<string, string> {
  return stack.addresses.FLINK_URL ? { flink: stack.addresses.FLINK_URL } : {};
}

// ---------- main ----------
async function main() {
  const started = new Date();
  log(`bench:sensors — rates ${settings.rates.join(', ')} msg/s, ${settings.stepSeconds} s per step, project ${settings.projectDir}`);
  const quiet = await waitForQuietMachine(settings.loadThreshold, settings.loadWaitSeconds, log);
  log(`  load average ${quiet.loadAfter.toFixed(2)} (waited ${quiet.waitedSeconds} s)`);
  const machine = machineContext({ kafka: KAFKA_VERSION, flink: FLINK_VERSION });

  log('Generating a fresh sensors project (all components except observability) …');
  rmSync(settings.projectDir, { recursive: true, force: true });
  const generated = spawnSync(process.execPath, [join(ROOT, 'bin/create-iot-platform.js'), settings.projectDir, '--blueprint', 'sensors', '--components', 'redis,api,dbt,history', '--yes', '--skip-git', '--link'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (generated.status !== 0) throw new Error('project generation failed');
  // The load publishes for thousands of devices over a few connections: one MQTT user per tenant.
  const manifestPath = join(settings.projectDir, 'iot-platform.yaml');
  const manifestDoc = parseDocument(readFileSync(manifestPath, 'utf8'));
  manifestDoc.setIn(['mqtt', 'credentials'], 'tenant');
  writeFileSync(manifestPath, manifestDoc.toString());

  const ceiling = settings.ceilingSeconds > 0 ? await publisherCeiling(settings.projectDir, settings.ceilingSeconds, settings.publishers, settings.connectionsPerPublisher, settings.window) : undefined;
  if (ceiling) log(`Publisher ceiling (private Mosquitto, no subscriber): ${ceiling.msgPerSec.toLocaleString()} msg/s QoS 1 (${ceiling.publisherCpuSeconds} CPU s in ${ceiling.seconds} s)`);

  log('Starting the native stack …');
  const upStarted = Date.now();
  stackUp = true;
  await nativeUp(settings.projectDir, (line) => log(line));
  const stackUpSeconds = round((Date.now() - upStarted) / 1000, 1);
  const stack = readStack(settings.projectDir, parseEnvFile);
  const kafka = new KafkaView(stack.addresses.KAFKA_BROKERS!);
  await kafka.connect();
  const pg = new PostgresView(stack);
  const redis = await redisClient(stack);
  const probe = new Probe({
    projectDir: stack.projectDir, host: '127.0.0.1', port: stack.ports.mqtt!, ...(await tenantLogin(stack, `probe-${runId}`)),
    env: ENV, tenant: `probe-${runId}`, devices: settings.probeDevices, ticksPerSecond: settings.probeTicksPerSecond, pollMs: 50, redis,
  });
  await probe.start();
  // Warm-up: until the probe's readings reach Redis (jobs running, watermarks moving), at most 3 minutes.
  const warmStart = Date.now();
  while (probe.samples.length < settings.probeDevices && Date.now() - warmStart < 180_000) await sleep(1000);
  log(`Warm-up: ${probe.samples.length} probe readings reached Redis after ${round((Date.now() - warmStart) / 1000)} s`);
  if (settings.warmupSeconds > 0 && settings.rates.length > 0) await warmUp(stack, pg, settings.rates[0]!, settings.warmupSeconds);
  const loadBeforeMeasurement = loadavg().map((n) => round(n, 2));
  const measuredSteps: Awaited<ReturnType<typeof runStep>>[] = [];
  for (const rate of settings.rates) {
    const step = await runStep(stack, kafka, pg, redis, probe, rate);
    measuredSteps.push(step);
    if (!step.sustained) {
      log(`Step ${rate} msg/s not sustained: not rising further.`);
      break;
    }
    await sleep(5000);
  }
  const peakRss = Object.fromEntries(Object.entries(snapshot(procGroups(stack), [BENCH_GROUP])).map(([k, v]: [string, ComponentUsage]) => [k, v.peakRssMiB]));

  let stageCeilings: StageCeilings | undefined;
  if (settings.stageSeconds > 0) {
    await probe.quiesce();
    const tenant = `stages-${runId}`;
    stageCeilings = await measureStageCeilings({
      stack, kafka, pg, groups: procGroups(stack), selfOnly: [BENCH_GROUP], drainMaxSeconds: Math.max(settings.drainMaxSeconds, 300), log,
      load: {
        projectDir: stack.projectDir, host: '127.0.0.1', port: stack.ports.mqtt!, ...(await tenantLogin(stack, tenant)),
        env: ENV, tenant, deviceCount: settings.stageDevices, seconds: settings.stageSeconds,
        workers: settings.publishers, connectionsPerWorker: settings.connectionsPerPublisher, window: settings.window,
      },
    });
  }
  // Idle: no traffic at all (the probe paused), the fixed cost of a stack that has run: measured last, once every
  // backlog has drained and the JVMs have stopped compiling (their JIT, not the stack's work, is most of its CPU for
  // minutes after start or load).
  await probe.quiesce();
  await sleep(settings.idleSettleSeconds * 1000);
  const jit = await waitForJitQuiet(() => stackPids(stack), { deadlineSeconds: settings.idleSettleMaxSeconds });
  const idleGroups = procGroups(stack);
  const idleBefore = snapshot(idleGroups, [BENCH_GROUP]);
  await sleep(settings.idleSeconds * 1000);
  const idle = snapshot(idleGroups, [BENCH_GROUP]);
  const idleMemory = memoryNow(withoutBench(idleGroups));
  const idleMemoryTotal = Object.values(idleMemory).reduce((a, b) => a + b, 0);
  const idleUsage = usageBetween(idleBefore, idle, settings.idleSeconds);
  const stackIdleCpu = round((Object.entries(idleUsage).filter(([k]) => k !== BENCH_GROUP).reduce((n, [, v]) => n + v.cpuSeconds, 0) / settings.idleSeconds) * 100, 1);
  log(`Idle (${settings.idleSettleSeconds + jit.seconds} s after the last load, JIT ${jit.quiet ? 'quiet' : 'still compiling'}: ${jit.lastWindowPercent} % of a core; over ${settings.idleSeconds} s): ` +
    `the stack ${stackIdleCpu} % of a core, ${idleMemoryTotal} MiB PSS; ${Object.entries(idleUsage).map(([k, v]) => `${k} ${v.cpuPercent} %`).join(', ')}`);

  const ceilings = { ...(ceiling ? { publisher: ceiling.msgPerSec } : {}), ...stageCeilings?.msgPerSec };
  const steps = measuredSteps.map((step) => ({
    ...step,
    loadOfStageCeilings: loadOfCeilings(step.publish.achievedRate, ceilings),
    cpuBudget: cpuBudget({
      usage: step.resources.duringPublish, seconds: step.publish.seconds, msgPerSec: step.publish.achievedRate,
      cores: machine.cores, targetMsgPerSec: GOALS.sustainedMsgPerSec, exclude: [BENCH_GROUP, 'publisher'],
    }),
  }));
  for (const { targetRate, loadOfStageCeilings: { ratios, bottleneck } } of steps) {
    if (bottleneck.ratio > 0) log(`  ${targetRate} msg/s as a share of each stage's ceiling: ${Object.entries(ratios).map(([k, v]) => `${k} ${Math.round(v * 100)} %`).join(', ')}; bottleneck ${bottleneck.stage}`);
  }
  probe.close();
  await redis.quit();
  await kafka.disconnect();

  const best = steps.filter((s) => s.sustained).pop();
  const atLatencyGoalRate = steps.find((s) => s.targetRate === GOALS.latency.atMsgPerSec);
  const meetsLatencyGoal = (p95: number | null | undefined, goalMs: number) => !!atLatencyGoalRate?.sustained && (p95 ?? Infinity) <= goalMs;
  const report = {
    date: started.toISOString(),
    command: 'npm run bench:sensors',
    settings: { ...settings, projectDir: undefined },
    machine,
    loadWait: quiet,
    loadBeforeMeasurement,
    stackUpSeconds,
    idleMemoryMiB: { total: idleMemoryTotal, ...idleMemory },
    idleCpuPercent: Object.fromEntries(Object.entries(idleUsage).map(([k, v]) => [k, v.cpuPercent])),
    idleJit: jit,
    publisherCeiling: ceiling,
    stageCeilings,
    targets: GOALS,
    summary: {
      maxSustainedTargetRate: best?.targetRate ?? 0,
      meetsThroughputTarget: (best?.targetRate ?? 0) >= GOALS.sustainedMsgPerSec,
      cpuBudgetAtBest: best?.cpuBudget ?? null,
      redisP95AtLatencyGoalRate: atLatencyGoalRate?.latency.redis.p95 ?? null,
      postgresP95AtLatencyGoalRate: atLatencyGoalRate?.latency.postgres.p95 ?? null,
      meetsRedisLatencyTarget: meetsLatencyGoal(atLatencyGoalRate?.latency.redis.p95, GOALS.latency.redisP95Ms),
      meetsPostgresLatencyTarget: meetsLatencyGoal(atLatencyGoalRate?.latency.postgres.p95, GOALS.latency.postgresP95Ms),
      stackMemoryPeakMiBAtBest: best?.memory.peakMiB ?? null,
      meetsMemoryTarget: best ? (best.memory.peakMiB ?? Infinity) <= GOALS.stackMemoryMiB : false,
      idleCpuPercent: stackIdleCpu,
      meetsIdleCpuTarget: stackIdleCpu <= GOALS.idleCpuPercent,
    },
    peakRssMiB: peakRss,
    steps,
  };
  mkdirSync(join(ROOT, 'reports'), { recursive: true });
  const jsonFile = join(ROOT, 'reports/bench-sensors.json');
  writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  const chartError = drawChart(jsonFile, join(ROOT, 'reports/bench-sensors.png'));

  log(`\nbench:sensors — ${machine.cores} cores, ${machine.cpuModel}, ${machine.memoryGiB} GiB, load before measurement ${loadBeforeMeasurement.join(' ')}`);
  log(table(
    ['target msg/s', 'published/s', 'gateway/s', 'PG rows/s', 'in (MQTT)', 'gw prod+DLQ', 'PG rows/exp', 'Redis/dev', 'drain s', 'PG p50/p95/p99 ms', 'Redis p50/p95/p99 ms', 'bottleneck', 'sustained'],
    steps.map((s) => [
      s.targetRate, s.publish.achievedRate, s.throughput.gatewayMsgPerSec, s.throughput.postgresRowsPerSec,
      s.counts.mqttAcked, `${s.counts.gateway.produced}+${s.counts.gateway.deadLettered}`,
      `${s.counts.postgresRows}/${s.counts.expected.postgresRows}`, `${s.counts.redisStateHashes}/${s.devices}`, s.drain.seconds,
      `${s.latency.postgres.p50}/${s.latency.postgres.p95}/${s.latency.postgres.p99}`, `${s.latency.redis.p50}/${s.latency.redis.p95}/${s.latency.redis.p99}`,
      `${s.loadOfStageCeilings.bottleneck.stage} ${Math.round(s.loadOfStageCeilings.bottleneck.ratio * 100)} %`,
      s.sustained ? 'yes' : 'NO',
    ]),
  ));
  log('\nCPU during publishing (% of one core) and peak RSS (MiB) per component:');
  const names = Object.keys(steps[steps.length - 1]?.resources.duringPublish ?? {});
  log(table(['component', 'idle', ...steps.map((s) => `${s.targetRate}`), 'peak RSS MiB'], names.map((n) => [n, report.idleCpuPercent[n], ...steps.map((s) => (s.resources.duringPublish as Record<string, { cpuPercent: number }>)[n]?.cpuPercent), peakRss[n]])));
  if (best) {
    const { microsPerMessage, totalMicrosPerMessage, machineBoundMsgPerSec, coresAtTarget } = best.cpuBudget;
    log(`\nCPU per message at ${best.targetRate} msg/s (µs): ${Object.entries(microsPerMessage).map(([k, v]) => `${k} ${v}`).join(', ')}; ` +
      `${totalMicrosPerMessage} in all: ${machine.cores} cores carry at most ${machineBoundMsgPerSec.toLocaleString()} msg/s at these costs, ` +
      `${GOALS.sustainedMsgPerSec.toLocaleString()} would take ${coresAtTarget} cores.`);
  }
  const { redisP95AtLatencyGoalRate, postgresP95AtLatencyGoalRate } = report.summary;
  const { latency } = GOALS;
  log(`\nMax sustained: ${report.summary.maxSustainedTargetRate} msg/s (target ${GOALS.sustainedMsgPerSec.toLocaleString()}), stack memory there at most ${report.summary.stackMemoryPeakMiBAtBest} MiB PSS (target ${GOALS.stackMemoryMiB.toLocaleString()}); ` +
    `p95 at ${latency.atMsgPerSec} msg/s${atLatencyGoalRate ? (atLatencyGoalRate.sustained ? '' : ' (not sustained)') : ' (no such step)'}: event→Redis ${redisP95AtLatencyGoalRate} ms (target ${latency.redisP95Ms}), ` +
    `event→PostgreSQL ${postgresP95AtLatencyGoalRate} ms (target ${latency.postgresP95Ms}); idle ${stackIdleCpu} % of a core (target ${GOALS.idleCpuPercent}).`);
  log(`Wrote reports/bench-sensors.json${chartError ? ` (PNG: ${chartError})` : ' and reports/bench-sensors.png'}`);
}

try {
  await main();
} catch (error) {
  log(`bench:sensors failed: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
} finally {
  await teardown();
}
process.exit(process.exitCode ?? 0);
