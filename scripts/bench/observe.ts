// Read-only views of the running native stack for the benchmark: Kafka offsets and consumer-group lag,
// PostgreSQL row counts and server-side latency, Redis state hashes, gateway /metrics and Flink REST
// (vertex backpressure and busy ratio).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { readFileSync } from 'node:fs';
import type { Thirds } from './growth.ts';

export interface StackInfo {
  projectDir: string;
  secrets: Record<string, string>;
  addresses: Record<string, string>;
  ports: Record<string, number>;
  components: { name: string; pids: number[] }[];
  database: string;
}

export function readStack(projectDir: string, parseEnv: (text: string, file: string) => Record<string, string>): StackInfo {
  const stateDir = join(projectDir, '.stack');
  const state = JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8')) as { ports: Record<string, number>; components: { name: string; pids: number[] }[] };
  const addresses = parseEnv(readFileSync(join(stateDir, 'addresses.env'), 'utf8'), 'addresses.env');
  return {
    projectDir,
    secrets: parseEnv(readFileSync(join(projectDir, '.env'), 'utf8'), '.env'),
    addresses,
    ports: state.ports,
    components: state.components,
    database: addresses.POSTGRES_DB!,
  };
}

// ---------- Kafka ----------
export class KafkaView {
  readonly admin: Admin;
  constructor(brokers: string) {
    this.admin = new Kafka({ clientId: 'bench-sensors', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  }
  connect = () => this.admin.connect();
  disconnect = () => this.admin.disconnect();

  /** Sum of high watermarks per topic. */
  async endOffsets(topics: string[]): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const topic of topics) {
      const partitions = await this.admin.fetchTopicOffsets(topic);
      out[topic] = partitions.reduce((n, p) => n + Number(p.high), 0);
    }
    return out;
  }

  /** Lag (high watermark − committed offset, summed over partitions) per group and topic. */
  async lag(): Promise<Record<string, Record<string, number>>> {
    const { groups } = await this.admin.listGroups();
    const out: Record<string, Record<string, number>> = {};
    for (const { groupId } of groups) {
      const committed = await this.admin.fetchOffsets({ groupId });
      for (const { topic, partitions } of committed) {
        if (partitions.every((p) => Number(p.offset) < 0)) continue;
        const ends = await this.admin.fetchTopicOffsets(topic);
        const high = new Map(ends.map((p) => [p.partition, Number(p.high)]));
        (out[groupId] ??= {})[topic] = partitions.reduce((n, p) => n + Math.max(0, (high.get(p.partition) ?? 0) - Math.max(0, Number(p.offset))), 0);
      }
    }
    return out;
  }
}

// ---------- PostgreSQL (psql as the superuser; server-side clock for latency) ----------
export class PostgresView {
  readonly env: Record<string, string>;
  constructor(stack: StackInfo) {
    this.env = {
      PGHOST: '127.0.0.1',
      PGPORT: stack.addresses.POSTGRES_PORT!,
      PGUSER: 'postgres',
      PGPASSWORD: stack.secrets.POSTGRES_PASSWORD!,
      PGDATABASE: stack.database,
    };
  }

