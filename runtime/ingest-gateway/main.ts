// Ingest gateway: every source kind the manifest's events use (MQTT, HTTP push, HTTP poll) → decode by the
// event's format → validate against its fields → Kafka (JSON value, key = the event's key fields joined with
// "|"). Invalid payloads and records go to the dead-letter topic with the reason and the raw payload.
// GTFS-RT events keep their de-duplication state in a compacted topic (state-topic.ts), restored before polling.
// Health on HEALTH_PORT: /healthz /readyz /metrics.
import { Partitioners } from 'kafkajs';
import * as env from '../service-kit/env.ts';
import { createLogger } from '../service-kit/log.ts';
import { deadLetterTopic, loadManifestOrExit } from '../service-kit/manifest.ts';
import { installShutdownHandlers, onShutdown, shutdown } from '../service-kit/shutdown.ts';
import { startHealthServer } from '../service-kit/health-server.ts';
import { createKafka } from '../service-kit/kafka.ts';
import { Ingest } from './ingest.ts';
import { KafkaBatcher } from './kafka-batcher.ts';
import { eventsByKind, SOURCES, type RunningSource } from './sources/index.ts';
import { ensureStateTopic, readStateTopic, stateTopicName } from './state-topic.ts';

const log = createLogger('ingest-gateway');
installShutdownHandlers(log);

const config = env.readConfig(() => ({
  brokers: env.list('KAFKA_BROKERS'),
  healthPort: env.int('HEALTH_PORT', 8081),
  maxBatch: env.int('KAFKA_BATCH_SIZE', 2000),
  // 20 ms: in bench:sensors at 5,000 msg/s, half as many batches as at 5 ms (54 records each instead of 27) cut the
  // broker's CPU from 36 % to 28 % of a core and the gateway's from 22 % to 19 %, and the gateway alone reached 43,000
  // msg/s instead of 38,800
  lingerMs: env.int('KAFKA_LINGER_MS', 20),
  highWater: env.int('GATEWAY_MAX_QUEUED', 100_000),
  stateIntervalMs: env.int('GATEWAY_STATE_INTERVAL_MS', 1000),
}));

const manifest = loadManifestOrExit(log);

const kafka = createKafka('ingest-gateway', config.brokers, log);
// Java-compatible murmur2 partitioning: the same key lands on the same partition as with Flink's clients.
const producer = kafka.producer({
  idempotent: true,
  maxInFlightRequests: 1,
  allowAutoTopicCreation: false,
  createPartitioner: Partitioners.DefaultPartitioner,
});
let producerConnected = false;
const sources: (RunningSource & { kind: string })[] = [];

const batcher = new KafkaBatcher(
  { sendBatch: (batch) => producer.sendBatch({ ...batch, acks: -1 }) },
  {
    maxBatch: config.maxBatch,
    lingerMs: config.lingerMs,
    highWater: config.highWater,
    onSent: (label, count) => ingest.onSent(label, count),
    onError: (error, records) => log.error('kafka send failed; retrying', { error, records }),
    onPressure: (paused) => {
      for (const source of sources) (paused ? source.pause : source.resume)();
      log.warn(paused ? 'kafka is behind; pausing input' : 'resuming input', { queued: batcher.pending });
    },
  },
);
const keepsState = Object.values(manifest.events).some((event) => event.format.startsWith('gtfs-rt'));
const stateTopic = keepsState ? stateTopicName(deadLetterTopic(manifest), process.env) : undefined;
const ingest = new Ingest(manifest.events, deadLetterTopic(manifest), (record) => batcher.enqueue(record), stateTopic, config.stateIntervalMs);

const health = await startHealthServer({
  port: config.healthPort,
  ready: () => producerConnected && sources.length > 0 && sources.every((s) => s.ready()),
  metrics: () => ({
    ...ingest.metrics(),
    queued: batcher.pending,
    kafka: { ...batcher.sent, ackMsTotal: Math.round(batcher.sent.ackMsTotal), ackMsMax: Math.round(batcher.sent.ackMsMax) },
    sources: Object.fromEntries(sources.flatMap((s) => (s.metrics ? [[s.kind, s.metrics()]] : []))),
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

if (stateTopic) {
  try {
    await ensureStateTopic(kafka, stateTopic);
    const state = await readStateTopic(kafka, stateTopic);
    ingest.restoreState(state);
    log.info('gateway state restored', { stateTopic, entries: state.size });
    onShutdown('gateway state', () => ingest.flushState()); // after the sources stopped, before the last batches
  } catch (error) {
    log.fatal(`cannot read the gateway state topic ${stateTopic}: ${(error as Error).message}; check that the gateway may create and read it, or set GATEWAY_STATE_TOPIC`);
    await shutdown(log, 'state restore failed', 1);
  }
}

for (const [kind, events] of eventsByKind(manifest.events)) {
  try {
    const source = await SOURCES[kind](events, { ingest, log, env: process.env, flushed: () => batcher.flush() });
    sources.push(Object.assign(source, { kind }));
    onShutdown(`${kind} source`, () => source.stop());
  } catch (error) {
    log.fatal(`cannot start the ${kind} source: ${(error as Error).message}`);
    await shutdown(log, `${kind} source failed`, 1);
  }
}
log.info('ingest gateway started', {
  sources: [...eventsByKind(manifest.events).keys()],
  events: Object.keys(manifest.events),
  deadLetterTopic: deadLetterTopic(manifest),
  ...(stateTopic ? { stateTopic } : {}),
  healthPort: config.healthPort,
});
