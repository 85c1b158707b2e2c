// The Flink SQL runner as the TypeScript suite uses it: built by scripts/ensure-flink-runner.sh, then
// `--validate` on real Flink (no broker, no database).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { flinkRunnerCommand, runFlinkSql, validateFlinkSql } from './helpers/flink.ts';
import { startPostgres } from './helpers/postgres.ts';
import { FLINK_S3_PLUGIN_VERSION, FLINK_VERSION, IMAGES, NATIVE_ENGINES } from '../renderer/versions.ts';

const RUNNER = fileURLToPath(new URL('../runtime/flink-sql-runner', import.meta.url));
const ENSURE = fileURLToPath(new URL('../scripts/ensure-flink-runner.sh', import.meta.url));

const SOURCE = `CREATE TABLE readings (device_id STRING, temperature DOUBLE) WITH (
  'connector' = 'kafka', 'topic' = 'readings', 'format' = 'json',
  'properties.bootstrap.servers' = '\${KAFKA_BOOTSTRAP}', 'scan.startup.mode' = 'earliest-offset');
`;
const SINK = `CREATE TABLE latest (device_id STRING, temperature DOUBLE, PRIMARY KEY (device_id) NOT ENFORCED) WITH (
  'connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:5432/iot', 'table-name' = 'latest');
`;

describe('flink-sql-runner', () => {
  const dir = mkdtempSync(join(tmpdir(), 'iotp-flink-'));
  const write = (name: string, sql: string) => {
    const file = join(dir, name);
    writeFileSync(file, sql);
    return file;
  };
  const env = { KAFKA_BOOTSTRAP: '127.0.0.1:9092' };

  beforeAll(() => {
    flinkRunnerCommand(); // builds on first use (Maven), a no-op afterwards
  }, 900_000);

  it('is a no-op rebuild when the jar was built from the same sources', () => {
    const again = spawnSync('bash', [ENSURE], { encoding: 'utf8' });
    expect(again.status).toBe(0);
    expect(again.stderr).not.toContain('Building');
    expect(again.stdout.trim()).toBe(flinkRunnerCommand());
  });

  it('exits 0 when every statement plans (kafka source, jdbc upsert sink)', () => {
    const ok = write('ok.sql', `${SOURCE}${SINK}INSERT INTO latest SELECT device_id, MAX(temperature) FROM readings GROUP BY device_id;\n`);
    const result = validateFlinkSql([ok], env);
    expect(result.stderr).not.toMatch(/statement#/);
    expect(result.code).toBe(0);
  }, 120_000);

  it('exits 1 with one line naming the file, the statement and the Flink error', () => {
    const ok = write('ok2.sql', `${SOURCE}SELECT device_id FROM readings;\n`);
    const bad = write('bad.sql', `${SOURCE}${SINK}INSERT INTO latest SELECT device_id, humidity FROM readings;\n`);
    const result = validateFlinkSql([ok, bad], env);
    expect(result.code).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:statement#3: .*Column 'humidity' not found`));
  }, 120_000);

  it('exits 1 naming a missing environment variable and the file', () => {
    const file = write('env.sql', SOURCE);
    const result = validateFlinkSql([file], {});
    expect(result.code).toBe(1);
    expect(result.errors).toEqual([`${file}: missing environment variable KAFKA_BOOTSTRAP (set it, or write \${KAFKA_BOOTSTRAP:-default})`]);
  }, 120_000);

  it('exits 2 with usage when given nothing to validate', () => {
    const result = validateFlinkSql([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('usage: SqlRunner [--validate]');
  }, 120_000);

  it('passes its own Maven suite (splitter, env, --validate, a real MiniCluster job)', () => {
    const mvn = spawnSync('flock', [join(RUNNER, 'target/.ensure.lock'), 'mvn', '-q', '-B', '-Dstyle.color=never', 'test'], {
      cwd: RUNNER,
      encoding: 'utf8',
      timeout: 900_000,
    });
    expect(mvn.status, `${mvn.stdout}\n${mvn.stderr}`.slice(-4000)).toBe(0);
  }, 900_000);

  it('runs a job whose JDBC upsert sink writes to a real PostgreSQL, idempotently under replay', async () => {
    const pg = await startPostgres();
    try {
      pg.psql('CREATE TABLE latest (device_id text PRIMARY KEY, temperature double precision)');
      const job = write('jdbc-job.sql', `SET 'execution.runtime-mode' = 'batch';
CREATE TABLE latest (device_id STRING, temperature DOUBLE, PRIMARY KEY (device_id) NOT ENFORCED) WITH (
  'connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:\${PG_PORT}/postgres', 'table-name' = 'latest',
  'username' = 'postgres', 'password' = 'unused-trust-auth');
INSERT INTO latest SELECT device_id, MAX(t) FROM (VALUES ('a', 1.5), ('b', 2.0), ('a', 3.5)) AS r(device_id, t)
GROUP BY device_id;
`);
      for (let run = 0; run < 2; run++) {
        const result = runFlinkSql([job], { PG_PORT: String(pg.port), FLINK_PARALLELISM: '1' });
        expect(result.code, result.stderr).toBe(0);
      }
      expect(pg.psql('SELECT device_id, temperature FROM latest ORDER BY device_id')).toBe('a|3.5\nb|2');
    } finally {
      pg.stop();
    }
  }, 300_000);

  it('builds the image, the compose images, the pom and the Flink the native suite runs from one Flink version', () => {
    const pom = readFileSync(join(RUNNER, 'pom.xml'), 'utf8').match(/<flink\.version>([^<]+)</)?.[1];
    const docker = readFileSync(join(RUNNER, 'Dockerfile'), 'utf8').match(/^ARG FLINK_VERSION=(\S+)$/m)?.[1];
    expect(pom).toMatch(/^2\.2\.\d+$/);
    expect(docker).toBe(pom);
    expect(FLINK_VERSION).toBe(pom);
    expect(IMAGES.flink).toBe(`flink:${pom}-java17`);
    expect(NATIVE_ENGINES.flink.release).toBe(pom);
    // The S3 plugin the native MiniCluster loads for history is of the same minor (a plugin of another minor may
    // not fit the FileSystem API).
    expect(FLINK_S3_PLUGIN_VERSION.split('.').slice(0, 2)).toEqual(pom!.split('.').slice(0, 2));
    // The native stack and these tests run the runner on the classpath Maven resolved (a local MiniCluster).
    const jars = readFileSync(join(RUNNER, 'target/runner.classpath'), 'utf8').trim().split(':').map((p) => basename(p));
    for (const name of ['flink-core', 'flink-runtime', 'flink-streaming-java', 'flink-table-runtime']) {
      const versions = jars.flatMap((jar) => jar.match(new RegExp(`^${name}-(\\d[\\w.-]*)\\.jar$`))?.[1] ?? []);
      expect(versions, `${name} on the runner's classpath`).toEqual([pom]);
    }
  });
});
