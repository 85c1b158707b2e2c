// The sensors blueprint's SQL on real engines: the PostgreSQL init scripts of a rendered project (the base
// template's roles script, then the blueprint's tables) on a throwaway PostgreSQL cluster, the roles' privileges,
// and `dbt parse` + `dbt build` of the rendered dbt project against seeded readings with hand-computed expected
// marts. The Flink JDBC upsert itself is proven through Flink in the generated project's e2e
// (scenario-postgres.test.ts replays the scenario through restarted jobs); Flink SQL runs in the SQL runner's
// tests, and its files get static checks here.
// Tools: scripts/ensure-postgres.sh (apt) and scripts/ensure-dbt.sh (venv); the suite fails when they fail.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { declaredParameters, envName } from '../manifest/parameters.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderSensors, renderToDir } from './helpers/render.ts';
import { startPostgres, type PostgresCluster } from './helpers/postgres.ts';
import { ensureTool } from './helpers/ensure.ts';
import { loadManifest } from '../manifest/load.ts';
import { parameterEnv } from '../manifest/parameters.ts';
import { runDbt as stackDbt } from '../stack/native/dbt.ts';
import { ADDRESSES_FILE } from '../stack/native/driver.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DB = 'my_sensors';
const TIME_ZONE = 'Asia/Novosibirsk'; // UTC+7 all year: local days differ from UTC days

let pg: PostgresCluster;
let projectDir: string;
let env: Record<string, string>;
let initFiles: string[];

function parseEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (match) out[match[1]!] = match[2]!;
  }
  return out;
}

const ensureDbt = () => ensureTool('ensure-dbt.sh');

