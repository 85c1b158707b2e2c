// iot-gtfs-load from the command line to the exit code: check and load the feed into PostgreSQL in one
// transaction, then publish the trip records. Every failure is one line on stderr, "gtfs:load: error: …",
// and exit code 1; a broken feed writes nothing to PostgreSQL or Kafka.
import { Kafka, logLevel, type Admin } from 'kafkajs';
import pg from 'pg';
import { fixKafkajsIdleTimer } from '../service-kit/kafkajs-idle-timer.ts';
import { FeedError } from './feed-error.ts';
import { openFeed } from './feed-source.ts';
import { parseLoadArgs, UsageError, USAGE } from './options.ts';
import { publishedTrips, recordPublished, replaceFeed } from './pg-store.ts';
import { readFeed } from './read-feed.ts';
import { loaderSettings, SettingsError, type LoaderSettings } from './settings.ts';
import { tripRecords } from './trip-records.ts';
import { ensureTripsTopic, publishTrips } from './trips-topic.ts';

export interface LoadIo {
  cwd: string;
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

class LoadFailure extends Error {}

export async function runGtfsLoad(argv: string[], io: LoadIo): Promise<number> {
  try {
    const command = parseLoadArgs(argv);
    if (command.help) {
      io.stdout(USAGE);
      return 0;
    }
    const started = Date.now();
    const source = await openFeed(command.feed);
    if (command.check) {
      const { counts } = await readFeed(source);
      io.stdout(`gtfs:load: ${command.feed} is a valid feed: ${countsText(counts)}; nothing was written\n`);
      return 0;
    }
    const settings = loaderSettings(io.cwd, io.env);
    const kafka = command.kafka ? await reachableKafka(settings) : undefined;
    const client = new pg.Client(settings.postgres);
    try {
      await client.connect();
    } catch (error) {
      throw new LoadFailure(`PostgreSQL at ${settings.postgresLabel}: ${(error as Error).message}; start the stack (npm run stack -- up) or set DATABASE_URL / PG* variables`);
    }
    try {
      const { model, counts } = await postgresStep(settings, () => replaceFeed(client, command.schema, (sink) => readFeed(source, sink)));
      let published = '';
      if (kafka) {
        const before = await postgresStep(settings, () => publishedTrips(client, command.schema, command.topic));
        const gone = [...before].filter((id) => !model.trips.has(id)).sort();
        await kafkaStep(settings, () => withAdmin(kafka, (admin) => ensureTripsTopic(admin, command.topic, command.partitions)));
        const counts = await kafkaStep(settings, () => publishTrips(kafka, command.topic, tripRecords(model), gone));
        await postgresStep(settings, () => recordPublished(client, command.schema, command.topic, model.tripIds));
        published = `; published ${counts.records} trips and ${counts.tombstones} tombstones to ${command.topic}`;
      }
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      io.stdout(`gtfs:load: loaded ${command.feed} into ${settings.postgresLabel} schema ${command.schema}: ${countsText(counts)}${published} (${seconds} s)\n`);
      return 0;
    } finally {
      await client.end().catch(() => undefined);
    }
  } catch (error) {
    if (error instanceof FeedError || error instanceof UsageError || error instanceof SettingsError || error instanceof LoadFailure) {
      io.stderr(`gtfs:load: error: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

function countsText(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([file, n]) => `${n} ${file.replace(/\.txt$/, '')}`)
    .join(', ');
}

/**
 * A Kafka client whose brokers answered: an unreachable Kafka fails the load before PostgreSQL changes. The topic
 * is created only after the feed is in PostgreSQL, so a broken feed leaves Kafka untouched.
 */
async function reachableKafka(settings: LoaderSettings): Promise<Kafka> {
  fixKafkajsIdleTimer();
  const kafka = new Kafka({
    clientId: 'iot-gtfs-load',
    brokers: settings.brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 5_000,
    retry: { retries: 3 },
  });
  await kafkaStep(settings, () => withAdmin(kafka, (admin) => admin.describeCluster()));
  return kafka;
}

async function withAdmin<T>(kafka: Kafka, use: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

async function kafkaStep<T>(settings: LoaderSettings, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw new LoadFailure(`Kafka at ${settings.brokers.join(',')}: ${(error as Error).message}; start the stack (npm run stack -- up) or set KAFKA_BROKERS`);
  }
}

async function postgresStep<T>(settings: LoaderSettings, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof FeedError) throw error;
    throw new LoadFailure(`PostgreSQL at ${settings.postgresLabel}: ${(error as Error).message}; nothing of this load was kept, fix the cause and load again`);
  }
}
