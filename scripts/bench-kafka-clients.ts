// Benchmark (issue 14): kafkajs against @platformatic/kafka on one Kafka broker (the native stack's, started alone),
// in the same run, interleaved (kafkajs, platformatic, kafkajs, … for each workload), each run in a process of its
// own running only that client:
//   gateway @ R msg/s  the ingest gateway's producer (KafkaBatcher, idempotent, acks=all, murmur2) offered R readings/s
//                      for --seconds over 4 topics of 3 partitions: CPU µs per message of the client's process;
//   gateway max        the same with the queue always above one full batch (2,000): its throughput;
//   redis-sink drain   the Redis sink's consumer (eachBatch, JSON.parse of every value, a commit after every batch)
//                      reading --drain-records pre-filled readings from the beginning: records/s and CPU µs per record.
// Every run is checked (kafka-run.ts): a produce run's records on the partitions Java's murmur2 names, a drain run's
// records handled once each and its end offsets committed. A failed check makes a failure, left out of the medians.
// Prints a table and writes reports/bench-kafka-clients.json (medians over the rounds, and every run).
//   npm run bench:kafka-clients [-- --rounds 3 --seconds 10 --rates 5000,20000 --max-records 300000 --drain-records 500000]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { KAFKA_VERSION } from '../renderer/versions.ts';
import { fixKafkajsIdleTimer } from '../runtime/service-kit/kafkajs-idle-timer.ts';
import { startKafka } from '../test/helpers/kafka.ts';
import { CLIENTS, type ClientName } from './bench/kafka-clients.ts';
import type { WorkerJob } from './bench/kafka-client-worker.ts';
import { expectedPartitions, PARTITIONS, topicsOf } from './bench/kafka-readings.ts';
import { checkDrained, checkProduced, endOffsets, runWorker } from './bench/kafka-run.ts';
import { machineContext } from './bench/machine.ts';
import { round, table } from './bench/stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '10' },
    rates: { type: 'string', default: '5000,20000' },
    'max-records': { type: 'string', default: '300000' },
    'drain-records': { type: 'string', default: '500000' },
  },
});
const ROUNDS = Number(args.rounds);
const SECONDS = Number(args.seconds);
const WARMUP = { prefix: 'warmup', count: 2000 };

interface Workload {
  id: string;
  title: string;
  kind: 'produce' | 'drain';
  rate: number | null;
  count: number;
}
const workloads: Workload[] = [
  ...args.rates.split(',').map(Number).map((rate) => ({ id: `gateway-${rate}`, title: `gateway @ ${rate.toLocaleString('en')} msg/s`, kind: 'produce' as const, rate, count: rate * SECONDS })),
  { id: 'gateway-max', title: 'gateway max', kind: 'produce', rate: null, count: Number(args['max-records']) },
  { id: 'redis-sink-drain', title: 'redis-sink drain', kind: 'drain', rate: null, count: Number(args['drain-records']) },
];

interface Run {
  workload: string;
  client: ClientName;
  round: number;
  ok: boolean;
  failure?: string;
  records?: number;
  wallSeconds?: number;
  usPerMsg?: number;
  msgsPerSec?: number;
  cpuPercent?: number;
  brokerUsPerMsg?: number;
  recordsPerBatch?: number;
  sendErrors?: number;
  maxRssMiB?: number;
}

const version = (pkg: string) => (JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const log = (line: string) => console.log(line);

const machine = machineContext({ kafka: KAFKA_VERSION, kafkajs: version('kafkajs'), platformaticKafka: version('@platformatic/kafka') });
log(`bench:kafka-clients: ${CLIENTS.join(' vs ')} on Kafka ${KAFKA_VERSION}, ${ROUNDS} rounds interleaved — ${machine.cores} cores, load ${machine.loadAverage.join(' ')}`);
fixKafkajsIdleTimer();
// the broker of the native stack's default heap, not the tests' smaller one
process.env.KAFKA_HEAP ??= '512m';
const broker = await startKafka();
const stopOnSignal = () => void broker.stop().finally(() => process.exit(130));
process.once('SIGINT', stopOnSignal).once('SIGTERM', stopOnSignal);
const brokers = [broker.brokers];
const admin = new Kafka({ clientId: 'bench-kafka-clients', brokers, logLevel: logLevel.NOTHING }).admin();
const runs: Run[] = [];
try {
  await admin.connect();
  const prefixes = workloads.filter((w) => w.kind === 'produce').flatMap((w) => CLIENTS.flatMap((c) => Array.from({ length: ROUNDS }, (_, r) => `${w.id}-${c}-r${r + 1}`)));
  const topics = ['sink', WARMUP.prefix, ...prefixes].flatMap(topicsOf);
  await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: PARTITIONS, replicationFactor: 1 })), waitForLeaders: true });

  const drainWorkload = workloads.find((w) => w.kind === 'drain')!;
  log(`filling ${topicsOf('sink').length} topics with ${drainWorkload.count.toLocaleString('en')} readings for the drain runs`);
  const fill = await runWorker({ kind: 'produce', client: 'kafkajs', brokers, prefix: 'sink', count: drainWorkload.count, rate: null, warmup: { ...WARMUP, count: 0 } }, broker.pid, 600_000);
  const fillFailure = fill.failure ?? (await checkProduced(admin, fill.result!, drainWorkload.count, expectedPartitions(topicsOf('sink'), drainWorkload.count)));
  if (fillFailure) throw new Error(`filling the drain topics failed: ${fillFailure}`);
  const sinkEnds = await endOffsets(admin, topicsOf('sink'));
  // the group coordinator's topic (__consumer_offsets) is created on first use: not inside the first measured drain
  await admin.fetchOffsets({ groupId: 'bench-warmup', topics: topicsOf('sink') });

  for (const w of workloads) {
    for (let r = 1; r <= ROUNDS; r++) {
      for (const client of CLIENTS) {
        const prefix = `${w.id}-${client}-r${r}`;
        const groupId = `redis-sink-${client}-r${r}`;
        const job: WorkerJob = w.kind === 'produce'
          ? { kind: 'produce', client, brokers, prefix, count: w.count, rate: w.rate, warmup: WARMUP }
          : { kind: 'drain', client, brokers, groupId, endOffsets: sinkEnds };
        const outcome = await runWorker(job, broker.pid, w.rate ? (3 * SECONDS + 60) * 1000 : 300_000);
        const result = outcome.result;
        const failure = outcome.failure ?? (w.kind === 'produce'
          ? await checkProduced(admin, result!, w.count, expectedPartitions(topicsOf(prefix), w.count))
          : await checkDrained(admin, result!, groupId, sinkEnds));
        const run: Run = failure || !result
          ? { workload: w.id, client, round: r, ok: false, failure }
          : {
              workload: w.id,
              client,
              round: r,
              ok: true,
              records: result.records,
              wallSeconds: round(result.wallSeconds, 2),
              usPerMsg: round(result.cpuMicros / result.records, 2),
              msgsPerSec: Math.round(result.records / result.wallSeconds),
              cpuPercent: Math.round(result.cpuMicros / 1e4 / result.wallSeconds),
              brokerUsPerMsg: round((outcome.brokerCpuSeconds * 1e6) / result.records, 1),
              ...(result.batches ? { recordsPerBatch: Math.round(result.records / result.batches) } : {}),
              ...(result.sendErrors ? { sendErrors: result.sendErrors } : {}),
              maxRssMiB: result.maxRssMiB,
            };
        runs.push(run);
        log(`  ${w.title.padEnd(24)} r${r} ${client.padEnd(12)} ${run.ok ? `${run.usPerMsg} µs/msg, ${run.msgsPerSec!.toLocaleString('en')} msg/s, ${run.cpuPercent} % CPU, broker ${run.brokerUsPerMsg} µs/msg` : `FAILED: ${run.failure}`}`);
      }
    }
  }
} finally {
  await admin.disconnect().catch(() => undefined);
  await broker.stop();
}

