import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loaderSettings, SettingsError } from './settings.ts';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gtfs-settings-'));
  mkdirSync(join(dir, '.stack'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('loaderSettings', () => {
  it('in a project: the stack addresses, the superuser password of .env and the database named after the project', () => {
    const dir = project({
      'iot-platform.yaml': 'project:\n  name: my-buses\n',
      '.env': 'POSTGRES_PASSWORD=secret\nKAFKA_BROKERS=ignored:1\n',
      '.stack/addresses.env': 'POSTGRES_HOST=127.0.0.1\nPOSTGRES_PORT=15432\nKAFKA_BROKERS=127.0.0.1:19092\n',
    });
    expect(loaderSettings(dir, {})).toEqual({
      postgres: { host: '127.0.0.1', port: 15432, database: 'my_buses', user: 'postgres', password: 'secret' },
      postgresLabel: '127.0.0.1:15432/my_buses',
      brokers: ['127.0.0.1:19092'],
    });
  });

  it('the environment wins: PG* over POSTGRES_*, DATABASE_URL over both, KAFKA_BOOTSTRAP_SERVERS when KAFKA_BROKERS is unset', () => {
    const dir = project({ '.env': 'POSTGRES_PASSWORD=secret\n', '.stack/addresses.env': 'POSTGRES_HOST=127.0.0.1\nPOSTGRES_DB=p\n' });
    expect(loaderSettings(dir, { PGHOST: 'db', PGUSER: 'loader', PGPASSWORD: 'pw', PGDATABASE: 'transit', KAFKA_BOOTSTRAP_SERVERS: 'k1:9092, k2:9092' })).toEqual({
      postgres: { host: 'db', port: 5432, database: 'transit', user: 'loader', password: 'pw' },
      postgresLabel: 'db:5432/transit',
      brokers: ['k1:9092', 'k2:9092'],
    });
    expect(loaderSettings(dir, { DATABASE_URL: 'postgres://u:p@h:6543/d' })).toEqual({
      postgres: { connectionString: 'postgres://u:p@h:6543/d' }, postgresLabel: 'h:6543/d', brokers: ['localhost:9092'],
    });
    expect(() => loaderSettings(project({}), {})).toThrow(new SettingsError('which database? set DATABASE_URL or PGDATABASE, or run from the root of a generated project'));
  });
});