  query(sql: string): string[][] {
    const result = spawnSync('psql', ['-X', '-tA', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', sql], { env: { ...process.env, ...this.env }, encoding: 'utf8', maxBuffer: 1 << 30 });
    if (result.status !== 0) throw new Error(`psql failed: ${result.error?.message ?? result.stderr.trim()}`);
    return result.stdout.trim().split('\n').filter(Boolean).map((line) => line.split('\t'));
  }

  count(env: string, tenant: string): number {
    return Number(this.query(`SELECT count(*) FROM sensor_readings WHERE env = '${env}' AND tenant = '${tenant}'`)[0]![0]);
  }

  /** inserted_at − measured_at over every row of the tenant, and the insert window. */
  latency(env: string, tenant: string) {
    const [row] = this.query(`
      SELECT count(*),
             percentile_cont(0.5)  WITHIN GROUP (ORDER BY ms), percentile_cont(0.95) WITHIN GROUP (ORDER BY ms),
             percentile_cont(0.99) WITHIN GROUP (ORDER BY ms), max(ms), avg(ms),
             extract(epoch FROM min(inserted_at)) * 1000, extract(epoch FROM max(inserted_at)) * 1000,
             count(DISTINCT device_id)
      FROM (SELECT extract(epoch FROM inserted_at - measured_at) * 1000 AS ms, inserted_at, device_id
            FROM sensor_readings WHERE env = '${env}' AND tenant = '${tenant}') t`);
    const n = (i: number) => (row?.[i] ? Math.round(Number(row[i])) : null);
    return { rows: n(0) ?? 0, p50: n(1), p95: n(2), p99: n(3), max: n(4), mean: n(5), firstInsertMs: n(6), lastInsertMs: n(7), devices: n(8) ?? 0 };
  }

  /** p95 of inserted_at − measured_at over the rows measured in the first and in the last third of a window. */
  p95ByThirds(env: string, tenant: string, [start, firstEnd, lastStart, end]: [number, number, number, number]): Thirds {
    const rows = this.query(`
      SELECT CASE WHEN m < ${firstEnd} THEN 'first' ELSE 'last' END, percentile_cont(0.95) WITHIN GROUP (ORDER BY ms)
      FROM (SELECT extract(epoch FROM measured_at) * 1000 AS m, extract(epoch FROM inserted_at - measured_at) * 1000 AS ms
            FROM sensor_readings WHERE env = '${env}' AND tenant = '${tenant}') t
      WHERE (m >= ${start} AND m < ${firstEnd}) OR (m >= ${lastStart} AND m <= ${end})
      GROUP BY 1`);
    const third = (name: string) => {
      const row = rows.find((r) => r[0] === name);
      return row ? Math.round(Number(row[1])) : null;
    };
    return { first: third('first'), last: third('last') };
  }
}

// ---------- Redis (ioredis from the generated project) ----------
export interface RedisLike {
  scan(cursor: string, ...args: (string | number)[]): Promise<[string, string[]]>;
  pipeline(): { hget(key: string, field: string): unknown; exec(): Promise<[Error | null, unknown][] | null> };
  quit(): Promise<unknown>;
}

export async function redisClient(stack: StackInfo): Promise<RedisLike> {
  const require = createRequire(join(stack.projectDir, 'package.json'));
  const mod = (await import(pathToFileURL(require.resolve('ioredis')).href)) as { Redis?: new (o: object) => RedisLike; default?: new (o: object) => RedisLike };
  const Redis = mod.Redis ?? mod.default!;
  return new Redis({ host: '127.0.0.1', port: Number(stack.addresses.REDIS_PORT), password: stack.secrets.REDIS_PASSWORD, maxRetriesPerRequest: 3 });
}

export async function countKeys(redis: RedisLike, pattern: string): Promise<number> {
  let cursor = '0';
  let n = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 5000);
    cursor = next;
    n += keys.length;
  } while (cursor !== '0');
  return n;
}

// ---------- gateway ----------
export interface GatewayCounts {
  received: number;
  produced: number;
  deadLettered: number;
  queued: number;
  /** Batches Kafka acknowledged, their records, and the total and longest time it took (ms). */
  kafka: { batches: number; records: number; ackMsTotal: number; ackMsMax: number };
}

export async function gatewayMetrics(port: number): Promise<GatewayCounts> {
  const m = (await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(3000) })).json()) as {
    events: Record<string, { received: number; produced: number; deadLettered: number }>;
    unmatched: { received: number };
    deadLettered: number;
    queued: number;
    kafka: GatewayCounts['kafka'];
  };
  const events = Object.values(m.events);
  return {
    received: events.reduce((n, e) => n + e.received, m.unmatched.received),
    produced: events.reduce((n, e) => n + e.produced, 0),
    deadLettered: m.deadLettered,
    queued: m.queued,
    kafka: m.kafka,
  };
}

// ---------- Flink REST ----------
/** A GET against a Flink REST endpoint, its JSON answer (5 s at most). */
const flinkRest = (url: string) => async (path: string) =>
  (await fetch(`${url}${path}`, { signal: AbortSignal.timeout(5000) })).json() as Promise<any>;

async function runningJobIds(get: ReturnType<typeof flinkRest>): Promise<string[]> {
  const { jobs } = await get('/jobs');
  return (jobs as { id: string; status: string }[]).filter((j) => j.status === 'RUNNING').map((j) => j.id);
}

