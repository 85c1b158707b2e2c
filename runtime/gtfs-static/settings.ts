// Where the loader writes: PostgreSQL from DATABASE_URL, else PG* (libpq's names), else the project's
// POSTGRES_* (.stack/addresses.env and .env: the stack's address and the superuser's password, since the
// loader creates its schema); Kafka from KAFKA_BROKERS (the platform services' name) or KAFKA_BOOTSTRAP_SERVERS.
// The process environment wins over the files, as in iot-replay.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClientConfig } from 'pg';
import { parse } from 'yaml';
import { projectEnv } from '../service-kit/project-env.ts';

type Env = Record<string, string | undefined>;

export interface LoaderSettings {
  postgres: ClientConfig;
  /** How the database is named in messages (never with the password). */
  postgresLabel: string;
  brokers: string[];
}

export class SettingsError extends Error {}

export function loaderSettings(cwd: string, processEnv: Env): LoaderSettings {
  const env = projectEnv(cwd, processEnv);
  const value = (...names: string[]) => names.map((name) => env[name]?.trim()).find((v) => v);
  const brokers = (value('KAFKA_BROKERS', 'KAFKA_BOOTSTRAP_SERVERS') ?? 'localhost:9092').split(',').map((b) => b.trim()).filter(Boolean);
  const url = value('DATABASE_URL');
  if (url) {
    let label: string;
    try {
      const parsed = new URL(url);
      label = `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
    } catch {
      throw new SettingsError('DATABASE_URL is not a URL; write postgres://user:password@host:5432/database');
    }
    return { postgres: { connectionString: url }, postgresLabel: label, brokers };
  }
  const host = value('PGHOST', 'POSTGRES_HOST') ?? 'localhost';
  const portText = value('PGPORT', 'POSTGRES_PORT') ?? '5432';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new SettingsError(`PostgreSQL port ${JSON.stringify(portText)} is not a port number; set PGPORT`);
  const database = value('PGDATABASE', 'POSTGRES_DB') ?? projectDatabase(cwd);
  if (!database) throw new SettingsError('which database? set DATABASE_URL or PGDATABASE, or run from the root of a generated project');
  const user = value('PGUSER', 'POSTGRES_USER') ?? 'postgres';
  const password = value('PGPASSWORD', 'POSTGRES_PASSWORD');
  return {
    postgres: { host, port, database, user, ...(password ? { password } : {}) },
    postgresLabel: `${host}:${port}/${database}`,
    brokers,
  };
}

/** The stacks name a project's database after the project (dashes become underscores). */
function projectDatabase(cwd: string): string | undefined {
  const file = join(cwd, 'iot-platform.yaml');
  if (!existsSync(file)) return undefined;
  const name = (parse(readFileSync(file, 'utf8')) as { project?: { name?: unknown } } | null)?.project?.name;
  return typeof name === 'string' ? name.replaceAll('-', '_') : undefined;
}
