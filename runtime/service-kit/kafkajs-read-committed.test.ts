import { kafkajsReadsCommitted, withoutAbortedRecords } from './kafkajs-read-committed.ts'; // before kafkajs loads
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { startKafka, type KafkaBroker } from '../../test/helpers/kafka.ts';
import { waitFor } from '../../test/helpers/wait-for.ts';

const record = (offset: number, producerId: number, value: string, kind: 'data' | 'transactional' | 'abort' | 'commit') => ({
  offset: String(offset),
  key: kind === 'abort' ? Buffer.from([0, 0, 0, 0]) : kind === 'commit' ? Buffer.from([0, 0, 0, 1]) : null,
  value,
  isControlRecord: kind === 'abort' || kind === 'commit',
  batchContext: { producerId: String(producerId), inTransaction: kind !== 'data' },
});
const values = (records: { value?: unknown }[]) => records.map((r) => r.value);

describe('withoutAbortedRecords', () => {
  it('hides every aborted transaction that started at or before a record, however far back, in any listed order', () => {
    // aborted: producer 1 from offset 0, producer 2 from offset 1; the fetch starts at offset 4
    const messages = [
      record(4, 2, 'b2', 'transactional'),
      record(5, 1, 'a2', 'transactional'),
      record(6, 1, 'abort 1', 'abort'),
      record(7, 3, 'c1', 'transactional'),
      record(8, 2, 'abort 2', 'abort'),
      record(9, 3, 'commit 3', 'commit'),
      record(10, 1, 'd1', 'data'),
      record(11, 2, 'b3', 'transactional'),
    ];
    const aborted = [
      { producerId: '2', firstOffset: '1' },
      { producerId: '1', firstOffset: '0' },
    ];
    expect(values(withoutAbortedRecords({ messages, abortedTransactions: aborted }))).toEqual(['abort 1', 'c1', 'abort 2', 'commit 3', 'd1', 'b3']);
  });

  it('keeps everything when the broker lists no aborted transaction, and takes only control records for markers', () => {
    const messages = [record(0, 1, 'a1', 'transactional'), { ...record(1, 1, 'zero key', 'data'), key: Buffer.from([0, 0, 0, 0]) }];
    expect(withoutAbortedRecords({ messages, abortedTransactions: [] })).toEqual(messages);
    const aborted = [{ producerId: '1', firstOffset: '0' }];
    const later = record(2, 1, 'a2', 'transactional');
    expect(values(withoutAbortedRecords({ messages: [...messages, later], abortedTransactions: aborted }))).toEqual(['zero key']);
  });
});

describe('kafkajs reading read_committed', () => {
  const topic = 'read-committed';
  let broker: KafkaBroker;
  let kafka: Kafka;
  const producers: Producer[] = [];
  let consumer: Consumer;

  beforeAll(async () => {
    broker = await startKafka();
    kafka = new Kafka({ clientId: 'read-committed-test', brokers: [broker.brokers], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
  });

  afterAll(async () => {
    await consumer?.disconnect();
    for (const producer of producers) await producer.disconnect();
    await broker?.stop();
  });

  const transactionalProducer = async (id: string) => {
    const producer = kafka.producer({ transactionalId: id, idempotent: true, maxInFlightRequests: 1 });
    producers.push(producer);
    await producer.connect();
    return producer.transaction();
  };

  it('never shows a record of two interleaved aborted transactions when its fetch starts inside both', async () => {
    expect(kafkajsReadsCommitted()).toBe(true);
    const seen: string[] = [];
    const fetchedUpTo: string[] = [];
    consumer = kafka.consumer({ groupId: 'read-committed-reader' });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => fetchedUpTo.push(String(payload.lastOffset)));
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });

    const first = await transactionalProducer('writer-1');
    const second = await transactionalProducer('writer-2');
    await first.send({ topic, messages: [{ value: 'a1' }] }); // offset 0
    await second.send({ topic, messages: [{ value: 'b1' }] }); // offset 1
    await first.send({ topic, messages: [{ value: 'a2' }] }); // offset 2
    await first.abort(); // marker at 3: the stable offset moves to 1, where the second transaction began
    await waitFor('the reader to pass the first aborted record', 30_000, async () => fetchedUpTo.includes('0'), 100);

    await second.send({ topic, messages: [{ value: 'b2' }] });
    await second.abort(); // the next fetch starts at offset 1, inside both aborted transactions
    const third = await transactionalProducer('writer-3');
    await third.send({ topic, messages: [{ value: 'c1' }] });
    await third.commit();
    const plain = kafka.producer();
    producers.push(plain);
    await plain.connect();
    await plain.send({ topic, messages: [{ value: 'd1' }] });

    await waitFor('the reader to reach the last record', 30_000, async () => seen.includes('d1'), 100);
    expect(seen).toEqual(['c1', 'd1']);
  });
});
