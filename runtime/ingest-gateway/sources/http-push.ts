// HTTP push source: devices POST a payload to an event's path (/events/{deviceId}); the path's {placeholders}
// become context fields. Bearer-token auth (INGEST_HTTP_TOKEN), 1 MiB bodies. The answer comes after Kafka
// acknowledged the records: 202 accepted, 422 when records were dead-lettered (with the reasons), 503 while
// the gateway is paused by back-pressure.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import * as env from '../../service-kit/env.ts';
import { TopicRouter } from '../mqtt-topics.ts';
import type { SourceStarter } from './source.ts';

const MAX_BODY = 1024 * 1024;

function send(res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

function authorized(req: IncomingMessage, token: string): boolean {
  const given = Buffer.from(req.headers.authorization ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export const startHttpPushSource: SourceStarter = async (events, { ingest, log, flushed }) => {
  const config = env.readConfig(() => ({
    host: env.str('INGEST_HTTP_HOST', '0.0.0.0'),
    port: env.int('INGEST_HTTP_PORT', 8088),
    token: env.str('INGEST_HTTP_TOKEN'),
  }));
  const router = new TopicRouter<string>();
  for (const [name, event] of events) if ('http' in event.source) router.add(event.source.http, name);
  let paused = false;

  const server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method !== 'POST') return send(res, 405, { error: 'use POST' }, { allow: 'POST' });
    if (!authorized(req, config.token)) return send(res, 401, { error: 'missing or wrong bearer token' });
    if (paused) return send(res, 503, { error: 'busy; retry later' }, { 'retry-after': '1' });
    const body = await readBody(req);
    if (!body) return send(res, 413, { error: `body larger than ${MAX_BODY} bytes` });
    const receivedAt = Date.now();
    const resolved = router.resolve(path);
    if (!resolved) {
      ingest.reject('http', path, body, receivedAt, `no event matches HTTP path ${path}`);
      await flushed();
      return send(res, 404, { error: `no event matches HTTP path ${path}` });
    }
    const result = ingest.accept({ event: resolved.target, source: 'http', origin: path, payload: body, context: resolved.context, receivedAt });
    await flushed();
    if (result.rejected.length > 0) return send(res, 422, { accepted: result.queued, rejected: result.rejected });
    send(res, 202, { accepted: result.queued });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  log.info('http ingest listening', { host: config.host, port: config.port, paths: router.routes.map((r) => r.pattern.pattern) });
  return {
    ready: () => server.listening,
    pause: () => (paused = true),
    resume: () => (paused = false),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
