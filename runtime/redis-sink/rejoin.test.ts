// The sink process itself (bin/iot-redis-sink.js, built) against a real Kafka broker and Redis: paused (SIGSTOP)
// longer than its session timeout, it is evicted from the group, its next commit is refused, and it must join the
// group again and go on materialising, not stay up without consuming.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/cli.ts';
import { startKafka, type KafkaBroker } from '../../test/helpers/kafka.ts';
import { freePort } from '../../test/helpers/postgres.ts';
import { startRedis } from '../../test/helpers/redis.ts';
import { waitFor } from '../../test/helpers/wait-for.ts';

const BIN = fileURLToPath(new URL('../../bin/iot-redis-sink.js', import.meta.url));
const TOPIC = 'plant.device-state';
const SESSION_TIMEOUT_MS = 6000; // the broker's smallest (group.min.session.timeout.ms)
// past the session timeout and kafkajs's request timeout (30 s), as a frozen VM: the sink before this test's fix woke
// from such a pause and never consumed again
const PAUSE_MS = 40_000;

let broker: KafkaBroker;
let redis: { server: ChildProcess; client: Redis };
let producer: Producer;
let sink: ChildProcess | undefined;
let output = '';
const dir = tempDir('iotp-redis-sink-');

beforeAll(async () => {
  [broker, redis] = await Promise.all([startKafka(), startRedis()]);
  const kafka = new Kafka({ clientId: 'test', brokers: [broker.brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: 2 }] });
  await admin.disconnect();
  producer = kafka.producer();
  await producer.connect();
  writeFileSync(
    join(dir, 'iot-platform.yaml'),
    `apiVersion: iot-platform/v1
platform: { version: 0.1.0 }
blueprint: sensors
project: { name: plant }
events:
  humidity:
    source: { mqtt: "{env}/{tenant}/plant/{deviceId}/humidity" }
    format: csv
    fields:
      - { name: deviceId, type: string }
      - { name: humidity, type: double }
    key: [deviceId]
    topic: plant.humidity.v1
topics:
  - { name: plant.humidity.v1 }
  - { name: ${TOPIC} }
sinks:
  redis:
    - { topic: ${TOPIC}, key: "plant:device:{device_id}" }
deploy: { targets: [native] }
`,
  );
}, 180_000);

afterAll(async () => {
  if (sink?.exitCode === null) {
    sink.kill('SIGCONT');
    sink.kill('SIGTERM');
  }
  await producer?.disconnect();
  redis?.client.disconnect();
  redis?.server.kill();
  await broker?.stop();
});

const DEVICES = 500;
const send = (records: [device: string, humidity: number][]) =>
  producer.send({ topic: TOPIC, messages: records.map(([device, humidity]) => ({ key: JSON.stringify({ device_id: device }), value: JSON.stringify({ device_id: device, humidity }) })) });

const humidityOf = async (device: string) => (await redis.client.hget(`plant:device:${device}`, 'humidity')) ?? undefined;

it('joins the group again after an eviction and materialises what came meanwhile', async () => {
  const healthPort = await freePort();
  sink = spawn(process.execPath, [BIN], {
    cwd: dir,
    env: {
      ...process.env,
      KAFKA_BROKERS: broker.brokers,
      REDIS_HOST: '127.0.0.1',
      REDIS_PORT: String(redis.client.options.port),
      HEALTH_PORT: String(healthPort),
      IOT_PLATFORM_MANIFEST: join(dir, 'iot-platform.yaml'),
      KAFKA_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  sink.stdout!.on('data', (d) => (output += d));
  sink.stderr!.on('data', (d) => (output += d));
  const where = () => `\n--- sink output ---\n${output}`;

  await send([['d1', 40]]);
  await waitFor(`d1 in Redis${where()}`, 60_000, async () => (await humidityOf('d1')) === '40');

  // Paused while it works through a backlog: the broker evicts it from the group, and its commit is refused when it wakes.
  const backlog = Array.from({ length: 200 }, (_, round) => Array.from({ length: DEVICES }, (_, d) => [`m${d}`, round] as [string, number]));
  for (const round of backlog) await send(round);
  const messages = async () => ((await (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).json()) as { messages: number }).messages;
  const before = await messages();
  await waitFor(`the sink to start on the backlog${where()}`, 30_000, async () => (await messages()) > before);
  sink.kill('SIGSTOP');
  await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  sink.kill('SIGCONT');

  await waitFor(`every device's last record of the backlog in Redis${where()}`, 90_000, async () => {
    const values = await redis.client.pipeline(Array.from({ length: DEVICES }, (_, d) => ['hget', `plant:device:m${d}`, 'humidity'])).exec();
    return values!.every(([, v]) => v === '199');
  });
  await send([['d1', 41]]);
  await waitFor(`a record sent after the pause in Redis${where()}`, 30_000, async () => (await humidityOf('d1')) === '41');
  expect(sink.exitCode).toBeNull();
  await waitFor(`the sink ready again${where()}`, 15_000, async () => (await fetch(`http://127.0.0.1:${healthPort}/readyz`)).status === 200);
}, 240_000);
