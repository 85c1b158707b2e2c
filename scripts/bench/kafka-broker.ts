// A lone Kafka broker for bench:kafka-clients, started as the native stack starts it (stack/native/kafka.ts: the
// Maven Central jars of the shared cache, KRaft, 512 MiB heap at most) in a temporary folder on free ports. Unlike
// test/helpers/kafka.ts it hands back the broker's pid, whose CPU the benchmark reads per run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { Manifest } from '../../manifest/schema.ts';
import { kafkaClusterId } from '../../renderer/component-catalog.ts';
import { cacheDir, type NativeContext } from '../../stack/native/context.ts';
import { kafka } from '../../stack/native/kafka.ts';
import { stopProcess } from '../../stack/native/processes.ts';
import { waitFor } from '../../stack/wait.ts';
import { freePort } from '../../test/helpers/postgres.ts';

export interface Broker {
  brokers: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startBroker(): Promise<Broker> {
  const dir = mkdtempSync(join(tmpdir(), 'iotp-bench-kafka-'));
  const ctx: NativeContext = {
    projectDir: dir,
    manifest: { topics: [] } as unknown as Manifest,
    secrets: { KAFKA_CLUSTER_ID: kafkaClusterId() },
    stateDir: dir,
    cacheDir: cacheDir(),
    ports: { kafka: await freePort(), kafkaController: await freePort() },
  };
  await kafka.install!(ctx);
  const [pid] = await kafka.start(ctx);
  const stop = async () => {
    await stopProcess(pid!, 10_000);
    rmSync(dir, { recursive: true, force: true });
  };
  const brokers = `127.0.0.1:${ctx.ports.kafka}`;
  try {
    await kafka.ready(ctx);
    const admin = new Kafka({ clientId: 'bench-ready', brokers: [brokers], logLevel: logLevel.NOTHING }).admin();
    await waitFor('the Kafka broker to answer metadata requests', async () => {
      try {
        await admin.connect();
        await admin.describeCluster();
        return true;
      } catch {
        return false;
      }
    }, { timeoutMs: 90_000, intervalMs: 500 });
    await admin.disconnect();
  } catch (error) {
    await stop();
    throw error;
  }
  return { brokers, pid: pid!, stop };
}
