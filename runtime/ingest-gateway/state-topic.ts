// The gateway's own state (the GTFS-RT gates' last header and vehicle timestamps) in a compacted Kafka topic:
// key → latest value, read whole at start. Kafka rather than a local file, because the gateway runs as a
// container or pod whose disk a restart loses; a topic of its own rather than the tail of the output topic,
// because a vehicle quiet for hours is not in any bounded tail, and the output's key and fields are the
// user's to change. Compaction keeps it at one record per vehicle.
import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';

/** GATEWAY_STATE_TOPIC, else "<prefix of the dead-letter topic>.ingest-gateway.state". */
export function stateTopicName(deadLetterTopic: string, env: NodeJS.ProcessEnv): string {
  return env.GATEWAY_STATE_TOPIC || `${deadLetterTopic.replace(/\.dlq$/, '')}.ingest-gateway.state`;
}

/** Creates the topic (one partition, compacted, the broker's replication factor) unless it exists. */
export async function ensureStateTopic(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if ((await admin.listTopics()).includes(topic)) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
    });
  } finally {
    await admin.disconnect();
  }
}

/** Every key's latest value (tombstones remove the key), read from the beginning up to the end at call time. */
export async function readStateTopic(kafka: Kafka, topic: string, timeoutMs = 60_000): Promise<Map<string, string>> {
  const state = new Map<string, string>();
  await readTopicToEnd(kafka, topic, (message) => {
    const key = message.key?.toString();
    if (key === undefined) return;
    if (message.value === null) state.delete(key);
    else state.set(key, message.value.toString());
  }, timeoutMs);
  return state;
}

/** Calls `each` for every record of the topic, from the beginning up to the end offsets at call time. */
export async function readTopicToEnd(kafka: Kafka, topic: string, each: (message: KafkaMessage, partition: number) => void, timeoutMs = 60_000): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    ends = new Map(offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
  if (ends.size === 0) return;

  // A throwaway group that commits nothing: it disappears when the consumer leaves.
  const consumer = kafka.consumer({ groupId: `ingest-gateway-reader-${randomUUID()}` });
  await consumer.connect();
  try {
    let done!: () => void;
    let failed!: (error: Error) => void;
    const finished = new Promise<void>((resolve, reject) => ((done = resolve), (failed = reject)));
    const timer = setTimeout(() => failed(new Error(`reading topic ${topic} took longer than ${timeoutMs} ms`)), timeoutMs);
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const end = ends.get(batch.partition);
        for (const message of batch.messages) {
          if (end === undefined || BigInt(message.offset) >= end) break;
          each(message, batch.partition);
          if (BigInt(message.offset) + 1n >= end) ends.delete(batch.partition);
        }
        if (ends.size === 0) done();
      },
    });
    try {
      await finished;
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await consumer.disconnect();
  }
}
