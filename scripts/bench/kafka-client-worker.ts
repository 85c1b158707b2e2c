// One measured run of one Kafka client, in a process of its own (forked by bench-kafka-clients.ts with the job as
// its argument; the result goes back over IPC), so that process.cpuUsage() is that client's alone:
//   produce: the gateway's KafkaBatcher (batches of up to 2,000 records, 20 ms linger) sending `count` pre-built
//            records at `rate` records/s, or as fast as acknowledgements allow (rate null: the queue is kept above
//            one full batch);
//   drain:   the Redis sink's consumer reading pre-filled topics from the beginning, JSON.parse of every value, each
//            partition's offsets checked to arrive once and in order, until every partition reached its end offset.
// The measured window starts before the first record is offered (produce) or when the consumer joined the group,
// before its first fetch (drain), and ends when the last record is acknowledged (produce) or committed (drain).
import { KafkaBatcher } from '../../runtime/ingest-gateway/kafka-batcher.ts';
import { connectProducer, drain, type ClientName, type PartitionBatch } from './kafka-clients.ts';
import { reading, topicsOf } from './kafka-readings.ts';

export type WorkerJob =
  | { kind: 'produce'; client: ClientName; brokers: string[]; prefix: string; count: number; rate: number | null; warmup: { prefix: string; count: number } }
  | { kind: 'drain'; client: ClientName; brokers: string[]; groupId: string; endOffsets: Record<string, number[]> };

export interface WorkerResult {
  records: number;
  wallSeconds: number;
  cpuMicros: number;
  maxRssMiB: number;
  /** Batches acknowledged (produce) or handled and committed (drain: one partition's records of one fetch). */
  batches?: number;
  /** produce: failed sends (retried by the batcher). */
  sendErrors?: number;
  /** drain: records that came again, records skipped over, values that were not JSON objects. */
  duplicates?: number;
  gaps?: number;
  unparsed?: number;
}

const GATEWAY_BATCH = { maxBatch: 2000, lingerMs: 20 }; // the ingest gateway's KAFKA_BATCH_SIZE, KAFKA_LINGER_MS
const PACE_MS = 5;

/** Opens the measured window; the returned function closes it. The parent hears of both (the broker's CPU). */
function window() {
  process.send!({ window: 'open' });
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  return () => {
    const used = process.cpuUsage(cpu);
    const wallSeconds = (performance.now() - t0) / 1000;
    process.send!({ window: 'closed' });
    return { wallSeconds, cpuMicros: used.user + used.system };
  };
}

async function produce(job: Extract<WorkerJob, { kind: 'produce' }>): Promise<WorkerResult> {
  const producer = await connectProducer(job.client, job.brokers);
  // warm-up outside the window: connections, the idempotent producer id, metadata, the JIT's first compilations
  const warmTopics = topicsOf(job.warmup.prefix);
  const warm = new KafkaBatcher(producer, GATEWAY_BATCH);
  for (let i = 0; i < job.warmup.count; i++) warm.enqueue(reading(warmTopics, i));
  await warm.flush();

  const topics = topicsOf(job.prefix);
  const records = Array.from({ length: job.count }, (_, i) => reading(topics, i));
  let next = 0;
  let sendErrors = 0;
  const refillTo = 2 * GATEWAY_BATCH.maxBatch;
  const offerUnthrottled = () => {
    while (next < records.length && batcher.pending < refillTo) batcher.enqueue(records[next++]!);
  };
  const batcher = new KafkaBatcher(producer, {
    ...GATEWAY_BATCH,
    onError: () => (sendErrors += 1),
    onSent: job.rate === null ? offerUnthrottled : undefined,
  });
  const end = window();
  if (job.rate === null) {
    offerUnthrottled();
    while (next < records.length) await batcher.flush(); // onSent refills while batches are acknowledged
  } else {
    const rate = job.rate;
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const due = Math.min(records.length, Math.floor(((performance.now() - started) / 1000) * rate));
        while (next < due) batcher.enqueue(records[next++]!);
        if (next === records.length) {
          clearInterval(timer);
          resolve();
        }
      }, PACE_MS);
    });
  }
  await batcher.flush();
  const measured = end();
  await producer.close();
  return { records: batcher.sent.records, batches: batcher.sent.batches, sendErrors, ...measured, maxRssMiB: maxRssMiB() };
}

async function consume(job: Extract<WorkerJob, { kind: 'drain' }>): Promise<WorkerResult> {
  const next = new Map(Object.keys(job.endOffsets).map((t) => [t, new Array<number>(job.endOffsets[t]!.length).fill(0)]));
  let remaining = Object.values(job.endOffsets).flat().reduce((a, b) => a + b, 0);
  let records = 0;
  let batches = 0;
  let duplicates = 0;
  let gaps = 0;
  let unparsed = 0;
  let end: (() => { wallSeconds: number; cpuMicros: number }) | undefined;
  let measured: { wallSeconds: number; cpuMicros: number } | undefined;
  // called after each batch was committed: the window closes at the first call that finds nothing left
  const finished = () => {
    if (remaining > 0) return false;
    measured ??= end?.() ?? { wallSeconds: 0, cpuMicros: 0 };
    return true;
  };
  const handle = (batch: PartitionBatch) => {
    batches += 1;
    const expected = next.get(batch.topic)!;
    for (const message of batch.messages) {
      const offset = Number(message.offset);
      const at = expected[batch.partition]!;
      if (offset < at) {
        duplicates += 1;
        continue;
      }
      gaps += offset - at;
      remaining -= offset + 1 - at;
      expected[batch.partition] = offset + 1;
      records += 1;
      const value: unknown = message.value ? JSON.parse(message.value.toString()) : null;
      if (typeof value !== 'object' || value === null) unparsed += 1;
    }
  };
  await drain(job.client, { brokers: job.brokers, groupId: job.groupId, topics: Object.keys(job.endOffsets), handle, finished, joined: () => (end ??= window()) });
  return { records, batches, duplicates, gaps, unparsed, ...measured!, maxRssMiB: maxRssMiB() };
}

const maxRssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);

const job = JSON.parse(process.argv[2]!) as WorkerJob;
try {
  const result = job.kind === 'produce' ? await produce(job) : await consume(job);
  process.send!({ result }, () => process.exit(0));
} catch (error) {
  process.send!({ error: (error as Error).stack ?? String(error) }, () => process.exit(1));
}
