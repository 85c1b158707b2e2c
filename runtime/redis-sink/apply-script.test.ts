import type { ChildProcess } from 'node:child_process';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis } from '../../test/helpers/redis.ts';
import { applyArguments, defineApplyOperations } from './apply-script.ts';
import type { KeyOperation } from './materialize.ts';

describe('the Redis sink applies a batch in one script call', () => {
  let server: ChildProcess;
  let client: Redis;
  let apply: (operations: KeyOperation[]) => Promise<number>;

  beforeAll(async () => {
    ({ server, client } = await startRedis());
    apply = defineApplyOperations(client);
  });
  afterAll(async () => {
    await client?.quit();
    server?.kill();
  });

  it('encodes keys first, then ttl, field count and pairs per key', () => {
    expect(
      applyArguments([
        { op: 'set', key: 'k1', fields: { a: '1', b: 'x' }, ttlSeconds: 60 },
        { op: 'del', key: 'k2' },
        { op: 'set', key: 'k3', fields: {} },
      ]),
    ).toEqual(['3', 'k1', 'k2', 'k3', '60', '2', 'a', '1', 'b', 'x', '0', '0', '0', '0']);
  });

  it('replaces hashes whole, deletes, expires, and leaves other keys alone', async () => {
    await client.hset('v:1', { stale: 'yes', speed: '3' });
    await client.hset('v:2', { speed: '9' });
    await client.hset('v:untouched', { speed: '1' });
    const written = await apply([
      { op: 'set', key: 'v:1', fields: { speed: '4', trip: 't-1' }, ttlSeconds: 120 },
      { op: 'del', key: 'v:2' },
      { op: 'set', key: 'v:3', fields: { speed: '5' } },
      { op: 'set', key: 'v:4', fields: {} },
    ]);
    expect(written).toBe(4);
    expect(await client.hgetall('v:1')).toEqual({ speed: '4', trip: 't-1' });
    const ttl = await client.ttl('v:1');
    expect(ttl).toBeGreaterThan(110);
    expect(ttl).toBeLessThanOrEqual(120);
    expect(await client.exists('v:2', 'v:4')).toBe(0);
    expect(await client.hgetall('v:3')).toEqual({ speed: '5' });
    expect(await client.ttl('v:3')).toBe(-1);
    expect(await client.hgetall('v:untouched')).toEqual({ speed: '1' });
  });

  it('takes a batch of thousands of keys as one call', async () => {
    const operations: KeyOperation[] = Array.from({ length: 5000 }, (_, i) => ({
      op: 'set',
      key: `bus:${i}`,
      fields: Object.fromEntries(Array.from({ length: 15 }, (_, f) => [`f${f}`, `${i}-${f}`])),
      ttlSeconds: 30,
    }));
    expect(await apply(operations)).toBe(5000);
    expect(await client.hget('bus:4999', 'f14')).toBe('4999-14');
    expect(await client.hlen('bus:0')).toBe(15);
    expect(await apply([])).toBe(0);
  });
});
