// Every blueprint's Flink SQL, as generated, parses and plans on real Flink through the platform's runner
// (DDL against an in-memory catalog, every INSERT planned; nothing connects).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMPONENTS } from '../manifest/schema.ts';
import { renderToDir } from './helpers/render.ts';
import { validateFlinkSql } from './helpers/flink.ts';

const CONNECTIONS = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  POSTGRES_JDBC_URL: 'jdbc:postgresql://127.0.0.1:5432/sensors',
  POSTGRES_FLINK_USER: 'flink_writer',
  POSTGRES_FLINK_PASSWORD: 'validation-only',
  S3_HISTORY_PATH: 's3://history',
};

describe('sensors Flink SQL', () => {
  it.each([
    ['all components', [...COMPONENTS]],
    ['no optional component', []],
  ])('plans every job with %s', (_label, components) => {
    const dir = renderToDir({ components });
    const result = validateFlinkSql([join(dir, 'flink', 'sql')], CONNECTIONS);
    expect(result.errors).toEqual([]);
    expect(result.code).toBe(0);
  });
});
