// Creates the manifest's topics (idempotent), the same way on every stack driver.
import { Kafka, logLevel } from 'kafkajs';
import type { Manifest } from '../../manifest/schema.ts';
import { fixKafkajsIdleTimer } from '../../runtime/service-kit/kafkajs-idle-timer.ts';
import { waitFor } from '../wait.ts';

export async function createTopics(brokers: string, topics: Manifest['topics'], timeoutMs = 60_000): Promise<void> {
  fixKafkajsIdleTimer();
  const admin = new Kafka({ clientId: 'iot-platform-stack', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await waitFor('kafka admin connection', async () => {
    await admin.connect();
    await admin.describeCluster();
    return true;
  }, { timeoutMs });
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.name));
    if (missing.length === 0) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((t) => ({
        topic: t.name,
        numPartitions: t.partitions,
        replicationFactor: 1,
        configEntries: [
          { name: 'cleanup.policy', value: t.compacted ? 'compact' : 'delete' },
          ...(t.retentionHours ? [{ name: 'retention.ms', value: String(t.retentionHours * 3_600_000) }] : []),
        ],
      })),
    });
  } finally {
    await admin.disconnect();
  }
}