const summary = workloads.flatMap((w) => CLIENTS.map((client) => {
  const ok = runs.filter((r) => r.workload === w.id && r.client === client && r.ok);
  const med = (pick: (r: Run) => number | undefined) => median(ok.map(pick).filter((v): v is number => v !== undefined));
  const figure = (n: number) => (Number.isNaN(n) ? null : n);
  return {
    workload: w.id,
    title: w.title,
    client,
    records: w.count,
    rounds: ok.length,
    failures: runs.filter((r) => r.workload === w.id && r.client === client && !r.ok).length,
    medianUsPerMsg: figure(round(med((r) => r.usPerMsg), 2)),
    medianMsgsPerSec: figure(round(med((r) => r.msgsPerSec))),
    medianCpuPercent: figure(round(med((r) => r.cpuPercent))),
    medianBrokerUsPerMsg: figure(round(med((r) => r.brokerUsPerMsg), 1)),
    medianRecordsPerBatch: figure(round(med((r) => r.recordsPerBatch))),
    maxRssMiB: Math.max(0, ...ok.map((r) => r.maxRssMiB ?? 0)),
    usPerMsgRuns: ok.map((r) => r.usPerMsg),
  };
}));
const ratios = workloads.map((w) => {
  const [a, b] = CLIENTS.map((c) => summary.find((s) => s.workload === w.id && s.client === c)!);
  const ratio = (x: number | null, y: number | null) => (x && y ? round(y / x, 2) : null);
  return { workload: w.id, cpuPerMsg: ratio(a!.medianUsPerMsg, b!.medianUsPerMsg), msgsPerSec: ratio(a!.medianMsgsPerSec, b!.medianMsgsPerSec) };
});

log('');
log(table(
  ['workload', 'client', 'rounds', 'µs/msg (median)', 'msg/s (median)', 'CPU %', 'broker µs/msg', 'records/batch', 'peak RSS MiB', 'µs/msg per round'],
  summary.map((s) => [s.title, s.client, `${s.rounds}/${s.rounds + s.failures}`, s.medianUsPerMsg, s.medianMsgsPerSec, s.medianCpuPercent, s.medianBrokerUsPerMsg, s.medianRecordsPerBatch, s.maxRssMiB, s.usPerMsgRuns.join(' ')]),
));
log('');
for (const r of ratios) log(`  ${r.workload}: ${CLIENTS[1]} / ${CLIENTS[0]}: CPU per message ${r.cpuPerMsg ?? '–'}, msg/s ${r.msgsPerSec ?? '–'}`);
const failures = runs.filter((r) => !r.ok).length;
if (failures) log(`  ${failures} run(s) FAILED their delivery checks (see runs in the report)`);

mkdirSync(join(ROOT, 'reports'), { recursive: true });
const report = {
  date: new Date().toISOString(),
  machine: { ...machine, loadAverageAfter: loadavg().map((n) => round(n, 2)) },
  settings: { rounds: ROUNDS, seconds: SECONDS, partitionsPerTopic: PARTITIONS, topics: 4, warmupRecords: WARMUP.count, gatewayBatch: { maxBatch: 2000, lingerMs: 20 }, workloads },
  summary,
  ratios: { of: `${CLIENTS[1]} / ${CLIENTS[0]}`, byWorkload: ratios },
  runs,
};
writeFileSync(join(ROOT, 'reports/bench-kafka-clients.json'), `${JSON.stringify(report, null, 2)}\n`);
log('wrote reports/bench-kafka-clients.json');
process.exitCode = failures ? 1 : 0;
