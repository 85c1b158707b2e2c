// A single-node Kafka broker (KRaft) for tests, started from the same cached jars and configuration as the
// native stack (stack/native/kafka.ts), on free loopback ports, with its data in a temporary folder.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { kafka } from '../../stack/native/kafka.ts';
import type { NativeContext } from '../../stack/native/context.ts';
import { cacheDir } from '../../stack/native/context.ts';
import { stopProcess } from '../../stack/native/processes.ts';
import { tempDir } from './cli.ts';
import { freePort } from './postgres.ts';

export interface KafkaBroker {
  brokers: string;
  /** The broker's log file. */
  log: string;
  stop(): Promise<void>;
}

export async function startKafkaBroker(): Promise<KafkaBroker> {
  const stateDir = tempDir('iotp-kafka-');
  mkdirSync(join(stateDir, 'logs'), { recursive: true });
  const ctx = {
    cacheDir: cacheDir(),
    stateDir,
    secrets: { KAFKA_CLUSTER_ID: randomBytes(16).toString('base64url') },
    ports: { kafka: await freePort(), kafkaController: await freePort() },
  } as unknown as NativeContext;
  await kafka.install!(ctx);
  const pids = await kafka.start(ctx);
  const stop = async () => {
    for (const pid of pids) await stopProcess(pid, 10_000);
    rmSync(stateDir, { recursive: true, force: true });
  };
  try {
    await kafka.ready(ctx);
  } catch (error) {
    await stop();
    throw error;
  }
  return { brokers: `127.0.0.1:${ctx.ports.kafka}`, log: join(stateDir, 'logs', 'kafka.log'), stop };
}
