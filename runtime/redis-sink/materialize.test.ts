import { describe, expect, it } from 'vitest';
import { compileKeyTemplate, toHashFields } from './key-template.ts';
import { reduceBatch, sinkRoute } from './materialize.ts';

describe('Redis key templates and batch reduction', () => {
  const state = compileKeyTemplate('sensors:{env}:{tenant}:device:{device_id}:state');

  it('fills, scans and parses keys', () => {
    expect(state.names).toEqual(['env', 'tenant', 'device_id']);
    expect(state.fill({ env: 'prod', tenant: 't1', device_id: 'd-1', humidity: 3 })).toBe('sensors:prod:t1:device:d-1:state');
    expect(state.fill({ env: 'prod', tenant: 't1' })).toBeUndefined();
    expect(state.fill({ env: 'prod', tenant: 't1', device_id: '' })).toBeUndefined();
    expect(state.scanPattern({ env: 'prod', tenant: 't*1' })).toBe('sensors:prod:t\\*1:device:*:state');
    expect(state.parse('sensors:prod:t1:device:d:1:state')).toEqual({ env: 'prod', tenant: 't1', device_id: 'd:1' });
    expect(state.parse('sensors:prod:t1:device:d1:drought')).toBeUndefined();
    expect(compileKeyTemplate('sensors:{env}:{tenant}:summary:recent').fill({ env: 'e', tenant: 't' })).toBe('sensors:e:t:summary:recent');
  });

  it('stringifies every non-null JSON field', () => {
    expect(toHashFields({ a: 1.5, b: true, c: 'x', d: null, e: { f: 1 } })).toEqual({ a: '1.5', b: 'true', c: 'x', e: '{"f":1}' });
  });

  it('keeps only the final value per key; tombstones delete; ttl carried', () => {
    const route = sinkRoute({ topic: 'sensors.device-state', key: 'sensors:{env}:{tenant}:device:{device_id}:state', ttlSeconds: 60 });
    const key = (d: string) => JSON.stringify({ env: 'e', tenant: 't', device_id: d });
    const value = (d: string, h: number) => JSON.stringify({ env: 'e', tenant: 't', device_id: d, humidity: h });
    const { operations, skipped } = reduceBatch(route, [
      { key: key('a'), value: value('a', 1) },
      { key: key('b'), value: value('b', 2) },
      { key: key('a'), value: value('a', 3) },
      { key: key('c'), value: value('c', 4) },
      { key: key('c'), value: null },
      { key: 'not json', value: null },
      { key: key('d'), value: 'not json' },
    ]);
    expect(skipped).toBe(2);
    expect(operations).toEqual([
      { op: 'set', key: 'sensors:e:t:device:b:state', fields: { env: 'e', tenant: 't', device_id: 'b', humidity: '2' }, ttlSeconds: 60 },
      { op: 'set', key: 'sensors:e:t:device:a:state', fields: { env: 'e', tenant: 't', device_id: 'a', humidity: '3' }, ttlSeconds: 60 },
      { op: 'del', key: 'sensors:e:t:device:c:state' },
    ]);
  });
});

