// Ingest gateway: MQTT (QoS 1, every event's topic pattern) → validate against the manifest's event
// schema → Kafka (JSON value, key = the event's key fields joined with "|"). Invalid messages go to the
// dead-letter topic with the reason and the raw payload. Health on HEALTH_PORT: /healthz /readyz /metrics.
import { hostname } from 'node:os';
import { Kafka, logLevel as kafkaLogLevel, Partitioners, type LogEntry } from 'kafkajs';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import * as env from '../lib/env.ts';
import { createLogger } from '../lib/log.ts';
import { deadLetterTopic, loadManifest, type EventDefinition } from '../lib/manifest.ts';
import { installShutdownHandlers, onShutdown, shutdown } from '../lib/shutdown.ts';
import { startHealthServer } from '../lib/health-server.ts';
import { TopicRouter } from './mqtt-topics.ts';
import { decodeUtf8, parseMessage } from './parse.ts';
import { deadLetter } from './dead-letter.ts';
import { KafkaBatcher } from './kafka-batcher.ts';

const log = createLogger('ingest-gateway');
installShutdownHandlers(log);

const config = env.readConfig(() => ({
  brokers: env.list('KAFKA_BROKERS'),
  mqttUrl: env.str('MQTT_URL'),
  mqttUsername: env.optional('MQTT_USERNAME'),
  mqttPassword: env.optional('MQTT_PASSWORD'),
  clientId: env.str('MQTT_CLIENT_ID', `ingest-gateway-${hostname()}`),
  /** Set to share the subscriptions among several gateway replicas ($share/<group>/…). */
  sharedGroup: env.optional('MQTT_SHARED_GROUP'),
  healthPort: env.int('HEALTH_PORT', 8081),
  maxBatch: env.int('KAFKA_BATCH_SIZE', 2000),
  lingerMs: env.int('KAFKA_LINGER_MS', 5),
  highWater: env.int('GATEWAY_MAX_QUEUED', 100_000),
}));

let manifest;
try {
  manifest = loadManifest();
} catch (error) {
  log.fatal((error as Error).message);
  process.exit(2);
}
const dlqTopic = deadLetterTopic(manifest);

type Route = { name: string; event: EventDefinition };
const router = new TopicRouter<Route>();
const counters: Record<string, { received: number; produced: number; deadLettered: number }> = {};
const unmatched = { received: 0, deadLettered: 0 };
for (const [name, event] of Object.entries(manifest.events)) {
  if (event.source.mqtt) {
    router.add(event.source.mqtt, { name, event });
    counters[name] = { received: 0, produced: 0, deadLettered: 0 };
  } else {
    log.warn('event has an HTTP source, which this gateway does not serve yet; skipped', { event: name });
  }
}
let dlqProduced = 0;
let producerConnected = false;
let client: MqttClient | undefined;

const kafka = new Kafka({
  clientId: 'ingest-gateway',
  brokers: config.brokers,
  logLevel: kafkaLogLevel.WARN,
  logCreator: () => (entry: LogEntry) =>
    log[entry.level <= kafkaLogLevel.ERROR ? 'error' : 'warn'](entry.log.message, { kafka: entry.namespace }),
});
// Java-compatible murmur2 partitioning: the same key lands on the same partition as with Flink's clients.
const producer = kafka.producer({
  idempotent: true,
  maxInFlightRequests: 1,
  allowAutoTopicCreation: false,
  createPartitioner: Partitioners.DefaultPartitioner,
});

const batcher = new KafkaBatcher(
  { sendBatch: (batch) => producer.sendBatch({ ...batch, acks: -1 }) },
  {
    maxBatch: config.maxBatch,
    lingerMs: config.lingerMs,
    highWater: config.highWater,
    onSent: (label, count) => {
      if (label === 'dlq') dlqProduced += count;
      else if (counters[label]) counters[label].produced += count;
    },
    onError: (error, records) => log.error('kafka send failed; retrying', { error, records }),
    onPressure: (paused) => {
      // TCP back-pressure towards the broker while Kafka catches up.
      if (paused) client?.stream.pause();
      else client?.stream.resume();
      log.warn(paused ? 'kafka is behind; pausing MQTT input' : 'resuming MQTT input', { queued: batcher.pending });
    },
  },
);

