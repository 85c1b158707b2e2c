// The feed in PostgreSQL: one schema (default `gtfs`) with a typed table per GTFS file, created when missing.
// A load deletes the schema's rows and inserts the new feed in one transaction, so readers see the old feed
// or the new one, never a mix, and a failed load leaves the old one. Rows go in by COPY FROM STDIN, a batch
// of rows per statement.
import type { ClientBase } from 'pg';
import { copyIn, copyText } from './copy-in.ts';
import { pgType, type FieldValue } from './field-types.ts';
import { GTFS_FILES, type FileSpec } from './gtfs-files.ts';
import type { FeedSink, TableWriter } from './read-feed.ts';

export const PUBLISHED_TRIPS = 'published_trips';

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

export function createTableSql(schema: string, spec: FileSpec): string {
  const columns = spec.fields.map((field) => {
    const notNull = field.required || spec.primaryKey.includes(field.name);
    return `${quote(field.name)} ${pgType(field.type)}${notNull ? ' NOT NULL' : ''}`;
  });
  if (spec.primaryKey.length > 0) columns.push(`PRIMARY KEY (${spec.primaryKey.map(quote).join(', ')})`);
  return `CREATE TABLE IF NOT EXISTS ${quote(schema)}.${quote(spec.table)} (\n  ${columns.join(',\n  ')}\n)`;
}

/** The statements that make the schema: the GTFS tables, a few lookup indexes, and the trips last published to Kafka. */
export function schemaSql(schema: string): string[] {
  const s = quote(schema);
  return [
    `CREATE SCHEMA IF NOT EXISTS ${s}`,
    ...GTFS_FILES.map((spec) => createTableSql(schema, spec)),
    `CREATE INDEX IF NOT EXISTS stop_times_stop_id ON ${s}.stop_times (stop_id)`,
    `CREATE INDEX IF NOT EXISTS trips_route_id ON ${s}.trips (route_id)`,
    `CREATE TABLE IF NOT EXISTS ${s}.${PUBLISHED_TRIPS} (topic text NOT NULL, trip_id text NOT NULL, PRIMARY KEY (topic, trip_id))`,
  ];
}

/**
 * Runs `load` inside one transaction that holds the schema's load lock, has created the schema if needed and
 * has emptied the GTFS tables; commits when `load` returns, rolls back when it throws.
 */
export async function replaceFeed<T>(client: ClientBase, schema: string, load: (sink: FeedSink) => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    // Two loads into one schema at once would interleave their deletes and inserts; the second waits.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`gtfs:load:${schema}`]);
    for (const statement of schemaSql(schema)) await client.query(statement);
    // DELETE rather than TRUNCATE: readers keep seeing the previous feed until the commit instead of waiting.
    for (const spec of [...GTFS_FILES].reverse()) await client.query(`DELETE FROM ${quote(schema)}.${quote(spec.table)}`);
    const result = await load(pgSink(client, schema));
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Rows per COPY: a few megabytes of text, so memory stays flat however big the file. */
const BATCH_ROWS = 20_000;

function pgSink(client: ClientBase, schema: string): FeedSink {
  return {
    table(spec) {
      return new BatchCopier(client, schema, spec);
    },
  };
}

class BatchCopier implements TableWriter {
  private lines: string[] = [];
  private readonly target: string;
  private readonly client: ClientBase;

  constructor(client: ClientBase, schema: string, spec: FileSpec) {
    this.client = client;
    this.target = `${quote(schema)}.${quote(spec.table)} (${spec.fields.map((field) => quote(field.name)).join(', ')})`;
  }

  add(values: FieldValue[]): Promise<void> | undefined {
    this.lines.push(values.map(copyText).join('\t'));
    return this.lines.length >= BATCH_ROWS ? this.flush() : undefined;
  }

  async finish(): Promise<void> {
    await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.lines.length === 0) return;
    const rows = `${this.lines.join('\n')}\n`;
    this.lines = [];
    await copyIn(this.client, this.target, rows);
  }
}

export async function publishedTrips(client: ClientBase, schema: string, topic: string): Promise<Set<string>> {
  const result = await client.query<{ trip_id: string }>(`SELECT trip_id FROM ${quote(schema)}.${PUBLISHED_TRIPS} WHERE topic = $1`, [topic]);
  return new Set(result.rows.map((r) => r.trip_id));
}

/** Records which trips the topic now holds, once Kafka has acknowledged them (the next load's tombstones). */
export async function recordPublished(client: ClientBase, schema: string, topic: string, tripIds: string[]): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(`DELETE FROM ${quote(schema)}.${PUBLISHED_TRIPS} WHERE topic = $1`, [topic]);
    for (let i = 0; i < tripIds.length; i += 50_000) {
      await client.query(`INSERT INTO ${quote(schema)}.${PUBLISHED_TRIPS} (topic, trip_id) SELECT $1, unnest($2::text[])`, [topic, tripIds.slice(i, i + 50_000)]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
