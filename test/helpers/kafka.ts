// Test helper: a throwaway single-node Kafka (KRaft) in a temporary folder on free ports, started the way the
// native stack starts it (stack/native/kafka.ts: the Maven Central jars of the shared cache), stopped by its pid.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { Manifest } from '../../manifest/schema.ts';
import { kafkaClusterId } from '../../renderer/component-catalog.ts';
import { cacheDir, type NativeContext } from '../../stack/native/context.ts';
import { kafka as kafkaComponent } from '../../stack/native/kafka.ts';
import { stopProcess } from '../../stack/native/processes.ts';
import { fixKafkajsIdleTimer } from '../../runtime/service-kit/kafkajs-idle-timer.ts';
import { freePort } from './postgres.ts';
import { waitFor } from './wait-for.ts';

export interface KafkaBroker {
  brokers: string;
  /** The broker's process (bench:kafka-clients reads its CPU per run). */
  pid: number;
  stop(): Promise<void>;
}

export async function startKafka(): Promise<KafkaBroker> {
  fixKafkajsIdleTimer();
  const baseDir = mkdtempSync(join(tmpdir(), 'iotp-kafka-'));
  const ctx: NativeContext = {
    projectDir: baseDir,
    manifest: { topics: [] } as unknown as Manifest,
    secrets: { KAFKA_CLUSTER_ID: kafkaClusterId() },
    stateDir: baseDir,
    cacheDir: cacheDir(),
    ports: { kafka: await freePort(), kafkaController: await freePort() },
  };
  process.env.KAFKA_HEAP ??= '384m'; // two cores and several suites share the machine
  await kafkaComponent.install!(ctx);
  const pids = await kafkaComponent.start(ctx);
  const stop = async () => {
    for (const pid of pids) await stopProcess(pid, 10_000);
    rmSync(baseDir, { recursive: true, force: true });
  };
  const brokers = `127.0.0.1:${ctx.ports.kafka}`;
  try {
    await kafkaComponent.ready(ctx);
    const admin = new Kafka({ clientId: 'test-kafka-ready', brokers: [brokers], logLevel: logLevel.NOTHING }).admin();
    await waitFor('the Kafka broker to answer metadata requests', 90_000, async () => {
      try {
        await admin.connect();
        await admin.describeCluster();
        return true;
      } catch {
        return false;
      }
    }, 500);
    await admin.disconnect();
  } catch (error) {
    await stop();
    throw error;
  }
  return { brokers, pid: pids[0]!, stop };
}
