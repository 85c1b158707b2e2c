// Kafka side of a load: the compacted trips topic is created when missing (like the stack's topics), then one
// record per trip (key = tripId, JSON value) and a tombstone for every trip published before but gone now.
// Records go in gzip batches: neighbouring trips share their shape and stops, so they compress well.
import { CompressionTypes, type Admin, type Kafka, type Message } from 'kafkajs';
import type { TripRecord } from './trip-records.ts';

export const TRIPS_TOPIC = 'transport.trips.v1';

/** A trip with a long shape can pass Kafka's default 1 MB; the native stack's broker accepts 10 MB. */
const MAX_MESSAGE_BYTES = 10_485_760;
const BATCH_BYTES = 4_000_000;

/**
 * JSON.stringify(record) with the same field order, but a shape or service-date list shared by many trips is
 * serialised once: at a big city's scale the shapes are most of the bytes.
 */
export function recordJson(record: TripRecord): string {
  return (
    `{"tripId":${JSON.stringify(record.tripId)},"routeId":${JSON.stringify(record.routeId)},"serviceId":${JSON.stringify(record.serviceId)}` +
    `,"agencyId":${JSON.stringify(record.agencyId)},"timeZone":${JSON.stringify(record.timeZone)},"shapeId":${JSON.stringify(record.shapeId)}` +
    `,"shape":${shared(record.shape)},"stops":${JSON.stringify(record.stops)},"frequencies":${JSON.stringify(record.frequencies)}` +
    `,"serviceDates":${shared(record.serviceDates)}}`
  );
}

const serialised = new WeakMap<object, string>();

function shared(value: object): string {
  let json = serialised.get(value);
  if (json === undefined) serialised.set(value, (json = JSON.stringify(value)));
  return json;
}

export async function ensureTripsTopic(admin: Admin, topic: string, partitions: number): Promise<'created' | 'existed'> {
  if ((await admin.listTopics()).includes(topic)) return 'existed';
  const created = await admin.createTopics({
    waitForLeaders: true,
    topics: [
      {
        topic,
        numPartitions: partitions,
        replicationFactor: 1,
        configEntries: [
          { name: 'cleanup.policy', value: 'compact' },
          { name: 'max.message.bytes', value: String(MAX_MESSAGE_BYTES) },
        ],
      },
    ],
  });
  return created ? 'created' : 'existed';
}

export interface PublishCounts {
  records: number;
  tombstones: number;
}

export async function publishTrips(kafka: Kafka, topic: string, records: Iterable<TripRecord>, gone: Iterable<string>): Promise<PublishCounts> {
  const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const counts = { records: 0, tombstones: 0 };
  try {
    let batch: Message[] = [];
    let bytes = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      await producer.send({ topic, messages: batch, acks: -1, compression: CompressionTypes.GZIP });
      batch = [];
      bytes = 0;
    };
    const add = async (message: Message, size: number) => {
      if (bytes + size > BATCH_BYTES) await flush();
      batch.push(message);
      bytes += size;
    };
    for (const record of records) {
      const value = recordJson(record);
      await add({ key: record.tripId, value }, value.length);
      counts.records++;
    }
    for (const tripId of gone) {
      await add({ key: tripId, value: null }, tripId.length);
      counts.tombstones++;
    }
    await flush();
  } finally {
    await producer.disconnect();
  }
  return counts;
}
