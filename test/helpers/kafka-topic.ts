// Test helper: what a Kafka topic holds, read from the beginning up to its current end offsets.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { waitFor } from './wait-for.ts';

export interface TopicMessage {
  key: string;
  /** null for a tombstone */
  value: string | null;
}

function client(brokers: string) {
  return new Kafka({ clientId: 'test-topic-reader', brokers: [brokers], logLevel: logLevel.NOTHING });
}

/** Messages per partition end offset; undefined when the topic does not exist. */
export async function topicEndOffsets(brokers: string, topic: string): Promise<string[] | undefined> {
  const admin = client(brokers).admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return undefined;
    return (await admin.fetchTopicOffsets(topic)).sort((a, b) => a.partition - b.partition).map((p) => p.high);
  } finally {
    await admin.disconnect();
  }
}

export async function readTopic(brokers: string, topic: string, timeoutMs = 30_000): Promise<TopicMessage[]> {
  const ends = await topicEndOffsets(brokers, topic);
  if (!ends) throw new Error(`topic ${topic} does not exist`);
  const total = ends.reduce((sum, high) => sum + Number(high), 0);
  const consumer = client(brokers).consumer({ groupId: `test-${randomUUID()}` });
  const messages: TopicMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        messages.push({ key: message.key?.toString() ?? '', value: message.value === null ? null : message.value.toString() });
      },
    });
    await waitFor(`${total} messages of ${topic}`, timeoutMs, () => messages.length >= total);
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

/** The topic as compaction would leave it: the last value per key, tombstoned keys gone. */
export function latestByKey(messages: TopicMessage[]): Map<string, string> {
  const latest = new Map<string, string>();
  for (const m of messages) {
    if (m.value === null) latest.delete(m.key);
    else latest.set(m.key, m.value);
  }
  return latest;
}
