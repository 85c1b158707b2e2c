// Redis sink: materialises upsert-kafka topics (JSON values, null = delete) into Redis hashes, keyed by
// the manifest's sinks.redis[].key templates. Per batch only the final value per key is written, by one script
// call doing DEL; HSET; EXPIRE per key (so removed fields disappear), and offsets are committed only after Redis
// acknowledged. Health on HEALTH_PORT: /healthz /readyz /metrics. A member the group evicted (paused longer than
// KAFKA_SESSION_TIMEOUT_MS: a long GC, a frozen VM) finds its next commit refused, which kafkajs does not restart
// from: the sink then joins the group again and goes on from the last committed offsets.
import { Redis } from 'ioredis';
import * as env from '../service-kit/env.ts';
import { createLogger } from '../service-kit/log.ts';
import { loadManifestOrExit } from '../service-kit/manifest.ts';
import { installShutdownHandlers, onShutdown, shutdown } from '../service-kit/shutdown.ts';
import { startHealthServer } from '../service-kit/health-server.ts';
import { createKafka } from '../service-kit/kafka.ts';
import { defineApplyOperations } from './apply-script.ts';
import { reduceBatch, sinkRoute, type SinkRoute } from './materialize.ts';

const log = createLogger('redis-sink');
installShutdownHandlers(log);

const config = env.readConfig(() => ({
  brokers: env.list('KAFKA_BROKERS'),
  groupId: env.str('REDIS_SINK_GROUP', 'redis-sink'),
  redisHost: env.str('REDIS_HOST'),
  redisPort: env.int('REDIS_PORT', 6379),
  redisUsername: env.optional('REDIS_USERNAME'),
  redisPassword: env.optional('REDIS_PASSWORD'),
  healthPort: env.int('HEALTH_PORT', 8082),
  concurrency: env.int('REDIS_SINK_CONCURRENCY', 3),
  sessionTimeoutMs: env.int('KAFKA_SESSION_TIMEOUT_MS', 30_000),
}));

const manifest = loadManifestOrExit(log);
const routes = new Map<string, SinkRoute>(manifest.sinks.redis.map((s) => [s.topic, sinkRoute(s)]));
if (routes.size === 0) log.warn('the manifest declares no sinks.redis; nothing to do');

const counters = { messages: 0, keysWritten: 0, keysDeleted: 0, skipped: 0, batches: 0, failures: 0 };
let consumerRunning = false;

const redis = new Redis({
  host: config.redisHost,
  port: config.redisPort,
  ...(config.redisUsername ? { username: config.redisUsername } : {}),
  ...(config.redisPassword ? { password: config.redisPassword } : {}),
  lazyConnect: true,
  maxRetriesPerRequest: 3,
});
redis.on('error', (error) => log.warn('redis error', { error: error.message }));

const kafka = createKafka('redis-sink', config.brokers, log);
const consumer = kafka.consumer({ groupId: config.groupId, allowAutoTopicCreation: false, sessionTimeout: config.sessionTimeoutMs });
let stopping = false;
consumer.on(consumer.events.CRASH, ({ payload }) => {
  consumerRunning = false;
  log.error('consumer crashed', { error: payload.error, restart: payload.restart });
  if (!payload.restart && !stopping) {
    setTimeout(() => {
      log.info('joining the group again');
      consume().catch((error) => {
        log.fatal('cannot join the group again', { error });
        void shutdown(log, 'consumer lost', 1);
      });
    }, 1000);
  }
});
// a fetch also marks it running: readiness follows what the consumer does, whatever order kafkajs emits its events in
for (const event of [consumer.events.GROUP_JOIN, consumer.events.FETCH_START]) {
  consumer.on(event, () => {
    consumerRunning = true;
  });
}

const apply = defineApplyOperations(redis);

const health = await startHealthServer({
  port: config.healthPort,
  ready: () => consumerRunning && redis.status === 'ready',
  metrics: () => ({ ...counters, topics: [...routes.keys()], redis: redis.status }),
});
onShutdown('health server', () => new Promise((resolve) => health.close(resolve)));

async function consume(): Promise<void> {
  await consumer.connect();
  if (routes.size === 0) return;
  await consumer.subscribe({ topics: [...routes.keys()], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: config.concurrency,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
      if (batch.messages.length === 0 || !isRunning() || isStale()) return;
      const route = routes.get(batch.topic);
      if (!route) return;
      const { operations, skipped } = reduceBatch(route, batch.messages);
      try {
        await apply(operations);
      } catch (error) {
        counters.failures += 1;
        log.error('redis write failed; the batch will be retried', { error, topic: batch.topic, partition: batch.partition });
        throw error; // kafkajs retries the batch from the last committed offset
      }
      const last = batch.messages[batch.messages.length - 1]!.offset;
      resolveOffset(last);
      await consumer.commitOffsets([
        { topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() },
      ]);
      await heartbeat();
      counters.batches += 1;
      counters.messages += batch.messages.length;
      counters.skipped += skipped;
      if (skipped > 0) log.warn('records without the fields of the key template were skipped', { topic: batch.topic, skipped });
      for (const op of operations) {
        if (op.op === 'set') counters.keysWritten += 1;
        else counters.keysDeleted += 1;
      }
    },
  });
}

try {
  await redis.connect();
  await consume();
} catch (error) {
  log.fatal('cannot connect; check REDIS_HOST/REDIS_PORT/REDIS_PASSWORD and KAFKA_BROKERS', { error });
  await shutdown(log, 'connect failed', 1);
}
onShutdown('redis', () => redis.quit());
onShutdown('kafka consumer', () => {
  stopping = true;
  return consumer.disconnect();
});
consumerRunning = true;
log.info('redis sink started', { topics: [...routes.keys()], groupId: config.groupId, healthPort: config.healthPort });