export interface VertexPressure {
  job: string;
  vertex: string;
  parallelism: number;
  backpressureLevel: string;
  /** Max over subtasks of the share of time back-pressured / busy (0..1). */
  backpressureRatio: number;
  busyRatio: number;
}

export async function flinkPressure(urls: Record<string, string>): Promise<VertexPressure[]> {
  const out: VertexPressure[] = [];
  for (const [name, url] of Object.entries(urls)) {
    try {
      const get = flinkRest(url);
      for (const id of await runningJobIds(get)) {
        const job = await get(`/jobs/${id}`);
        for (const v of job.vertices as { id: string; name: string; parallelism: number }[]) {
          const bp = await get(`/jobs/${id}/vertices/${v.id}/backpressure`);
          const subtasks = (bp.subtasks ?? []) as { ratio?: number; busyRatio?: number; backpressureLevel?: string }[];
          out.push({
            job: job.name ?? name,
            vertex: v.name.length > 90 ? `${v.name.slice(0, 87)}...` : v.name,
            parallelism: v.parallelism,
            backpressureLevel: bp.backpressureLevel ?? bp.status ?? 'unknown',
            backpressureRatio: Math.max(0, ...subtasks.map((s) => s.ratio ?? 0)),
            busyRatio: Math.max(0, ...subtasks.map((s) => s.busyRatio ?? 0)),
          });
        }
      }
    } catch (error) {
      out.push({ job: name, vertex: `(REST error: ${(error as Error).message})`, parallelism: 0, backpressureLevel: 'unknown', backpressureRatio: 0, busyRatio: 0 });
    }
  }
  return out;
}

export interface JobCheckpoints {
  job: string;
  completed: number;
  /** The latest completed checkpoint: its full state size (a heap backend writes all of it every time) and duration. */
  stateBytes: number;
  durationMs: number;
  /** That checkpoint's state per operator chain, largest first. */
  byVertex: { vertex: string; stateBytes: number }[];
}

/** Per running job, what its latest checkpoint held and how long it took: state that grows shows here first. */
export async function flinkCheckpoints(urls: Record<string, string>): Promise<JobCheckpoints[]> {
  const out: JobCheckpoints[] = [];
  for (const url of Object.values(urls)) {
    const get = flinkRest(url);
    for (const id of await runningJobIds(get)) {
      const [job, checkpoints] = await Promise.all([get(`/jobs/${id}`), get(`/jobs/${id}/checkpoints`)]);
      const latest = checkpoints.latest?.completed;
      const details = latest ? await get(`/jobs/${id}/checkpoints/details/${latest.id}`) : { tasks: {} };
      const names = new Map((job.vertices as { id: string; name: string }[]).map((v) => [v.id, v.name]));
      const byVertex = Object.entries(details.tasks as Record<string, { state_size?: number }>)
        .map(([vertexId, task]) => ({ vertex: (names.get(vertexId) ?? vertexId).slice(0, 90), stateBytes: task.state_size ?? 0 }))
        .sort((a, b) => b.stateBytes - a.stateBytes);
      out.push({
        job: job.name,
        completed: checkpoints.counts?.completed ?? 0,
        stateBytes: latest?.state_size ?? 0,
        durationMs: latest?.end_to_end_duration ?? 0,
        byVertex,
      });
    }
  }
  return out;
}

/** The gateway's GTFS-Realtime gate counters, summed over its polled events (feeds, entities decoded, passed on). */
export async function gtfsRtMetrics(port: number): Promise<{ feeds: number; entities: number; passed: number; dropped: number }> {
  const m = (await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(3000) })).json()) as {
    gtfsRt?: Record<string, { feeds: number; entities: number; passed: number; withoutTrip: number; withoutPosition: number; unchanged: number }>;
  };
  const gates = Object.values(m.gtfsRt ?? {});
  const sum = (pick: (g: (typeof gates)[number]) => number) => gates.reduce((n, g) => n + pick(g), 0);
  return { feeds: sum((g) => g.feeds), entities: sum((g) => g.entities), passed: sum((g) => g.passed), dropped: sum((g) => g.withoutTrip + g.withoutPosition + g.unchanged) };
}
