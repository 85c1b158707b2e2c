// The two Kafka clients that bench:kafka-clients compares, each configured as the services use Kafka: a producer as
// the ingest gateway's (idempotent, acks=all, Java-compatible murmur2 partitioning, one batch in flight: the
// gateway's KafkaBatcher sends one batch at a time) and a group consumer as the Redis sink's (from the committed
// offsets, else the beginning; offsets committed after each partition's batch was handled; kafkajs's default fetch
// sizes, 1 MiB per partition and 10 MiB per fetch, for both).
import { Partitioners } from 'kafkajs';
import { compatibilityPartitioner, Consumer, ProduceAcks, Producer, stringSerializers, type Message } from '@platformatic/kafka';
import type { BatchSender } from '../../runtime/ingest-gateway/kafka-batcher.ts';
import { createKafka } from '../../runtime/service-kit/kafka.ts';
import { createLogger } from '../../runtime/service-kit/log.ts';

export const CLIENTS = ['kafkajs', 'platformatic'] as const;
export type ClientName = (typeof CLIENTS)[number];

const FETCH = { maxBytesPerPartition: 1_048_576, maxBytes: 10_485_760 };
const SESSION_TIMEOUT_MS = 30_000; // the Redis sink's KAFKA_SESSION_TIMEOUT_MS
const SINK_CONCURRENCY = 3; // the Redis sink's REDIS_SINK_CONCURRENCY

const log = createLogger('bench-kafka-clients', 'warn');

// @platformatic/kafka's types name undici's RequestInit.dispatcher (its schema registry's HTTP agent), which the DOM
// lib's RequestInit, the one this repository's TypeScript settings make global, does not have.
declare global {
  interface RequestInit {
    dispatcher?: unknown;
  }
}

export interface BenchProducer extends BatchSender {
  close(): Promise<void>;
}

export async function connectProducer(client: ClientName, brokers: string[]): Promise<BenchProducer> {
  if (client === 'kafkajs') {
    const producer = createKafka('bench-kafkajs', brokers, log).producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    return { sendBatch: (batch) => producer.sendBatch({ ...batch, acks: -1 }), close: () => producer.disconnect() };
  }
  const producer = new Producer({
    clientId: 'bench-platformatic',
    bootstrapBrokers: brokers,
    idempotent: true,
    acks: ProduceAcks.ALL,
    partitioner: compatibilityPartitioner, // murmur2 & 0x7fffffff, as Java and kafkajs (its default is murmur2 >>> 0)
    autocreateTopics: false,
    serializers: stringSerializers,
  });
  return {
    sendBatch: ({ topicMessages }) => {
      const messages = [];
      for (const { topic, messages: records } of topicMessages) {
        for (const { key, value } of records) messages.push({ topic, key: key ?? undefined, value });
      }
      return producer.send({ messages });
    },
    close: () => producer.close(),
  };
}

/** One partition's records of one fetch, in offset order. */
export interface PartitionBatch {
  topic: string;
  partition: number;
  messages: { offset: string | bigint; value: Buffer | null | undefined }[];
}

export interface DrainSpec {
  brokers: string[];
  groupId: string;
  topics: string[];
  /** Called when the consumer joined the group and got its partitions, before its first fetch. */
  joined(): void;
  /** Handles a batch before its offsets are committed. */
  handle(batch: PartitionBatch): void;
  /** True once every expected record was handled and committed. */
  finished(): boolean;
}

/** Consumes as the Redis sink does until spec.finished(), then leaves the group. */
export async function drain(client: ClientName, spec: DrainSpec): Promise<void> {
  await (client === 'kafkajs' ? drainKafkajs(spec) : drainPlatformatic(spec));
}

async function drainKafkajs(spec: DrainSpec): Promise<void> {
  const consumer = createKafka('bench-kafkajs', spec.brokers, log).consumer({
    groupId: spec.groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: SESSION_TIMEOUT_MS,
  });
  consumer.on(consumer.events.GROUP_JOIN, () => spec.joined());
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: spec.topics, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: SINK_CONCURRENCY,
          eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
            if (batch.messages.length === 0 || !isRunning() || isStale()) return;
            spec.handle(batch);
            const last = batch.messages[batch.messages.length - 1]!.offset;
            resolveOffset(last);
            await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
            await heartbeat();
            if (spec.finished()) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
}

async function drainPlatformatic(spec: DrainSpec): Promise<void> {
  const consumer = new Consumer({
    clientId: 'bench-platformatic',
    bootstrapBrokers: spec.brokers,
    groupId: spec.groupId,
    sessionTimeout: SESSION_TIMEOUT_MS,
    autocommit: false,
    ...FETCH,
  });
  consumer.on('consumer:group:join', () => spec.joined());
  try {
    const stream = await consumer.consume({ topics: spec.topics, mode: 'committed', fallbackMode: 'earliest', autocommit: false, ...FETCH });
    // The stream fetches only while someone listens (flowing or 'readable'): a 'readable' listener stays for good
    // (one removed after each wake-up left the stream without listeners, and it stopped fetching).
    let wake: ((error?: Error) => void) | undefined;
    stream.on('readable', () => wake?.());
    stream.on('error', (error) => wake?.(error));
    const readable = () => new Promise<void>((resolve, reject) => (wake = (error) => (wake = undefined, error ? reject(error) : resolve())));
    // A batch is what the stream holds at once (one fetch's records), split by partition like kafkajs's eachBatch.
    while (!spec.finished()) {
      const byPartition = new Map<string, Message[]>();
      for (let m: Message | null; (m = stream.read() as Message | null) !== null; ) {
        const key = `${m.topic}\0${m.partition}`;
        let list = byPartition.get(key);
        if (!list) byPartition.set(key, (list = []));
        list.push(m);
      }
      if (byPartition.size === 0) {
        await readable();
        continue;
      }
      for (const messages of byPartition.values()) spec.handle({ topic: messages[0]!.topic, partition: messages[0]!.partition, messages });
      await Promise.all([...byPartition.values()].map((messages) => messages[messages.length - 1]!.commit()));
    }
    await stream.close();
  } finally {
    await consumer.close(true);
  }
}