function toDeadLetter(reason: string, topic: string, payload: Buffer, receivedAt: number, label?: string): void {
  if (label && counters[label]) counters[label].deadLettered += 1;
  else unmatched.deadLettered += 1;
  log.debug('dead letter', { reason, mqttTopic: topic });
  batcher.enqueue({
    topic: dlqTopic,
    key: topic,
    value: JSON.stringify(deadLetter(reason, 'mqtt', topic, payload, receivedAt)),
    label: 'dlq',
  });
}

function onMessage(topic: string, payload: Buffer): void {
  const receivedAt = Date.now();
  const resolved = router.resolve(topic);
  if (!resolved) {
    unmatched.received += 1;
    return toDeadLetter(`no event matches MQTT topic ${topic}`, topic, payload, receivedAt);
  }
  const { name, event } = resolved.target;
  counters[name]!.received += 1;
  const text = decodeUtf8(payload);
  if (text === undefined) return toDeadLetter('payload is not valid UTF-8', topic, payload, receivedAt, name);
  const result = parseMessage(event, text, resolved.context, receivedAt);
  if (!result.ok) return toDeadLetter(`${name}: ${result.reason}`, topic, payload, receivedAt, name);
  batcher.enqueue({ topic: event.topic, key: result.key, value: JSON.stringify(result.value), label: name });
}

const mqttOptions: IClientOptions = {
  clientId: config.clientId,
  protocolVersion: 5,
  clean: false, // a persistent session: the broker keeps QoS 1 messages while the gateway restarts
  properties: { sessionExpiryInterval: 3600, receiveMaximum: 65535 },
  reconnectPeriod: 1000,
  connectTimeout: 10_000,
  ...(config.mqttUsername ? { username: config.mqttUsername } : {}),
  ...(config.mqttPassword ? { password: config.mqttPassword } : {}),
};

const health = await startHealthServer({
  port: config.healthPort,
  ready: () => Boolean(client?.connected) && producerConnected,
  metrics: () => ({
    events: counters,
    unmatched,
    deadLetterTopic: dlqTopic,
    deadLettered: Object.values(counters).reduce((n, c) => n + c.deadLettered, unmatched.deadLettered),
    deadLetterProduced: dlqProduced,
    queued: batcher.pending,
  }),
});
onShutdown('health server', () => new Promise((resolve) => health.close(resolve)));

try {
  await producer.connect();
  producerConnected = true;
} catch (error) {
  log.fatal('cannot connect to Kafka; check KAFKA_BROKERS', { error, brokers: config.brokers });
  await shutdown(log, 'kafka connect failed', 1);
}
onShutdown('kafka producer', () => producer.disconnect());
onShutdown('kafka batches', () => batcher.flush());

const mqttClient = connect(config.mqttUrl, mqttOptions);
client = mqttClient;
onShutdown('mqtt client', () => mqttClient.endAsync());
mqttClient.on('message', onMessage);
mqttClient.on('error', (error) => log.error('mqtt error', { error }));
mqttClient.on('offline', () => log.warn('mqtt offline; reconnecting'));
mqttClient.on('connect', (connack) => {
  const filters = router.filters().map((f) => (config.sharedGroup ? `$share/${config.sharedGroup}/${f}` : f));
  log.info('mqtt connected', { sessionPresent: connack.sessionPresent, filters });
  mqttClient.subscribe(filters, { qos: 1 }, (error) => {
    if (error) log.error('mqtt subscribe failed', { error });
  });
});
log.info('ingest gateway started', {
  events: Object.keys(counters),
  deadLetterTopic: dlqTopic,
  healthPort: config.healthPort,
});
