// Test helper: a blueprint's API app run against real engines: a throwaway PostgreSQL database with the blueprint's
// tables, read as api_reader, and a redis-server; the app listens on loopback and answers GETs sent with its key.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Redis } from 'ioredis';
import type { KitApp } from '../../runtime/api-kit/index.ts';
import { startPostgres, type PostgresCluster } from './postgres.ts';
import { startRedis } from './redis.ts';

export interface ApiEngines {
  /** A temporary folder of the test's own, removed by stop(). */
  work: string;
  postgres: PostgresCluster;
  database: string;
  /** Connections as api_reader, the role the API reads with. */
  pool: pg.Pool;
  redis: Redis;
  stop(): Promise<void>;
}

/** PostgreSQL with `database` made by the blueprint's init SQL, and a redis-server; seed them before serving. */
export async function startApiEngines(options: { database: string; initSqlFile: string; initSql: string }): Promise<ApiEngines> {
  const { database } = options;
  const work = mkdtempSync(join(tmpdir(), `iotp-${database}-api-`));
  let postgres: PostgresCluster | undefined;
  let redisServer: ChildProcess | undefined;
  let redis: Redis | undefined;
  let pool: pg.Pool | undefined;
  const stop = async () => {
    await pool?.end();
    redis?.disconnect();
    redisServer?.kill();
    postgres?.stop();
    rmSync(work, { recursive: true, force: true });
  };
  try {
    postgres = await startPostgres();
    postgres.createDatabase(database);
    // The base template's roles script (00-roles.sh) creates these on a stack; the blueprint's SQL grants to them.
    postgres.psql("CREATE ROLE flink_writer; CREATE ROLE dbt_runner; CREATE ROLE api_reader LOGIN PASSWORD 'reader'");
    const initSql = join(work, options.initSqlFile);
    writeFileSync(initSql, options.initSql);
    postgres.psqlFile(initSql, { database });
    pool = new pg.Pool({ host: postgres.host, port: postgres.port, user: 'api_reader', password: 'reader', database, max: 4 });
    ({ server: redisServer, client: redis } = await startRedis());
    return { work, postgres, database, pool, redis, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Runs `seed` with a superuser connection to the engines' database. */
export async function asSuperuser(engines: ApiEngines, seed: (admin: pg.Client) => Promise<void>): Promise<void> {
  const admin = new pg.Client({ host: engines.postgres.host, port: engines.postgres.port, user: 'postgres', database: engines.database });
  await admin.connect();
  try {
    await seed(admin);
  } finally {
    await admin.end();
  }
}

export interface ApiResponse {
  status: number;
  /** Parsed JSON when the response says it is JSON, else the text. */
  body: unknown;
}

export interface ServedApi {
  url: string;
  /** GET `path`, with the API key in x-api-key unless `withKey` is false. */
  get(path: string, withKey?: boolean): Promise<ApiResponse>;
  close(): Promise<void>;
}

/** Serves `app` on a free loopback port. */
export async function serveApi(app: KitApp, apiKey: string): Promise<ServedApi> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url,
    async get(path, withKey = true) {
      const response = await fetch(`${url}${path}`, { headers: withKey ? { 'x-api-key': apiKey } : {} });
      const type = response.headers.get('content-type') ?? '';
      return { status: response.status, body: type.includes('json') ? await response.json() : await response.text() };
    },
    close: () => app.close(),
  };
}
