// The project's Flink jobs as the e2e tests see them: which consumer group reads which Kafka topic (from the
// jobs' OPTIONS hints in flink/sql/*.sql and the shared tables of flink/tables/*.sql), whether the groups have
// committed everything they read, and a restart of the jobs without their state.
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

/** Records on the consumers' topics that their groups have not committed yet (a group without commits counts from the start). */
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

/**
 * Restarts the Flink jobs without their state, as a crash or a stateless redeploy does: each job starts
 * afresh from the offsets its consumer groups committed (`stack kill flink`, then `stack start flink`, which
 * waits until every job runs). It first waits until the groups have committed everything they read (Flink
 * commits at each checkpoint), so the restarted jobs re-read nothing and their watermarks start from what
 * comes next.
 */
export async function restartFlink(): Promise<void> {
  const consumers = flinkConsumers();
  if (consumers.length === 0) throw new Error('no Kafka source with a consumer group in flink/sql and flink/tables');
  await waitFor(async () => (await uncommittedRecords(consumers)) === 0, {
    timeoutMs: 120_000,
    intervalMs: 1000,
    what: `every record read and committed by ${consumers.map((c) => `${c.group} (${c.topic})`).join(', ')}`,
  });
  await stack('kill', 'flink');
  await stack('start', 'flink');
}
