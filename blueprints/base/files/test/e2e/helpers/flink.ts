// The project's Flink jobs as the e2e tests see them: which consumer group reads which Kafka topic (from the
// jobs' OPTIONS hints in flink/sql/*.sql and the shared tables of flink/tables/*.sql), whether the groups have
// committed everything they read, a restart of the jobs as a crash does, and their checkpoints (Flink's REST API).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kafka } from './clients.ts';
import { stack } from './stack.ts';
import { waitFor } from './wait-for.ts';

export interface FlinkConsumer {
  group: string;
  topic: string;
}

const sqlFiles = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.sql')).sort() : []);
const withoutComments = (sql: string) => sql.replace(/--.*$/gm, '');

/**
 * The Kafka sources of the jobs that resume from their group's committed offsets ('scan.startup.mode' =
 * 'group-offsets' in flink/tables/), each with the consumer group the reading job names in its hint:
 *   FROM measurements /*+ OPTIONS('properties.group.id' = 'flink-sensors-enrichment') *\/
 */
export function flinkConsumers(projectDir = process.cwd()): FlinkConsumer[] {
  const topics = new Map<string, string>();
  for (const file of sqlFiles(join(projectDir, 'flink', 'tables'))) {
    const sql = withoutComments(readFileSync(join(projectDir, 'flink', 'tables', file), 'utf8'));
    const table = /CREATE\s+TEMPORARY\s+TABLE\s+(\w+)/i.exec(sql)?.[1];
    const topic = /'topic'\s*=\s*'([^']+)'/.exec(sql)?.[1];
    if (table && topic && /'scan\.startup\.mode'\s*=\s*'group-offsets'/.test(sql)) topics.set(table, topic);
  }
  const consumers = new Map<string, FlinkConsumer>();
  for (const file of sqlFiles(join(projectDir, 'flink', 'sql'))) {
    const sql = withoutComments(readFileSync(join(projectDir, 'flink', 'sql', file), 'utf8'));
    for (const m of sql.matchAll(/\b(?:FROM|JOIN)\s+(\w+)\s*\/\*\+\s*OPTIONS\(\s*'properties\.group\.id'\s*=\s*'([^']+)'\s*\)\s*\*\//gi)) {
      const topic = topics.get(m[1]!);
      if (topic) consumers.set(`${m[2]}|${topic}`, { group: m[2]!, topic });
    }
  }
  return [...consumers.values()];
}

/**
 * Records on the consumers' topics that their groups have not committed yet (a group without commits counts from
 * the start). On a topic written in Kafka transactions the count never falls below the commit markers after the
 * last record read (Flink commits the offset after that record).
 */
export async function uncommittedRecords(consumers: FlinkConsumer[]): Promise<number> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    let lag = 0;
    for (const { group, topic } of consumers) {
      const ends = await admin.fetchTopicOffsets(topic);
      const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      for (const end of ends) {
        const offset = Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
        lag += Number(end.high) - (offset < 0 ? Number(end.low) : offset);
      }
    }
    return lag;
  } finally {
    await admin.disconnect();
  }
}

export interface JobCheckpoints {
  job: string;
  /** when the newest completed checkpoint was triggered (epoch ms), if any */
  completedTriggeredAt?: number;
  /** the checkpoint or savepoint the job started from, if it was restored */
  restoredFrom?: string;
}

/**
 * Flink's REST endpoints: FLINK_URL where one cluster runs every job (native, compose), FLINK_URL_<JOB> per job
 * where each job has a cluster of its own (Kubernetes: the e2e-kind workflow's port-forwards).
 */
function flinkUrls(): string[] {
  const perJob = Object.entries(process.env).filter(([name, value]) => name.startsWith('FLINK_URL_') && value).map(([, value]) => value!);
  const urls = process.env.FLINK_URL ? [process.env.FLINK_URL] : perJob.length ? perJob : ['http://localhost:8081'];
  return urls.map((url) => url.replace(/\/$/, ''));
}

async function flinkGet<T>(url: string, path: string): Promise<T> {
  const response = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`Flink REST ${url}${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

/** The checkpoints of every RUNNING job, from Flink's REST API. */
export async function runningJobCheckpoints(): Promise<JobCheckpoints[]> {
  const perCluster = await Promise.all(flinkUrls().map(async (url) => {
    const { jobs } = await flinkGet<{ jobs: { jid: string; name: string; state: string }[] }>(url, '/jobs/overview');
    return jobs.filter((j) => j.state === 'RUNNING').map((j) => ({ url, ...j }));
  }));
  return Promise.all(
    perCluster.flat().map(async (j) => {
      const { latest } = await flinkGet<{
        latest?: { completed?: { trigger_timestamp: number } | null; restored?: { external_path: string } | null };
      }>(j.url, `/jobs/${j.jid}/checkpoints`);
      return {
        job: j.name,
        ...(latest?.completed ? { completedTriggeredAt: latest.completed.trigger_timestamp } : {}),
        ...(latest?.restored ? { restoredFrom: latest.restored.external_path } : {}),
      };
    }),
  );
}

/** Waits until each of `jobCount` running jobs has completed a checkpoint triggered at or after `since` (epoch ms). */
export async function waitForCheckpointsSince(since: number, jobCount: number, timeoutMs = 120_000): Promise<JobCheckpoints[]> {
  return waitFor(
    async () => {
      const jobs = await runningJobCheckpoints();
      return jobs.length === jobCount && jobs.every((j) => (j.completedTriggeredAt ?? 0) >= since) ? jobs : undefined;
    },
    { timeoutMs, intervalMs: 250, what: `a checkpoint of each of the ${jobCount} Flink jobs triggered after ${new Date(since).toISOString()}` },
  );
}

/** The project's Flink jobs: one per flink/sql/*.sql file. */
export const flinkJobCount = (projectDir = process.cwd()) => sqlFiles(join(projectDir, 'flink', 'sql')).length;

/**
 * Restarts the Flink jobs as a crash does (`stack kill flink`, then `stack start flink`, which waits until every
 * job runs), once each job has completed a checkpoint after this call: the restarted jobs resume from that state
 * and those offsets (or, where the checkpoints did not survive, from the offsets their consumer groups committed
 * with it), so they re-read nothing the test waited for.
 */
export async function restartFlink(): Promise<void> {
  await waitForCheckpointsSince(Date.now(), flinkJobCount());
  await stack('kill', 'flink');
  await stack('start', 'flink');
}
