// Every blueprint's Flink SQL, as generated, parses and plans on real Flink through the platform's runner, each
// job on the project's shared table definitions (flink/tables/), with the arguments the native stack uses
// (DDL against an in-memory catalog, every INSERT planned; nothing connects).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blueprints } from '../renderer/catalog.ts';
import { renderToDir } from './helpers/render.ts';
import { validateProjectFlinkSql } from './helpers/flink.ts';
import { parameterEnv } from '../manifest/parameters.ts';

const CONNECTIONS = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  POSTGRES_JDBC_URL: 'jdbc:postgresql://127.0.0.1:5432/sensors',
  POSTGRES_FLINK_USER: 'flink_writer',
  POSTGRES_FLINK_PASSWORD: 'validation-only',
  S3_HISTORY_PATH: 's3://history',
};
/** The connections and the blueprint's parameters (iot-platform.yaml parameters:), as every stack passes them. */
const envOf = (blueprint: string) => ({ ...CONNECTIONS, ...parameterEnv({ blueprint, parameters: {} }) });

const sqlFiles = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.sql')).sort() : []);
/** Names of the tables and views a script defines (CREATE [TEMPORARY] TABLE|VIEW [IF NOT EXISTS] name). */
const defined = (sql: string) =>
  [...sql.replace(/--.*$/gm, '').matchAll(/CREATE\s+(?:TEMPORARY\s+)?(?:TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?`?(\w+)/gi)].map((m) => m[1]!);

const projects = [...blueprints().values()].flatMap((blueprint) => [
  [blueprint.name, 'all components', blueprint.components],
  [blueprint.name, 'no optional component', []],
] as const);

describe.each(projects)('%s Flink SQL with %s', (blueprint, _label, components) => {
  const dir = renderToDir({ blueprint, components: [...components] });
  const jobs = sqlFiles(join(dir, 'flink', 'sql'));
  const tables = sqlFiles(join(dir, 'flink', 'tables'));

  it.runIf(jobs.length > 0)('plans every job on the shared tables', () => {
    const result = validateProjectFlinkSql(dir, envOf(blueprint));
    expect(result.errors).toEqual([]);
    expect(result.code).toBe(0);
  });

  it.runIf(jobs.length > 0)('defines each table once, in flink/tables/ (one file per table, named after it)', () => {
    const names = tables.flatMap((file) => defined(readFileSync(join(dir, 'flink', 'tables', file), 'utf8')));
    expect(names.map((name) => `${name}.sql`)).toEqual(tables);
    for (const job of jobs) {
      const sql = readFileSync(join(dir, 'flink', 'sql', job), 'utf8');
      expect(sql, job).not.toMatch(/CREATE\s+(TEMPORARY\s+)?TABLE/i);
      for (const name of defined(sql)) expect(names, `${job} defines ${name} again`).not.toContain(name);
    }
  });
});

describe('shared tables of a generated project', () => {
  it('a table defined again in a job fails with one line naming both files', () => {
    const dir = renderToDir();
    const table = readFileSync(join(dir, 'flink/tables/enriched.sql'), 'utf8');
    const job = join(dir, 'flink/sql/30-summary.sql');
    writeFileSync(job, `${table}\n${readFileSync(job, 'utf8')}`);
    const result = validateProjectFlinkSql(dir, envOf('sensors'));
    expect(result.code).toBe(1);
    expect(result.errors).toEqual([
      `${job}:statement#1: enriched is already defined in ${join(dir, 'flink/tables/enriched.sql')}; define each table once, in the shared table files or in one job`,
    ]);
  }, 300_000);

  it('a project without a flink/tables folder runs its self-contained jobs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'iotp-no-tables-'));
    try {
      mkdirSync(join(dir, 'flink/sql'), { recursive: true });
      writeFileSync(
        join(dir, 'flink/sql/10-copy.sql'),
        `CREATE TEMPORARY TABLE readings (device_id STRING, t DOUBLE) WITH ('connector' = 'kafka', 'topic' = 'readings',
  'properties.bootstrap.servers' = '\${KAFKA_BROKERS}', 'properties.group.id' = 'copy', 'scan.startup.mode' = 'group-offsets', 'format' = 'json');
CREATE TEMPORARY TABLE copy (device_id STRING, t DOUBLE) WITH ('connector' = 'blackhole');
INSERT INTO copy SELECT device_id, t FROM readings;
`,
      );
      const result = validateProjectFlinkSql(dir, CONNECTIONS);
      expect(result.errors).toEqual([]);
      expect(result.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
