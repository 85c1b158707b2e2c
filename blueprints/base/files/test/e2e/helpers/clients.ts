// Clients for the e2e tests. Addresses come from the same environment variables as the services, so
// the tests run unchanged against the compose, native and kind stacks.
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import pg from 'pg';
import { Redis } from 'ioredis';
import { DeviceConnections } from 'create-iot-platform/mqtt-access';
import { fixKafkajsIdleTimer, loadManifest, type RuntimeManifest } from 'create-iot-platform/service-kit';

fixKafkajsIdleTimer();

export const env = {
  kafkaBrokers: (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(',').map((b) => b.trim()),
  mqttUrl: process.env.MQTT_URL ?? 'mqtt://localhost:1883',
  mqttDeviceKey: process.env.MQTT_DEVICE_KEY ?? '',
  mqttAdminPassword: process.env.MQTT_ADMIN_PASSWORD,
  apiUrl: (process.env.API_URL ?? 'http://localhost:8080').replace(/\/$/, ''),
  apiKey: process.env.API_KEY ?? '',
  postgres: {
    host: process.env.POSTGRES_HOST ?? 'localhost',
    port: Number(process.env.POSTGRES_PORT ?? 5432),
    database: process.env.POSTGRES_DB ?? 'postgres',
    user: process.env.POSTGRES_USER ?? 'postgres',
    password: process.env.POSTGRES_PASSWORD ?? '',
  },
  redis: {
    host: process.env.REDIS_HOST ?? 'localhost',
    port: Number(process.env.REDIS_PORT ?? 6379),
    username: process.env.REDIS_USERNAME,
    password: process.env.REDIS_PASSWORD,
  },
};

export function manifest(): RuntimeManifest {
  return loadManifest();
}

/** A short random id to keep each run's data apart (used as the tenant). */
export function runId(): string {
  return randomBytes(4).toString('hex');
}

/** Publishes as the device that owns each topic (provisioned on first use), one MQTT connection per device. */
export async function mqttClient(): Promise<DeviceConnections> {
  return new DeviceConnections({
    url: env.mqttUrl,
    manifest: manifest(),
    deviceKey: env.mqttDeviceKey,
    ...(env.mqttAdminPassword ? { adminPassword: env.mqttAdminPassword } : {}),
    clientIdPrefix: `e2e-${runId()}`,
  });
}

export function kafka(): Kafka {
  return new Kafka({ clientId: 'e2e-tests', brokers: env.kafkaBrokers, logLevel: logLevel.ERROR });
}

export function pgPool(): pg.Pool {
  return new pg.Pool({ ...env.postgres, max: 2 });
}

export function redisClient(): Redis {
  return new Redis({
    host: env.redis.host,
    port: env.redis.port,
    ...(env.redis.username ? { username: env.redis.username } : {}),
    ...(env.redis.password ? { password: env.redis.password } : {}),
    maxRetriesPerRequest: 2,
  });
}

export interface KafkaRecord {
  topic: string;
  key: string | null;
  value: string | null;
}

/**
 * Records that arrive on `topics` from now on: the consumer (a fresh group) starts at each partition's
 * current end offset, so earlier data on a long-running stack is skipped.
 */
export class TopicRecorder {
  readonly records: KafkaRecord[] = [];
  private consumer: Consumer | undefined;

  static async start(topics: string[]): Promise<TopicRecorder> {
    const recorder = new TopicRecorder();
    const client = kafka();
    const admin = client.admin();
    await admin.connect();
    const ends = await Promise.all(topics.map(async (topic) => ({ topic, offsets: await admin.fetchTopicOffsets(topic) })));
    await admin.disconnect();
    const consumer = client.consumer({ groupId: `e2e-${runId()}` });
    recorder.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: false });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        recorder.records.push({ topic, key: message.key?.toString() ?? null, value: message.value?.toString() ?? null });
      },
    });
    for (const { topic, offsets } of ends) {
      for (const { partition, high } of offsets) consumer.seek({ topic, partition, offset: high });
    }
    await joined;
    return recorder;
  }

  json(topic: string, filter: (value: Record<string, unknown>) => boolean = () => true): Record<string, unknown>[] {
    return this.records
      .filter((r) => r.topic === topic && r.value !== null)
      .map((r) => JSON.parse(r.value!) as Record<string, unknown>)
      .filter(filter);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
