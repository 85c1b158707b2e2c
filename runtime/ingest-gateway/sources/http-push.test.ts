// The HTTP push source on a real loopback port: auth, routing by path, answers after Kafka acknowledged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../stack/native/ports.ts';
import { createLogger } from '../../service-kit/log.ts';
import type { EventDefinition } from '../../service-kit/manifest.ts';
import { Ingest } from '../ingest.ts';
import type { OutRecord } from '../kafka-batcher.ts';
import { startHttpPushSource } from './http-push.ts';
import type { RunningSource } from './source.ts';

const event: EventDefinition = {
  source: { http: '/events/{deviceId}' },
  format: 'json',
  fields: [
    { name: 'deviceId', type: 'string' },
    { name: 'level', type: 'double', min: 0 },
  ],
  key: ['deviceId'],
  topic: 'levels.v1',
};

const queued: OutRecord[] = [];
let acknowledged = 0;
let source: RunningSource;
let base = '';
const TOKEN = 'push-token-0123456789';

beforeAll(async () => {
  const port = await freePort();
  Object.assign(process.env, { INGEST_HTTP_HOST: '127.0.0.1', INGEST_HTTP_PORT: String(port), INGEST_HTTP_TOKEN: TOKEN });
  const ingest = new Ingest({ level: event }, 'levels.dlq', (r) => queued.push(r));
  const log = createLogger('test', 'error');
  source = await startHttpPushSource([['level', event]], { ingest, log, env: process.env, flushed: async () => void (acknowledged = queued.length) });
  base = `http://127.0.0.1:${port}`;
});
afterAll(() => source.stop());

const post = (path: string, body: string, token = TOKEN) =>
  fetch(`${base}${path}`, { method: 'POST', body, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });

describe('HTTP push source', () => {
  it('accepts a valid payload after Kafka acknowledged it, with the path placeholder as context', async () => {
    const res = await post('/events/d-1', JSON.stringify({ deviceId: 'd-1', level: 2.5 }));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1 });
    expect(acknowledged).toBe(queued.length);
    const record = queued.at(-1)!;
    expect(record.topic).toBe('levels.v1');
    expect(record.key).toBe('d-1');
    expect(JSON.parse(record.value)).toMatchObject({ deviceId: 'd-1', level: 2.5 });
  });

  it('dead-letters invalid payloads and says why (422)', async () => {
    const res = await post('/events/d-1', JSON.stringify({ deviceId: 'd-2', level: 1 }));
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({ accepted: 0, rejected: ['level: field deviceId = "d-2" does not match the topic\'s deviceId "d-1"'] });
    const letter = JSON.parse(queued.at(-1)!.value);
    expect(letter).toMatchObject({ source: 'http', httpPath: '/events/d-1', rawPayload: '{"deviceId":"d-2","level":1}' });
  });

  it('refuses wrong tokens, other methods and unknown paths (the latter dead-lettered)', async () => {
    const before = queued.length;
    expect((await post('/events/d-1', '{}', 'wrong')).status).toBe(401);
    expect((await fetch(`${base}/events/d-1`)).status).toBe(405);
    expect(queued.length).toBe(before);
    const res = await post('/other/d-1', 'x');
    expect(res.status).toBe(404);
    expect(JSON.parse(queued.at(-1)!.value)).toMatchObject({ reason: 'no event matches HTTP path /other/d-1', httpPath: '/other/d-1' });
  });

  it('answers 503 while paused by back-pressure, and accepts again after resume', async () => {
    source.pause();
    const res = await post('/events/d-3', JSON.stringify({ deviceId: 'd-3', level: 1 }));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    source.resume();
    expect((await post('/events/d-3', JSON.stringify({ deviceId: 'd-3', level: 1 }))).status).toBe(202);
  });

  it('refuses bodies over 1 MiB', async () => {
    expect((await post('/events/d-1', 'x'.repeat(1024 * 1024 + 1))).status).toBe(413);
  });
});
