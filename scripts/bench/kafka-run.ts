// Runs one kafka-client-worker.ts job in a child process and checks what reached Kafka: a produce run must have put
// exactly its records on the partitions Java's murmur2 names, a drain run must have handled every record once and
// committed every partition's end offset. A run that fails a check is a failure, never a figure.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Admin } from 'kafkajs';
import { snapshot } from './procstat.ts';
import type { WorkerJob, WorkerResult } from './kafka-client-worker.ts';

const WORKER = fileURLToPath(new URL('./kafka-client-worker.ts', import.meta.url));

export interface RunOutcome {
  result?: WorkerResult;
  /** The broker's CPU seconds in the worker's measured window. */
  brokerCpuSeconds: number;
  failure?: string;
}

export async function runWorker(job: WorkerJob, brokerPid: number, timeoutMs: number): Promise<RunOutcome> {
  const brokerCpu = () => snapshot({ broker: [brokerPid] }, ['broker']).broker!.cpuSeconds;
  const child = fork(WORKER, [JSON.stringify(job)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let reply: { result?: WorkerResult; error?: string } | undefined;
  const windowCpu: number[] = [];
  child.on('message', (message: { window?: string; result?: WorkerResult; error?: string }) => {
    if (message.window) windowCpu.push(brokerCpu());
    else reply = message;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(timer);
  const brokerCpuSeconds = windowCpu.length === 2 ? windowCpu[1]! - windowCpu[0]! : 0;
  if (reply?.result && code === 0) return { result: reply.result, brokerCpuSeconds };
  return { brokerCpuSeconds, failure: reply?.error?.split('\n')[0] ?? (code === null ? `no result within ${timeoutMs / 1000} s` : `worker exited with ${code}`) };
}

/** End offset of every partition of `topics`: topic → offsets by partition. */
export async function endOffsets(admin: Admin, topics: string[]): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const topic of topics) {
    const offsets = await admin.fetchTopicOffsets(topic);
    out[topic] = offsets.sort((a, b) => a.partition - b.partition).map((o) => Number(o.high));
  }
  return out;
}

const describe = (counts: Record<string, number[]>) => Object.entries(counts).map(([t, c]) => `${t}=${c.join('/')}`).join(' ');

/** Why a produce run does not count, or undefined: every record acknowledged once, on the partition murmur2 names. */
export async function checkProduced(admin: Admin, result: WorkerResult, count: number, expected: Record<string, number[]>): Promise<string | undefined> {
  if (result.records !== count) return `${result.records} of ${count} records acknowledged`;
  const actual = await endOffsets(admin, Object.keys(expected));
  if (describe(actual) !== describe(expected)) return `partitions hold ${describe(actual)}, murmur2 expects ${describe(expected)}`;
  return undefined;
}

/** Why a drain run does not count, or undefined: every record handled once, every end offset committed. */
export async function checkDrained(admin: Admin, result: WorkerResult, groupId: string, ends: Record<string, number[]>): Promise<string | undefined> {
  const total = Object.values(ends).flat().reduce((a, b) => a + b, 0);
  if (result.records !== total || result.gaps || result.duplicates || result.unparsed) {
    return `${result.records} of ${total} records handled (${result.gaps} skipped, ${result.duplicates} again, ${result.unparsed} not JSON objects)`;
  }
  const committed = await admin.fetchOffsets({ groupId, topics: Object.keys(ends) });
  const actual = Object.fromEntries(committed.map(({ topic, partitions }) => [topic, partitions.sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset))]));
  if (describe(actual) !== describe(ends)) return `committed ${describe(actual)}, end offsets ${describe(ends)}`;
  return undefined;
}
