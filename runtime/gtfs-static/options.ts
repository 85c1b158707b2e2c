// The command line of iot-gtfs-load (`npm run gtfs:load -- <feed>` in a project). Usage mistakes are thrown
// as UsageError with a line that says what to type instead.
import { parseArgs } from 'node:util';
import { TRIPS_TOPIC } from './trips-topic.ts';

export const USAGE = `Usage: iot-gtfs-load <feed.zip|folder> [options]      (in a project: npm run gtfs:load -- <feed.zip|folder> [options])

Loads a static GTFS feed (agency, stops, routes, trips, stop_times, shapes, calendar, calendar_dates,
frequencies, feed_info) into PostgreSQL and publishes one record per trip to Kafka.

The whole feed is checked first: required files and columns, value types (times H:MM:SS, also past
24:00:00; dates YYYYMMDD; coordinates; enumerations; agency_timezone), unique ids and references between
files. The first problem is reported as one line with the file, row and field, and nothing is written.

PostgreSQL: the tables of schema "gtfs" (created when missing) are replaced by the feed in one transaction;
times are stored as seconds since noon minus 12 h, dates as dates. Loading the same feed again changes nothing.
Kafka: topic ${TRIPS_TOPIC} (compacted, created when missing) gets one record per trip, key = trip_id,
and a tombstone for every trip of the previous load that the feed no longer has.

Options:
  --schema <name>       PostgreSQL schema of the feed (default gtfs)
  --topic <name>        Kafka topic of the trip records (default ${TRIPS_TOPIC})
  --partitions <n>      partitions when the topic is created (default 1)
  --no-kafka            load PostgreSQL only
  --check               check the feed and report its row counts; write nothing
  -h, --help            this text

PostgreSQL: DATABASE_URL, or PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, or the project's POSTGRES_HOST,
POSTGRES_PORT, POSTGRES_DB and POSTGRES_PASSWORD (user postgres). Kafka: KAFKA_BROKERS (or KAFKA_BOOTSTRAP_SERVERS;
default localhost:9092). Variables not set in the environment are read from .stack/addresses.env and .env of the
current directory, as the stack writes them. Exit 1 on any error.
`;

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface LoadOptions {
  feed: string;
  schema: string;
  topic: string;
  partitions: number;
  kafka: boolean;
  check: boolean;
}

export type ParsedCommand = { help: true } | ({ help: false } & LoadOptions);

const FLAGS = {
  schema: { type: 'string' },
  topic: { type: 'string' },
  partitions: { type: 'string' },
  'no-kafka': { type: 'boolean' },
  check: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseLoadArgs(argv: string[]): ParsedCommand {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: FLAGS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split(/\.(\s|$)/)[0]}; see iot-gtfs-load --help`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true };
  if (positionals.length === 0) throw new UsageError('which feed? iot-gtfs-load <feed.zip|folder> (see --help)');
  if (positionals.length > 1) throw new UsageError(`one feed at a time, got ${positionals.length}: ${positionals.join(' ')}`);
  const schema = values.schema ?? 'gtfs';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new UsageError(`--schema ${JSON.stringify(schema)} is not a plain schema name; use lower-case letters, digits and _`);
  const topic = values.topic ?? TRIPS_TOPIC;
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(topic)) throw new UsageError(`--topic ${JSON.stringify(topic)} is not a Kafka topic name; use letters, digits, . _ and -`);
  const partitions = values.partitions === undefined ? 1 : Number(values.partitions);
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 1024) throw new UsageError(`--partitions ${JSON.stringify(values.partitions)} must be a whole number from 1 to 1024`);
  return { help: false, feed: positionals[0]!, schema, topic, partitions, kafka: !values['no-kafka'], check: values.check ?? false };
}
