// Runs a load step: forks `workers` publisher processes (publisher-worker.ts), each with its share of the
// rate and of the devices, and sums what they report.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { WorkerConfig, WorkerProgress, WorkerResult } from './publisher-worker.ts';

const WORKER = fileURLToPath(new URL('./publisher-worker.ts', import.meta.url));

export interface LoadSpec {
  projectDir: string;
  host: string;
  port: number;
  username: string;
  password: string;
  env: string;
  tenant: string;
  deviceCount: number;
  rate: number;
  seconds: number;
  workers: number;
  connectionsPerWorker: number;
  window: number;
}

export interface LoadResult {
  published: number;
  acked: number;
  unacked: number;
  ticks: number;
  perKind: Record<string, number>;
  startedAt: number;
  publishEndedAt: number;
  lastAckAt: number;
  /** Acknowledged messages per second over the publishing window. */
  achievedRate: number;
  blockedMs: number;
  cpuSeconds: number;
  workerPids: number[];
}

export const deviceId = (i: number, width: number) => `dev-${String(i + 1).padStart(width, '0')}`;

/** Live progress (sum over workers), for the samplers. */
export interface LoadHandle {
  pids: number[];
  progress(): { published: number; acked: number };
  done: Promise<LoadResult>;
  kill(): void;
}

export function startLoad(spec: LoadSpec): LoadHandle {
  const width = String(spec.deviceCount).length;
  const ids = Array.from({ length: spec.deviceCount }, (_, i) => deviceId(i, width));
  const workers = Math.max(1, Math.min(spec.workers, ids.length));
  const progress = new Map<number, WorkerProgress>();
  const children = Array.from({ length: workers }, (_, w) => {
    const config: WorkerConfig = {
      projectDir: spec.projectDir,
      host: spec.host,
      port: spec.port,
      username: spec.username,
      password: spec.password,
      env: spec.env,
      tenant: spec.tenant,
      devices: ids.filter((_, i) => i % workers === w),
      rate: spec.rate / workers,
      seconds: spec.seconds,
      connections: spec.connectionsPerWorker,
      window: spec.window,
      clientPrefix: `bench-${spec.tenant}-w${w}`,
    };
    return fork(WORKER, [], { env: { ...process.env, BENCH_WORKER_CONFIG: JSON.stringify(config) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  });
  const results = children.map(
    (child, w) =>
      new Promise<WorkerResult>((resolve, reject) => {
        child.on('message', (message: WorkerProgress | WorkerResult) => {
          if (message.type === 'progress') progress.set(w, message);
          else resolve(message);
        });
        child.on('exit', (code) => reject(new Error(`publisher worker ${w} exited with code ${code} before reporting`)));
      }),
  );
  const done = Promise.all(results).then((parts): LoadResult => {
    const sum = (f: (r: WorkerResult) => number) => parts.reduce((n, r) => n + f(r), 0);
    const perKind: Record<string, number> = {};
    for (const r of parts) for (const [k, v] of Object.entries(r.perKind)) perKind[k] = (perKind[k] ?? 0) + v;
    const startedAt = Math.min(...parts.map((r) => r.startedAt));
    const publishEndedAt = Math.max(...parts.map((r) => r.publishEndedAt));
    const lastAckAt = Math.max(...parts.map((r) => r.lastAckAt));
    const acked = sum((r) => r.acked);
    return {
      published: sum((r) => r.published),
      acked,
      unacked: sum((r) => r.unacked),
      ticks: sum((r) => r.ticks),
      perKind,
      startedAt,
      publishEndedAt,
      lastAckAt,
      achievedRate: acked / (Math.max(publishEndedAt, lastAckAt) / 1000 - startedAt / 1000),
      blockedMs: Math.max(...parts.map((r) => r.blockedMs)),
      cpuSeconds: sum((r) => r.cpuSeconds),
      workerPids: children.map((c) => c.pid!),
    };
  });
  return {
    pids: children.map((c) => c.pid!),
    progress: () => {
      let published = 0;
      let acked = 0;
      for (const p of progress.values()) {
        published += p.published;
        acked += p.acked;
      }
      return { published, acked };
    },
    done,
    kill: () => children.forEach((c) => c.kill('SIGKILL')),
  };
}