/** Applies postgres/init/* in name order, like the postgres image's docker-entrypoint-initdb.d does. */
function applyInitScripts(): string[] {
  const initDir = join(projectDir, 'postgres/init');
  const files = readdirSync(initDir).sort();
  const scriptEnv = {
    ...process.env,
    ...env,
    PATH: `${pg.binDir}:${process.env.PATH}`,
    POSTGRES_USER: pg.user,
    POSTGRES_DB: DB,
    PGHOST: pg.host,
    PGPORT: String(pg.port),
    PGUSER: pg.user,
    PGDATABASE: DB,
  };
  for (const file of files) {
    const path = join(initDir, file);
    if (file.endsWith('.sql')) pg.psqlFile(path, { database: DB });
    else if (file.endsWith('.sh')) execFileSync('bash', [path], { env: scriptEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  }
  return files;
}

// The columns the Flink sink of flink/tables/sensor_readings.sql writes (every one must exist in the table).
const SINK_COLUMNS = [
  'env', 'tenant', 'device_id', 'measured_at', 'seq', 'humidity', 'temperature', 'temperature_measured_at',
  'lat', 'lon', 'location_event_time', 'rssi', 'snr', 'battery', 'online', 'state_event_time',
  'humidity_ingested_at', 'temperature_ingested_at', 'location_ingested_at', 'state_ingested_at',
  'measurement_processing_ts_ms', 'enriched_processing_ts_ms',
];

/** The physical columns and the primary key of the Flink JDBC sink table, as the project defines it. */
function flinkSinkTable(): { columns: { name: string; type: string }[]; primaryKey: string[] } {
  const sql = readFileSync(join(projectDir, 'flink/tables/sensor_readings.sql'), 'utf8').replace(/--.*$/gm, '');
  const body = /CREATE TEMPORARY TABLE sensor_readings \(([\s\S]*?)\) WITH \(/.exec(sql)?.[1];
  if (!body) throw new Error('flink/tables/sensor_readings.sql: no CREATE TEMPORARY TABLE sensor_readings (…) WITH (…)');
  const primaryKey = /PRIMARY KEY \(([^)]*)\) NOT ENFORCED/.exec(body)?.[1]?.split(',').map((c) => c.trim()) ?? [];
  const columns = [...body.matchAll(/^\s*([a-z_]+)\s+([A-Z]+(?:\(\d+\))?),?\s*$/gm)].map((m) => ({ name: m[1]!, type: m[2]! }));
  return { columns, primaryKey };
}

/** Seed rows for dbt, inserted as flink_writer (the role the sink writes as). */
function insertReadings(rows: Array<{ device: string; at: string; humidity: number; temperature: number; seq: number }>): string {
  const literal = (v: unknown) => (v === null ? 'NULL' : typeof v === 'string' ? `'${v}'` : String(v));
  const values = rows.map((r) => {
    const ms = Date.parse(r.at);
    const row = [
      'prod', 'tenant-1', r.device, r.at, r.seq, r.humidity, r.temperature, r.at,
      54.8433, 83.0931, r.at, -70, 5.5, 99.5, true, r.at,
      ms + 10, ms + 11, ms + 12, ms + 13, ms + 50, ms + 90,
    ];
    return `(${row.map(literal).join(', ')})`;
  });
  return `INSERT INTO public.sensor_readings(${SINK_COLUMNS.join(', ')}) VALUES ${values.join(', ')}`;
}

beforeAll(async () => {
  const started = Date.now();
  pg = await startPostgres();
  projectDir = renderToDir({ timeZone: TIME_ZONE });
  env = parseEnv(readFileSync(join(projectDir, '.env'), 'utf8'));
  pg.createDatabase(DB);
  initFiles = applyInitScripts();
  console.log(`postgres up and init scripts applied in ${Date.now() - started} ms`);
}, 600_000);

afterAll(() => {
  pg?.stop();
});

describe('postgres/init of the sensors blueprint', () => {
  it("applies the base template's roles script, then the blueprint's tables", () => {
    expect(initFiles).toEqual(['00-roles.sh', '10-sensors.sql']);
    // the roles exist because the script made them: login roles without any administrative attribute, each
    // with a (SCRAM) password from .env
    const roles = pg.psql(
      `SELECT rolname || ':' || rolcanlogin || ':' || rolsuper || ':' || rolcreatedb || ':' || rolcreaterole || ':' ||
              rolbypassrls || ':' || (rolpassword LIKE 'SCRAM-SHA-256$%')
       FROM pg_authid WHERE rolname IN ('flink_writer', 'api_reader', 'dbt_runner') ORDER BY rolname`,
      { database: DB },
    );
    expect(roles.split('\n')).toEqual([
      'api_reader:true:false:false:false:false:true',
      'dbt_runner:true:false:false:false:false:true',
      'flink_writer:true:false:false:false:false:true',
    ]);
    expect(pg.psql(`SELECT nspowner::regrole FROM pg_namespace WHERE nspname = 'marts'`, { database: DB })).toBe('dbt_runner');
    expect(pg.psql(`SELECT has_database_privilege('public', '${DB}', 'CONNECT')`, { database: DB })).toBe('f');
  });

  it('creates sensor_readings with its columns, primary key and indexes', () => {
    const columns = pg.psql(
      `SELECT column_name || ':' || data_type || ':' || is_nullable FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name = 'sensor_readings' ORDER BY ordinal_position`,
      { database: DB },
    ).split('\n');
    expect(columns).toContain('measured_at:timestamp with time zone:NO');
    expect(columns).toContain('env:text:NO');
    expect(columns).toContain('device_id:text:NO');
    expect(columns).toContain('humidity:double precision:YES');
    expect(columns).toContain('enriched_processing_ts_ms:bigint:YES');
    expect(columns).toContain('inserted_at:timestamp with time zone:NO');
    // every column of the Flink sink table (flink/tables/sensor_readings.sql) exists with the PostgreSQL type
    // the JDBC connector maps it to, and the sink's primary key is the table's
    const sink = flinkSinkTable();
    expect(sink.columns.map((c) => c.name)).toEqual(SINK_COLUMNS);
    const pgType: Record<string, string> = {
      STRING: 'text',
      'TIMESTAMP(3)': 'timestamp with time zone',
      BIGINT: 'bigint',
      INT: 'integer',
      DOUBLE: 'double precision',
      BOOLEAN: 'boolean',
    };
    for (const c of sink.columns) {
      expect(pgType[c.type], `Flink type ${c.type} of ${c.name}`).toBeDefined();
      expect(columns.find((line) => line.startsWith(`${c.name}:`))?.split(':')[1], c.name).toBe(pgType[c.type]);
    }
    expect(sink.primaryKey).toEqual(['env', 'tenant', 'device_id', 'measured_at']);

    const pk = pg.psql(
      `SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM pg_index i
       CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
       WHERE i.indrelid = 'public.sensor_readings'::regclass AND i.indisprimary`,
      { database: DB },
    );
    expect(pk).toBe('env,tenant,device_id,measured_at');

    const indexes = pg.psql(
      `SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'sensor_readings' ORDER BY indexname`,
      { database: DB },
    );
    expect(indexes).toContain('(measured_at DESC)');
    // "latest readings of a device" runs as a backward scan of the primary key's index
    const plan = pg.psql(
      `SET enable_seqscan = off; EXPLAIN (COSTS OFF) SELECT * FROM sensor_readings
       WHERE env = 'prod' AND tenant = 'tenant-1' AND device_id = 'dev-001' ORDER BY measured_at DESC LIMIT 10`,
      { database: DB },
    );
    expect(plan).toMatch(/Index Scan Backward using sensor_readings_pkey/);

    const inserted = pg.psql(
      `SELECT column_default FROM information_schema.columns
       WHERE table_name = 'sensor_readings' AND column_name = 'inserted_at'`,
      { database: DB },
    );
    expect(inserted).toBe('now()');
  });

  it('grants flink_writer insert/update/select and the readers select only', () => {
    const privilege = (role: string, p: string) =>
      pg.psql(`SELECT has_table_privilege('${role}', 'public.sensor_readings', '${p}')`, { database: DB });
    for (const p of ['SELECT', 'INSERT', 'UPDATE']) expect(privilege('flink_writer', p), `flink_writer ${p}`).toBe('t');
    expect(privilege('flink_writer', 'DELETE')).toBe('f');
    expect(privilege('flink_writer', 'TRUNCATE')).toBe('f');
    for (const role of ['api_reader', 'dbt_runner']) {
      expect(privilege(role, 'SELECT'), `${role} SELECT`).toBe('t');
      for (const p of ['INSERT', 'UPDATE', 'DELETE']) expect(privilege(role, p), `${role} ${p}`).toBe('f');
    }
  });
});

describe('dbt project of the sensors blueprint', () => {
  // Two devices, readings over four local days in Asia/Novosibirsk (UTC+7). Reading c is on 2026-01-05 in UTC
  // but on 2026-01-06 locally; dev-002's 50.0 on 01-05 is not below the threshold; dev-001 has no reading on
  // 01-08, which breaks its dry streak.
  const readings = [
    { device: 'dev-001', at: '2026-01-05T01:00:00.000Z', humidity: 60, temperature: -10, seq: 1 }, // 01-05 08:00
    { device: 'dev-001', at: '2026-01-05T13:00:00.000Z', humidity: 45, temperature: -12, seq: 2 }, // 01-05 20:00
    { device: 'dev-001', at: '2026-01-05T19:00:00.000Z', humidity: 40, temperature: -15, seq: 3 }, // 01-06 02:00
    { device: 'dev-001', at: '2026-01-06T07:00:00.000Z', humidity: 42, temperature: -11, seq: 4 }, // 01-06 14:00
    { device: 'dev-001', at: '2026-01-07T02:00:00.000Z', humidity: 49.9, temperature: -9, seq: 5 }, // 01-07 09:00
    { device: 'dev-001', at: '2026-01-07T02:30:00.000Z', humidity: 30, temperature: -8, seq: 6 }, // 01-07 09:30
    { device: 'dev-001', at: '2026-01-09T05:00:00.000Z', humidity: 35, temperature: -20, seq: 7 }, // 01-09 12:00
    { device: 'dev-002', at: '2026-01-05T03:00:00.000Z', humidity: 50, temperature: 1, seq: 1 }, // 01-05 10:00
    { device: 'dev-002', at: '2026-01-06T03:00:00.000Z', humidity: 20, temperature: 2, seq: 2 }, // 01-06 10:00
    { device: 'dev-002', at: '2026-01-07T16:30:00.000Z', humidity: 70, temperature: 3, seq: 3 }, // 01-07 23:30
  ];
  let dbt: string;
  let dbtDir: string;
  let dbtEnv: NodeJS.ProcessEnv;

  const runDbt = (args: string[]) => {
    const started = Date.now();
    try {
      const out = execFileSync(dbt, [...args, '--project-dir', dbtDir, '--profiles-dir', dbtDir], {
        cwd: dbtDir,
        env: dbtEnv,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 300_000,
      });
      console.log(`dbt ${args.join(' ')}: ${Date.now() - started} ms`);
      return out;
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string; message: string };
      throw new Error(`dbt ${args.join(' ')} failed:\n${e.stdout ?? ''}\n${e.stderr ?? e.message}`);
    }
  };

  beforeAll(() => {
    const started = Date.now();
    dbt = ensureDbt();
    console.log(`dbt ready (${dbt}) in ${Date.now() - started} ms`);
    dbtDir = join(projectDir, 'dbt');
    expect(env.TZ).toBe(TIME_ZONE);
    dbtEnv = {
      ...process.env,
      ...parameterEnv(loadManifest(join(projectDir, 'iot-platform.yaml'))), // DRY_THRESHOLD=50, as every stack passes it
      POSTGRES_HOST: pg.host,
      POSTGRES_PORT: String(pg.port),
      POSTGRES_DB: DB,
      POSTGRES_DBT_PASSWORD: env.POSTGRES_DBT_PASSWORD,
      TZ: env.TZ,
      DBT_SEND_ANONYMOUS_USAGE_STATS: 'false',
    };
    pg.psql(insertReadings(readings), { database: DB, user: 'flink_writer' });
  }, 600_000);

  it('parses', () => {
    const out = runDbt(['parse']);
    expect(out).not.toMatch(/\[ERROR\]|Compilation Error/);
    expect(out).not.toMatch(/WARNING/); // no deprecations either
    expect(existsSync(join(dbtDir, 'target/manifest.json'))).toBe(true);
    const manifest = JSON.parse(readFileSync(join(dbtDir, 'target/manifest.json'), 'utf8')) as {
      nodes: Record<string, { resource_type: string; name: string }>;
    };
    const models = Object.values(manifest.nodes)
      .filter((n) => n.resource_type === 'model')
      .map((n) => n.name)
      .sort();
    expect(models).toEqual(['daily_dry_days', 'device_daily', 'device_hourly', 'stg_sensor_readings']);
  }, 300_000);

  it('builds (models and tests) and produces the hand-computed marts', () => {
    const out = runDbt(['build']);
    expect(out).toMatch(/Completed successfully/);
    expect(out).toMatch(/PASS=\d+ WARN=0 ERROR=0 SKIP=0/);

    const daily = pg.psql(
      `SELECT device_id, local_date, readings, avg_humidity, min_humidity, max_humidity,
              avg_temperature, min_temperature, max_temperature
       FROM marts.device_daily ORDER BY device_id, local_date`,
      { database: DB, user: 'api_reader' },
    );
    expect(daily.split('\n')).toEqual([
      'dev-001|2026-01-05|2|52.50|45|60|-11.00|-12|-10',
      'dev-001|2026-01-06|2|41.00|40|42|-13.00|-15|-11',
      'dev-001|2026-01-07|2|39.95|30|49.9|-8.50|-9|-8',
      'dev-001|2026-01-09|1|35.00|35|35|-20.00|-20|-20',
      'dev-002|2026-01-05|1|50.00|50|50|1.00|1|1',
      'dev-002|2026-01-06|1|20.00|20|20|2.00|2|2',
      'dev-002|2026-01-07|1|70.00|70|70|3.00|3|3',
    ]);

    const hourly = pg.psql(
      `SELECT device_id, to_char(hour_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"'), local_date, readings,
              avg_humidity, min_humidity, max_humidity, avg_temperature
       FROM marts.device_hourly ORDER BY device_id, hour_start`,
      { database: DB },
    );
    expect(hourly.split('\n')).toEqual([
      'dev-001|2026-01-05T01:00Z|2026-01-05|1|60.00|60|60|-10.00',
      'dev-001|2026-01-05T13:00Z|2026-01-05|1|45.00|45|45|-12.00',
      'dev-001|2026-01-05T19:00Z|2026-01-06|1|40.00|40|40|-15.00',
      'dev-001|2026-01-06T07:00Z|2026-01-06|1|42.00|42|42|-11.00',
      'dev-001|2026-01-07T02:00Z|2026-01-07|2|39.95|30|49.9|-8.50',
      'dev-001|2026-01-09T05:00Z|2026-01-09|1|35.00|35|35|-20.00',
      'dev-002|2026-01-05T03:00Z|2026-01-05|1|50.00|50|50|1.00',
      'dev-002|2026-01-06T03:00Z|2026-01-06|1|20.00|20|20|2.00',
      'dev-002|2026-01-07T16:00Z|2026-01-07|1|70.00|70|70|3.00',
    ]);

    const dry = pg.psql(
      `SELECT device_id, local_date, readings, max_humidity, threshold, is_dry, dry_streak_days
       FROM marts.daily_dry_days ORDER BY device_id, local_date`,
      { database: DB },
    );
    expect(dry.split('\n')).toEqual([
      'dev-001|2026-01-05|2|60|50|f|0',
      'dev-001|2026-01-06|2|42|50|t|1',
      'dev-001|2026-01-07|2|49.9|50|t|2',
      'dev-001|2026-01-09|1|35|50|t|1',
      'dev-002|2026-01-05|1|50|50|f|0',
      'dev-002|2026-01-06|1|20|50|t|1',
      'dev-002|2026-01-07|1|70|50|f|0',
    ]);

    // keys are unique per device and period
    expect(
      pg.psql(`SELECT device_day_key FROM marts.daily_dry_days WHERE local_date = '2026-01-06' ORDER BY 1`, {
        database: DB,
      }).split('\n'),
    ).toEqual(['prod|tenant-1|dev-001|2026-01-06', 'prod|tenant-1|dev-002|2026-01-06']);
  }, 300_000);

  it('honours parameters.dryThreshold of iot-platform.yaml: `stack dbt` (native) with 45 instead of 50', () => {
    // The native driver's `stack dbt` takes the database address from .stack/addresses.env (written by `stack up`)
    // and the parameters from the manifest, as it does on a running stack.
    const manifestFile = join(projectDir, 'iot-platform.yaml');
    const original = readFileSync(manifestFile, 'utf8');
    expect(original).toContain('\n  dryThreshold: 50\n');
    mkdirSync(join(projectDir, '.stack'), { recursive: true });
    writeFileSync(join(projectDir, '.stack', ADDRESSES_FILE), `POSTGRES_HOST=${pg.host}\nPOSTGRES_PORT=${pg.port}\nPOSTGRES_DB=${DB}\n`);
    writeFileSync(manifestFile, original.replace('\n  dryThreshold: 50\n', '\n  dryThreshold: 45\n'));
    try {
      stackDbt(projectDir, ['build', '--select', 'daily_dry_days']);
    } finally {
      writeFileSync(manifestFile, original);
    }
    const dry = pg.psql(
      `SELECT device_id, local_date, readings, max_humidity, threshold, is_dry, dry_streak_days
       FROM marts.daily_dry_days ORDER BY device_id, local_date`,
      { database: DB },
    );
    // dev-001's 01-07 (highest reading 49.9) is dry below 50 but not below 45: its streak ends at 01-06
    expect(dry.split('\n')).toEqual([
      'dev-001|2026-01-05|2|60|45|f|0',
      'dev-001|2026-01-06|2|42|45|t|1',
      'dev-001|2026-01-07|2|49.9|45|f|0',
      'dev-001|2026-01-09|1|35|45|t|1',
      'dev-002|2026-01-05|1|50|45|f|0',
      'dev-002|2026-01-06|1|20|45|t|1',
      'dev-002|2026-01-07|1|70|45|f|0',
    ]);
  }, 300_000);

  it('fails its tests on bad data (an out-of-range humidity)', () => {
    pg.psql(insertReadings([{ device: 'dev-bad', at: '2026-01-05T00:00:00.000Z', humidity: 140, temperature: 0, seq: 1 }]), {
      database: DB,
      user: 'flink_writer',
    });
    try {
      expect(() => runDbt(['test', '--select', 'source:sensors'])).toThrow(/accepted_range/);
    } finally {
      pg.psql(`DELETE FROM sensor_readings WHERE device_id = 'dev-bad'`, { database: DB });
    }
  }, 300_000);
});

describe('Flink SQL files of the sensors blueprint (static checks; they run in the SQL runner tests)', () => {
  const sqlDir = join(ROOT, 'blueprints/sensors/files/flink/sql');
  const files = readdirSync(sqlDir).filter((f) => f.endsWith('.sql')).sort();
  const tablesDir = join(ROOT, 'blueprints/sensors/files/flink/tables');
  const tables = readdirSync(tablesDir).filter((f) => f.endsWith('.sql')).sort();
  /** What every stack passes: connections, and the blueprint's parameters (iot-platform.yaml parameters:). */
  const FLINK_VARIABLES = [
    'KAFKA_BROKERS', 'POSTGRES_JDBC_URL', 'POSTGRES_FLINK_USER', 'POSTGRES_FLINK_PASSWORD', 'S3_HISTORY_PATH',
    ...Object.keys(declaredParameters(join(ROOT, 'blueprints/sensors'))).map(envName),
  ];

  it('has one job per file with checkpointing, UTC, its own consumer group and only known settings', () => {
    expect(files).toEqual(['20-enrichment.sql', '30-summary.sql', '40-history.sql']);
    const groups = new Map<string, string>();
    for (const file of files) {
      const sql = readFileSync(join(sqlDir, file), 'utf8').replace(/--.*$/gm, ''); // without comments
      expect(sql, file).toMatch(/SET 'execution\.checkpointing\.interval' = '(10s|1s)';/);
      expect(sql, file).toMatch(/SET 'table\.local-time-zone' = 'UTC';/);
      expect(sql, file).not.toMatch(/UNIX_TIMESTAMP\(\)/); // second resolution: the prior demos' defect
      expect(sql, file).not.toMatch(/'prod'|'tenant-1'/); // env and tenant come from the records
      const vars = [...sql.matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((m) => m[1]);
      for (const v of vars) {
        expect(FLINK_VARIABLES).toContain(v);
      }
      for (const m of sql.matchAll(/'properties\.group\.id' = '([^']+)'/g)) {
        const owner = groups.get(m[1]!);
        expect(owner === undefined || owner === file, `group ${m[1]} shared by ${owner} and ${file}`).toBe(true);
        groups.set(m[1]!, file);
      }
    }
    expect([...groups.keys()].sort()).toEqual(['flink-sensors-enrichment', 'flink-sensors-history', 'flink-sensors-summary']);
    expect(readFileSync(join(sqlDir, '20-enrichment.sql'), 'utf8')).toMatch(/SET 'table\.exec\.state\.ttl'/);
    expect(readFileSync(join(sqlDir, '30-summary.sql'), 'utf8')).toMatch(/SET 'table\.exec\.state\.ttl'/);
  });

  it('defines each Kafka source once in flink/tables/: streams from committed offsets, compacted report topics whole', () => {
    const sources: [string, string][] = [];
    for (const file of tables) {
      const sql = readFileSync(join(tablesDir, file), 'utf8').replace(/--.*$/gm, '');
      expect(sql, file).not.toMatch(/'properties\.group\.id'/); // per job, in an OPTIONS hint
      for (const m of sql.matchAll(/\$\{([A-Z0-9_]+)\}/g)) {
        expect(FLINK_VARIABLES, file).toContain(m[1]);
      }
      for (const m of sql.matchAll(/'scan\.startup\.mode' = '([^']+)'/g)) {
        if (m[1] === 'group-offsets') expect(sql, file).toMatch(/'properties\.auto\.offset\.reset' = 'earliest'/);
        sources.push([file, m[1]!]);
      }
    }
    // a device's latest report may be older than any committed offset: without a checkpoint the job reads it again
    expect(sources).toEqual([
      ['enriched.sql', 'group-offsets'],
      ['humidity_readings.sql', 'group-offsets'],
      ['location_reports.sql', 'earliest-offset'],
      ['state_reports.sql', 'earliest-offset'],
      ['temperature_readings.sql', 'group-offsets'],
    ]);
  });

  // Issue 11: a job restored after a crash re-runs what it did after its last checkpoint; what it wrote to a topic
  // another job reads (or to the dead-letter topic) must then not be read twice.
  it('writes the topics one job hands to the next exactly once, read committed, the writers checkpointing often', () => {
    const withoutComments = (path: string) => readFileSync(path, 'utf8').replace(/--.*$/gm, '');
    const jobs = files.map((file) => {
      const sql = withoutComments(join(sqlDir, file));
      return {
        file,
        interval: /SET 'execution\.checkpointing\.interval' = '([^']+)';/.exec(sql)![1],
        writes: [...sql.matchAll(/INSERT INTO (\w+)/g)].map((m) => m[1]!),
        reads: [...sql.matchAll(/\b(?:FROM|JOIN) (\w+)/g)].map((m) => m[1]!),
      };
    });
    const handedOver = jobs.flatMap((j) => j.writes).filter((t) => jobs.some((other) => other.reads.includes(t)));
    expect([...new Set(handedOver)].sort()).toEqual(['enriched']);
    const table = (name: string) => withoutComments(join(tablesDir, `${name}.sql`));
    const prefixes: string[] = [];
    for (const name of handedOver) {
      expect(table(name), name).toMatch(/'sink\.delivery-guarantee' = 'exactly-once'/);
      prefixes.push(/'sink\.transactional-id-prefix' = '([^']+)'/.exec(table(name))![1]!);
      // at most the broker's transaction.max.timeout.ms (15 min), or the sink cannot start
      expect(Number(/'properties\.transaction\.timeout\.ms' = '(\d+)'/.exec(table(name))![1])).toBeLessThanOrEqual(900_000);
    }
    expect(new Set(prefixes).size).toBe(prefixes.length);
    for (const name of handedOver) expect(table(name), name).toMatch(/'properties\.isolation\.level' = 'read_committed'/);
    // the next job sees a record once the writing job has checkpointed: the writers checkpoint often (the
    // enrichment's readers are the summary and history jobs, which work in 10 s steps; its current state and
    // PostgreSQL rows do not wait for its checkpoints)
    expect(Object.fromEntries(jobs.map((j) => [j.file, j.interval]))).toEqual({
      '20-enrichment.sql': '1s',
      '30-summary.sql': '10s',
      '40-history.sql': '10s',
    });
  });

  it('writes exactly the topics and table the manifest declares', () => {
    const { manifest } = renderSensors();
    const all = [...files.map((f) => join(sqlDir, f)), ...tables.map((f) => join(tablesDir, f))].map((f) => readFileSync(f, 'utf8')).join('\n');
    const topics = new Set([...all.matchAll(/'topic' = '([^']+)'/g)].map((m) => m[1]));
    const declared = new Set(manifest.topics.map((t) => t.name));
    for (const topic of topics) expect(declared.has(topic!), topic).toBe(true);
    for (const sink of manifest.sinks.redis) expect(topics.has(sink.topic), sink.topic).toBe(true);
    expect(all).toMatch(/'table-name' = 'public\.sensor_readings'/);
  });

  it('leaves the history job and its table out of projects without the history component', () => {
    const flink = (components: string[]) =>
      renderSensors({ components }).files.map((f) => f.path).filter((p) => p.startsWith('flink/'));
    const withHistory = flink(['history']);
    expect(withHistory).toEqual([...files.map((f) => `flink/sql/${f}`), ...tables.map((f) => `flink/tables/${f}`)]);
    expect(flink([])).toEqual(withHistory.filter((p) => p !== 'flink/sql/40-history.sql' && p !== 'flink/tables/enriched_history.sql'));
  });

  it('leaves dbt out of projects without the dbt component', () => {
    const { files: planned } = renderSensors({ components: ['redis', 'api', 'history'] });
    expect(planned.some((f) => f.path.startsWith('dbt/'))).toBe(false);
    expect(planned.some((f) => f.path === 'postgres/init/10-sensors.sql')).toBe(true);
  });
});
