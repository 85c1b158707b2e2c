// Each stage's own ceiling on the running native stack, so a step's load can be read as a ratio of it and the
// report names the bottleneck. The stages downstream of the one measured are frozen (SIGSTOP), so it runs alone
// against the rest of the machine; each frozen stage then finds its input pre-filled and is measured draining it:
//   1. gateway → Kafka: Flink and the Redis sink frozen, the publishers unthrottled for `seconds`;
//   2. Flink (every job of the MiniCluster) from the raw topics the gateway filled, the Redis sink still frozen:
//      raw records read per second, and the PostgreSQL rows its JDBC sink wrote per second;
//   3. the Redis sink from the topics Flink filled: records per second, and per MQTT message of the load.
// The freeze lasts the publishing plus the gateway's catch-up: well under Flink's 50 s heartbeat timeout.
import { processTree, snapshot, usageBetween } from './procstat.ts';
import { gatewayMetrics, type KafkaView, type PostgresView, type StackInfo } from './observe.ts';
import { startLoad, type LoadSpec } from './load.ts';
import { round, sleep } from './stats.ts';

const REDIS_SINK_GROUP = 'redis-sink';
const STALL_MS = 30_000;

export interface StageCeilingSpec {
  stack: StackInfo;
  kafka: KafkaView;
  pg: PostgresView;
  load: Omit<LoadSpec, 'rate'>;
  /** Per-component pid roots, for the CPU each stage used. */
  groups: Record<string, number[]>;
  selfOnly: string[];
  drainMaxSeconds: number;
  log: (line: string) => void;
}

export interface StageCeilings {
  tenant: string;
  devices: number;
  gateway: { seconds: number; acked: number; produced: number; msgPerSec: number; publishedPerSec: number; keptUpWithPublishers: boolean; queuedMax: number; cpuPercent: Record<string, number> };
  flink: { backlogRecords: number; seconds: number; recordsPerSec: number; postgresRows: number; expectedRows: number; postgresRowsPerSec: number; cpuPercent: Record<string, number> };
  redisSink: { backlogRecords: number; seconds: number; recordsPerSec: number; recordsPerMessage: number; msgEquivalentPerSec: number; cpuPercent: Record<string, number> };
  /** Each stage's ceiling in MQTT messages per second, the unit of a step's target rate. */
  msgPerSec: { gateway: number; flink: number; redisSink: number };
}

const frozen = new Set<number>();

function signal(pids: number[], sig: 'SIGSTOP' | 'SIGCONT'): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // gone already
    }
    if (sig === 'SIGSTOP') frozen.add(pid);
    else frozen.delete(pid);
  }
}

/** Resumes whatever a stage measurement left frozen (every exit path of the benchmark calls this). */
export function thawAll(): void {
  signal([...frozen], 'SIGCONT');
}

const componentPids = (stack: StackInfo, name: string): number[] => {
  const roots = stack.components.find((c) => c.name === name)?.pids ?? [];
  if (roots.length === 0) throw new Error(`stage ceilings: the native stack has no ${name} component`);
  return processTree(roots);
};

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/**
 * Samples `read` every second until `done` holds, nothing moved for STALL_MS, or the deadline. Returns the last value,
 * when sampling ended and when the progress key first moved (a thawed process's first work: the clock of its rate).
 */
async function waitUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, progressKey: (value: T) => number, deadlineMs: number) {
  const startedAt = Date.now();
  let last = await read();
  let lastKey = progressKey(last);
  let movedAt = startedAt;
  let firstMovedAt: number | undefined;
  while (!done(last) && Date.now() < deadlineMs && Date.now() - movedAt < STALL_MS) {
    await sleep(1000);
    last = await read();
    if (progressKey(last) !== lastKey) {
      lastKey = progressKey(last);
      movedAt = Date.now();
      firstMovedAt ??= movedAt - 1000;
    }
  }
  return { value: last, at: Date.now(), done: done(last), firstMovedAt: firstMovedAt ?? startedAt };
}

export async function measureStageCeilings(spec: StageCeilingSpec): Promise<StageCeilings> {
  const { stack, kafka, pg, load, log } = spec;
  const gatewayPort = stack.ports['service:ingest-gateway']!;
  const flinkPids = componentPids(stack, 'flink');
  const sinkPids = componentPids(stack, 'redis-sink');
  const topics = (await kafka.admin.listTopics()).filter((t) => !t.startsWith('__')).sort();
  const usage = () => snapshot(spec.groups, spec.selfOnly);
  const cpuPercent = (before: ReturnType<typeof usage>, seconds: number) =>
    Object.fromEntries(Object.entries(usageBetween(before, usage(), seconds)).map(([k, v]) => [k, v.cpuPercent]));

  // 1. gateway → Kafka, nothing downstream running.
  const offsetsBefore = await kafka.endOffsets(topics);
  const gatewayBefore = await gatewayMetrics(gatewayPort);
  signal([...flinkPids, ...sinkPids], 'SIGSTOP');
  log(`Stage ceilings (tenant ${load.tenant}, ${load.deviceCount} devices): Flink and the Redis sink frozen, publishing unthrottled for ${load.seconds} s …`);
  const gatewayUsage = usage();
  const started = Date.now();
  const handle = startLoad({ ...load, rate: 1_000_000 });
  let queuedMax = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      queuedMax = Math.max(queuedMax, (await gatewayMetrics(gatewayPort)).queued);
      await sleep(500);
    }
  })();
  const published = await handle.done;
  const caughtUp = await waitUntil(
    () => gatewayMetrics(gatewayPort),
    (m) => m.queued === 0 && m.produced + m.deadLettered - gatewayBefore.produced - gatewayBefore.deadLettered >= published.acked,
    (m) => m.produced,
    Date.now() + 60_000,
  );
  sampling = false;
  await sampler;
  const gatewaySeconds = (caughtUp.at - started) / 1000;
  const produced = caughtUp.value.produced - gatewayBefore.produced;
  const gateway = {
    seconds: round(gatewaySeconds, 1),
    acked: published.acked,
    produced,
    msgPerSec: Math.round(produced / gatewaySeconds),
    publishedPerSec: Math.round(published.achievedRate),
    keptUpWithPublishers: caughtUp.at - Math.max(published.publishEndedAt, published.lastAckAt) < 1500,
    queuedMax,
    cpuPercent: cpuPercent(gatewayUsage, gatewaySeconds),
  };
  log(`  gateway → Kafka: ${gateway.msgPerSec.toLocaleString()} msg/s (publishers ${gateway.publishedPerSec.toLocaleString()} msg/s${gateway.keptUpWithPublishers ? ', the gateway kept up: its ceiling is at least this' : ''})`);

  // 2. Flink from the raw topics the gateway just filled.
  const offsetsAfter = await kafka.endOffsets(topics);
  const rawTopics = topics.filter((t) => offsetsAfter[t]! > offsetsBefore[t]!);
  const rawLag = (lag: Record<string, Record<string, number>>) =>
    sum(Object.entries(lag).filter(([group]) => group !== REDIS_SINK_GROUP).flatMap(([, byTopic]) => rawTopics.map((t) => byTopic[t] ?? 0)));
  const expectedRows = Math.min(published.perKind.humidity ?? 0, published.perKind.temperature ?? 0);
  const backlog = rawLag(await kafka.lag());
  const flinkUsage = usage();
  const thawedAt = Date.now();
  signal(flinkPids, 'SIGCONT');
  let inputDoneAt: number | undefined;
  const drained = await waitUntil(
    async () => {
      const lag = rawLag(await kafka.lag());
      if (lag === 0) inputDoneAt ??= Date.now();
      return { lag, rows: pg.count(load.env, load.tenant) };
    },
    (s) => s.lag === 0 && s.rows >= expectedRows,
    (s) => s.rows - s.lag,
    thawedAt + spec.drainMaxSeconds * 1000,
  );
  const flinkSeconds = ((inputDoneAt ?? drained.at) - drained.firstMovedAt) / 1000;
  const rowsSeconds = (drained.at - drained.firstMovedAt) / 1000;
  const flink = {
    backlogRecords: backlog,
    seconds: round(flinkSeconds, 1),
    recordsPerSec: Math.round((backlog - drained.value.lag) / flinkSeconds),
    postgresRows: drained.value.rows,
    expectedRows,
    postgresRowsPerSec: Math.round(drained.value.rows / rowsSeconds),
    cpuPercent: cpuPercent(flinkUsage, rowsSeconds),
  };
  log(`  Flink from ${backlog.toLocaleString()} raw records: ${flink.recordsPerSec.toLocaleString()} records/s in, PostgreSQL ${flink.postgresRowsPerSec.toLocaleString()} rows/s (${flink.postgresRows}/${expectedRows} rows${drained.done ? '' : ', NOT drained'})`);

  // 3. the Redis sink from what Flink wrote for it.
  const sinkLag = async () => sum(Object.values((await kafka.lag())[REDIS_SINK_GROUP] ?? {}));
  const sinkBacklog = await sinkLag();
  const sinkUsage = usage();
  const sinkThawedAt = Date.now();
  signal(sinkPids, 'SIGCONT');
  const sinkDrained = await waitUntil(sinkLag, (lag) => lag === 0, (lag) => lag, sinkThawedAt + spec.drainMaxSeconds * 1000);
  const sinkSeconds = (sinkDrained.at - sinkDrained.firstMovedAt) / 1000;
  const recordsPerMessage = sinkBacklog / Math.max(1, published.acked);
  const sinkRecordsPerSec = (sinkBacklog - sinkDrained.value) / sinkSeconds;
  const redisSink = {
    backlogRecords: sinkBacklog,
    seconds: round(sinkSeconds, 1),
    recordsPerSec: Math.round(sinkRecordsPerSec),
    recordsPerMessage: round(recordsPerMessage, 2),
    msgEquivalentPerSec: Math.round(sinkRecordsPerSec / Math.max(recordsPerMessage, 1e-9)),
    cpuPercent: cpuPercent(sinkUsage, sinkSeconds),
  };
  log(`  Redis sink from ${sinkBacklog.toLocaleString()} records (${redisSink.recordsPerMessage} per MQTT message): ${redisSink.recordsPerSec.toLocaleString()} records/s = ${redisSink.msgEquivalentPerSec.toLocaleString()} msg/s${sinkDrained.done ? '' : ', NOT drained'}`);

  return {
    tenant: load.tenant,
    devices: load.deviceCount,
    gateway,
    flink,
    redisSink,
    msgPerSec: { gateway: gateway.msgPerSec, flink: flink.recordsPerSec, redisSink: redisSink.msgEquivalentPerSec },
  };
}

/** A step's offered load as a ratio of each stage's ceiling; the highest names the bottleneck. */
export function loadOfCeilings(msgPerSec: number, ceilings: Record<string, number>) {
  const ratios = Object.fromEntries(Object.entries(ceilings).filter(([, c]) => c > 0).map(([stage, c]) => [stage, round(msgPerSec / c, 2)]));
  const [stage, ratio] = Object.entries(ratios).sort((a, b) => b[1] - a[1])[0] ?? ['none', 0];
  return { ratios, bottleneck: { stage, ratio } };
}
