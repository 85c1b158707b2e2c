// The poller against a real node:http server on 127.0.0.1. Waits are conditions with deadlines (vi.waitFor);
// where a test must show that something does NOT happen, a second poller on the same server serves as the
// clock: its requests prove that several intervals have passed.
import { spawn } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ACCEPT, HttpPoller, nextPollDelay, USER_AGENT, type PayloadInfo, type PollOptions } from './http-poll.ts';

interface Seen {
  path: string;
  at: number;
  headers: IncomingHttpHeaders;
  /** Requests being answered when this one arrived, this one included. */
  active: number;
}

type Handler = (req: IncomingMessage, res: ServerResponse, seen: Seen) => void;

const servers: Server[] = [];
const pollers: HttpPoller[] = [];

afterEach(async () => {
  await Promise.all(pollers.splice(0).map((p) => p.stop()));
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  }
});

/** A server whose routes answer by path; unknown paths get 404. */
async function serve(routes: Record<string, Handler>) {
  const requests: Seen[] = [];
  let active = 0;
  const server = createServer((req, res) => {
    const seen: Seen = { path: req.url!, at: Date.now(), headers: req.headers, active: ++active };
    requests.push(seen);
    res.on('close', () => active--);
    const route = routes[req.url!];
    if (route) route(req, res, seen);
    else res.writeHead(404).end();
  });
  servers.push(server);
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { requests, url: (path: string) => base + path, count: (path: string) => requests.filter((r) => r.path === path).length };
}

interface Delivery {
  payload: Buffer;
  info: PayloadInfo;
}

function poller(options: PollOptions, onPayload?: (payload: Buffer, info: PayloadInfo) => void | Promise<void>) {
  const payloads: Delivery[] = [];
  const errors: string[] = [];
  const p = new HttpPoller(
    options,
    async (payload, info) => {
      await onPayload?.(payload, info);
      payloads.push({ payload, info });
    },
    (error) => errors.push(error.message),
  );
  pollers.push(p);
  return { poller: p, payloads, errors };
}

const FEED = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) % 256));
const until = (condition: () => boolean, timeout = 5000) => vi.waitFor(() => expect(condition()).toBe(true), { timeout, interval: 2 });

async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the poll to fail');
}

describe('HttpPoller.pollOnce', () => {
  it('sends the default headers and delivers a 200 with its info', async () => {
    const server = await serve({ '/feed': (_req, res) => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(FEED) });
    const { poller: p, payloads } = poller({ url: server.url('/feed'), intervalMs: 1000 });
    const before = Date.now();
    expect(await p.pollOnce()).toBe('changed');
    expect(payloads).toHaveLength(1);
    expect(payloads[0]!.payload.equals(FEED)).toBe(true);
    const { fetchedAt, ...info } = payloads[0]!.info;
    expect(info).toEqual({ url: server.url('/feed'), status: 200, contentType: 'application/x-protobuf' });
    expect(fetchedAt).toBeGreaterThanOrEqual(before);
    expect(fetchedAt).toBeLessThanOrEqual(Date.now());
    const headers = server.requests[0]!.headers;
    expect([headers['user-agent'], headers.accept, headers['accept-encoding']]).toEqual([USER_AGENT, ACCEPT, 'gzip']);
    expect(headers['if-none-match']).toBeUndefined();
    expect(headers['if-modified-since']).toBeUndefined();
    expect({ ...p.stats }).toEqual({ polls: 1, changed: 1, notModified: 0, errors: 0, bytes: 3000, undecodable: 0 });
  });

  it('lets extra headers override the defaults', async () => {
    const server = await serve({ '/feed': (_req, res) => res.writeHead(200).end(FEED) });
    const { poller: p, payloads } = poller({ url: server.url('/feed'), intervalMs: 1000, headers: { Accept: 'application/json', 'X-Api-Key': 'k1' } });
    await p.pollOnce();
    const headers = server.requests[0]!.headers;
    expect([headers.accept, headers['x-api-key'], headers['user-agent']]).toEqual(['application/json', 'k1', USER_AGENT]);
    expect(payloads[0]!.info.contentType).toBeUndefined();
    expect('contentType' in payloads[0]!.info).toBe(false);
  });

  it('round-trips an ETag: the second poll gets 304 and delivers nothing', async () => {
    const server = await serve({
      '/feed': (req, res) => {
        if (req.headers['if-none-match'] === '"v1"') res.writeHead(304, { etag: '"v1"' }).end();
        else res.writeHead(200, { etag: '"v1"' }).end(FEED);
      },
    });
    const { poller: p, payloads } = poller({ url: server.url('/feed'), intervalMs: 1000 });
    expect(await p.pollOnce()).toBe('changed');
    expect(await p.pollOnce()).toBe('not-modified');
    expect(payloads).toHaveLength(1);
    expect(server.requests.map((r) => [r.headers['if-none-match'], r.headers['if-modified-since']])).toEqual([[undefined, undefined], ['"v1"', undefined]]);
    expect({ ...p.stats }).toEqual({ polls: 2, changed: 1, notModified: 1, errors: 0, bytes: 3000, undecodable: 0 });
  });

  it('round-trips Last-Modified', async () => {
    const stamp = 'Wed, 08 Nov 2023 01:05:59 GMT';
    const server = await serve({
      '/feed': (req, res) => {
        if (req.headers['if-modified-since'] === stamp) res.writeHead(304).end();
        else res.writeHead(200, { 'last-modified': stamp }).end(FEED);
      },
    });
    const { poller: p, payloads } = poller({ url: server.url('/feed'), intervalMs: 1000 });
    expect([await p.pollOnce(), await p.pollOnce(), await p.pollOnce()]).toEqual(['changed', 'not-modified', 'not-modified']);
    expect(payloads).toHaveLength(1);
    expect(server.requests.map((r) => [r.headers['if-none-match'], r.headers['if-modified-since']])).toEqual([
      [undefined, undefined],
      [undefined, stamp],
      [undefined, stamp],
    ]);
  });

  it('remembers the validators of the latest 200, and forgets an ETag the server no longer sends', async () => {
    let version = 1;
    const server = await serve({
      '/feed': (req, res) => {
        if (version === 3) return void res.writeHead(200).end(FEED);
        if (req.headers['if-none-match'] === `"v${version}"`) res.writeHead(304).end();
        else res.writeHead(200, { etag: `"v${version}"` }).end(FEED);
      },
    });
    const { poller: p } = poller({ url: server.url('/feed'), intervalMs: 1000 });
    await p.pollOnce();
    version = 2;
    expect(await p.pollOnce()).toBe('changed');
    expect(await p.pollOnce()).toBe('not-modified');
    version = 3;
    expect(await p.pollOnce()).toBe('changed');
    expect(await p.pollOnce()).toBe('changed');
    expect(server.requests.map((r) => r.headers['if-none-match'])).toEqual([undefined, '"v1"', '"v2"', '"v2"', undefined]);
  });

  it('decompresses Content-Encoding gzip', async () => {
    const server = await serve({ '/feed': (_req, res) => res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync(FEED)) });
    const { poller: p, payloads } = poller({ url: server.url('/feed'), intervalMs: 1000 });
    await p.pollOnce();
    expect(payloads[0]!.payload.equals(FEED)).toBe(true);
    expect(p.stats.bytes).toBe(3000);
  });

  it('gunzips a raw .gz body served without Content-Encoding', async () => {
    const server = await serve({ '/feed.pb.gz': (_req, res) => res.writeHead(200, { 'content-type': 'application/gzip' }).end(gzipSync(FEED)) });
    const { poller: p, payloads } = poller({ url: server.url('/feed.pb.gz'), intervalMs: 1000 });
    await p.pollOnce();
    expect(payloads[0]!.payload.equals(FEED)).toBe(true);
    expect(payloads[0]!.info.contentType).toBe('application/gzip');
  });

  it('fails on a body that starts with the gzip magic but does not gunzip', async () => {
    const server = await serve({ '/feed.gz': (_req, res) => res.writeHead(200).end(gzipSync(FEED).subarray(0, 40)) });
    const { poller: p, payloads } = poller({ url: server.url('/feed.gz'), intervalMs: 1000 });
    expect(await rejection(p.pollOnce())).toBe(`GET ${server.url('/feed.gz')}: the body starts like gzip but does not gunzip (unexpected end of file)`);
    expect(payloads).toHaveLength(0);
    expect(p.stats.errors).toBe(1);
  });

  it('hands a body that does not gunzip to onUndecodable when given, and treats it as delivered', async () => {
    const broken = gzipSync(FEED).subarray(0, 40);
    const server = await serve({
      '/feed.gz': (req, res) => (req.headers['if-none-match'] === '"b1"' ? res.writeHead(304).end() : res.writeHead(200, { etag: '"b1"' }).end(broken)),
    });
    const undecodable: [Buffer, string][] = [];
    const { poller: p, payloads } = poller({ url: server.url('/feed.gz'), intervalMs: 1000, onUndecodable: (body, reason) => void undecodable.push([body, reason]) });
    expect(await p.pollOnce()).toBe('undecodable');
    expect(undecodable).toEqual([[broken, 'the body starts like gzip but does not gunzip (unexpected end of file)']]);
    expect(await p.pollOnce()).toBe('not-modified');
    expect(payloads).toHaveLength(0);
    expect({ ...p.stats }).toEqual({ polls: 2, changed: 0, notModified: 1, errors: 0, bytes: 0, undecodable: 1 });
  });

  it('fails on a 500, then recovers', async () => {
    let status = 500;
    const server = await serve({ '/feed': (_req, res) => res.writeHead(status).end(status === 200 ? FEED : 'broken') });
    const { poller: p, payloads } = poller({ url: server.url('/feed'), intervalMs: 1000 });
    expect(await rejection(p.pollOnce())).toBe(`GET ${server.url('/feed')}: HTTP 500`);
    status = 200;
    expect(await p.pollOnce()).toBe('changed');
    expect(payloads).toHaveLength(1);
    expect({ ...p.stats }).toEqual({ polls: 2, changed: 1, notModified: 0, errors: 1, bytes: 3000, undecodable: 0 });
  });

  it('treats any other status as an error, redirects followed', async () => {
    const server = await serve({
      '/moved': (_req, res) => res.writeHead(302, { location: '/feed' }).end(),
      '/feed': (_req, res) => res.writeHead(200).end(FEED),
      '/empty': (_req, res) => res.writeHead(204).end(),
    });
    const moved = poller({ url: server.url('/moved'), intervalMs: 1000 });
    expect(await moved.poller.pollOnce()).toBe('changed');
    const empty = poller({ url: server.url('/empty'), intervalMs: 1000 });
    expect(await rejection(empty.poller.pollOnce())).toBe(`GET ${server.url('/empty')}: HTTP 204`);
    const missing = poller({ url: server.url('/missing'), intervalMs: 1000 });
    expect(await rejection(missing.poller.pollOnce())).toBe(`GET ${server.url('/missing')}: HTTP 404`);
  });

  it('times out a server that does not answer, and one that stalls mid-body', async () => {
    const server = await serve({
      '/silent': () => {},
      '/stall': (_req, res) => {
        res.writeHead(200, { 'content-length': '100' });
        res.write(Buffer.alloc(10));
      },
    });
    for (const path of ['/silent', '/stall']) {
      const { poller: p, payloads } = poller({ url: server.url(path), intervalMs: 1000, timeoutMs: 150 });
      const started = Date.now();
      expect(await rejection(p.pollOnce())).toBe(`GET ${server.url(path)}: timed out after 150 ms`);
      expect(Date.now() - started).toBeGreaterThanOrEqual(145);
      expect(payloads).toHaveLength(0);
      expect(p.stats.errors).toBe(1);
    }
  });

  it('reports a refused connection in one line', async () => {
    const server = await serve({});
    const url = server.url('/feed');
    servers[0]!.closeAllConnections();
    await new Promise((done) => servers.shift()!.close(done));
    const { poller: p } = poller({ url, intervalMs: 1000 });
    const port = new URL(url).port;
    expect(await rejection(p.pollOnce())).toBe(`GET ${url}: connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  it('fetches the same payload again when onPayload failed (the ETag is kept only after a delivery)', async () => {
    const server = await serve({
      '/feed': (req, res) => {
        if (req.headers['if-none-match'] === '"v1"') res.writeHead(304).end();
        else res.writeHead(200, { etag: '"v1"' }).end(FEED);
      },
    });
    let fail = true;
    const { poller: p, payloads } = poller({ url: server.url('/feed'), intervalMs: 1000 }, () => {
      if (fail) throw new Error('kafka is down');
    });
    expect(await rejection(p.pollOnce())).toBe('kafka is down');
    fail = false;
    expect(await p.pollOnce()).toBe('changed');
    expect(await p.pollOnce()).toBe('not-modified');
    expect(payloads).toHaveLength(1);
    expect(server.requests.map((r) => r.headers['if-none-match'])).toEqual([undefined, undefined, '"v1"']);
    expect({ ...p.stats }).toEqual({ polls: 3, changed: 1, notModified: 1, errors: 1, bytes: 3000, undecodable: 0 });
  });

  it('runs concurrent pollOnce calls one after the other', async () => {
    let release: (() => void) | undefined;
    const server = await serve({
      '/held': (_req, res) => {
        if (release === undefined) release = () => res.writeHead(200).end(FEED);
        else res.writeHead(200).end(FEED);
      },
      '/clock': (_req, res) => res.writeHead(304).end(),
    });
    const { poller: p, payloads } = poller({ url: server.url('/held'), intervalMs: 1000 });
    const clock = poller({ url: server.url('/clock'), intervalMs: 20 }).poller;
    const both = Promise.all([p.pollOnce(), p.pollOnce()]);
    await until(() => release !== undefined);
    clock.start();
    await until(() => server.count('/clock') >= 4);
    expect(server.count('/held')).toBe(1);
    release!();
    expect(await both).toEqual(['changed', 'changed']);
    expect(payloads).toHaveLength(2);
    expect(server.requests.filter((r) => r.path === '/held').map((r) => r.active)).toEqual([1, 1]);
  });
});

describe('HttpPoller scheduling', () => {
  it('computes the next delay from the previous start, at least 10 ms, with capped exponential back-off', () => {
    // Poll started at 1000 and ended at 1030, interval 200 ms: the next starts at 1200, 170 ms after the end.
    expect(nextPollDelay(1000, 1030, 200, 0)).toBe(170);
    expect(nextPollDelay(1000, 1195, 200, 0)).toBe(10);
    expect(nextPollDelay(1000, 1500, 200, 0)).toBe(10);
    expect([1, 2, 3, 4, 8, 9, 50].map((errors) => nextPollDelay(1000, 1000, 200, errors))).toEqual([400, 800, 1600, 3200, 51_200, 60_000, 60_000]);
    // An interval above 60 s is never shortened by back-off.
    expect(nextPollDelay(0, 0, 90_000, 3)).toBe(90_000);
  });

  it('polls every intervalMs measured from the start of the previous poll, one at a time', async () => {
    const server = await serve({ '/feed': (_req, res) => setTimeout(() => res.writeHead(200).end(FEED), 30) });
    const { poller: p, payloads } = poller({ url: server.url('/feed'), intervalMs: 100 });
    p.start();
    p.start(); // a second start() does not start a second loop
    await until(() => payloads.length >= 5);
    await p.stop();
    const starts = server.requests.map((r) => r.at);
    const gaps = starts.slice(1).map((at, i) => at - starts[i]!);
    expect(gaps.length).toBeGreaterThanOrEqual(4);
    // measured where the requests arrive: a request's own delay (connection, a busy machine) can shorten the gap
    // before it by some milliseconds, never by a whole interval
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(80);
    expect(server.requests.every((r) => r.active === 1)).toBe(true);
  });

  it('waits for onPayload before the next poll (back-pressure)', async () => {
    const server = await serve({ '/feed': (_req, res) => res.writeHead(200).end(FEED), '/clock': (_req, res) => res.writeHead(304).end() });
    const clock = poller({ url: server.url('/clock'), intervalMs: 20 }).poller;
    const events: string[] = [];
    const { poller: p } = poller({ url: server.url('/feed'), intervalMs: 20 }, async () => {
      events.push('payload');
      if (events.filter((e) => e === 'payload').length === 1) {
        // The first delivery holds until the clock has polled 5 times (over four intervals of the feed).
        const target = server.count('/clock') + 5;
        clock.start();
        await until(() => server.count('/clock') >= target);
        events.push(`released after ${server.count('/feed')} feed request(s)`);
      }
    });
    p.start();
    await until(() => events.filter((e) => e === 'payload').length >= 2);
    await p.stop();
    expect(events.slice(0, 3)).toEqual(['payload', 'released after 1 feed request(s)', 'payload']);
  });

  it('reports errors to onError, backs off exponentially and resets after a success', async () => {
    let calls = 0;
    const server = await serve({ '/feed': (_req, res) => void (++calls <= 2 ? res.writeHead(503).end() : res.writeHead(200).end(FEED)) });
    const { poller: p, payloads, errors } = poller({ url: server.url('/feed'), intervalMs: 40 });
    p.start();
    await until(() => payloads.length >= 3);
    await p.stop();
    expect(errors).toEqual([`GET ${server.url('/feed')}: HTTP 503`, `GET ${server.url('/feed')}: HTTP 503`]);
    const starts = server.requests.map((r) => r.at);
    const gaps = starts.slice(1, 4).map((at, i) => at - starts[i]!);
    // After the first error 2 × 40 ms, after the second 4 × 40 ms, after a success 40 ms again (measured where the
    // requests arrive, so each can be some milliseconds short, never by a whole step of the back-off).
    expect(gaps[0]).toBeGreaterThanOrEqual(65);
    expect(gaps[1]).toBeGreaterThanOrEqual(140);
    expect(gaps[1]! - gaps[0]!).toBeGreaterThanOrEqual(50);
    expect(gaps[2]).toBeGreaterThanOrEqual(30);
    expect(p.stats.errors).toBe(2);
  });

  it('keeps polling when onError itself throws', async () => {
    let calls = 0;
    const server = await serve({ '/feed': (_req, res) => void (++calls === 1 ? res.writeHead(500).end() : res.writeHead(200).end(FEED)) });
    const payloads: Buffer[] = [];
    const p = new HttpPoller({ url: server.url('/feed'), intervalMs: 20 }, (payload) => void payloads.push(payload), () => {
      throw new Error('logger broke');
    });
    pollers.push(p);
    p.start();
    await until(() => payloads.length >= 1);
    expect(p.stats.errors).toBe(1);
  });

  it('stop() waits for the poll in flight and its delivery', async () => {
    let release: (() => void) | undefined;
    const server = await serve({ '/feed': (_req, res) => void (release = () => res.writeHead(200).end(FEED)) });
    const { poller: p, payloads } = poller({ url: server.url('/feed'), intervalMs: 20 });
    p.start();
    await until(() => release !== undefined);
    let stopped = false;
    const stopping = p.stop().then(() => (stopped = true));
    await new Promise((turn) => setImmediate(turn));
    expect(stopped).toBe(false);
    release!();
    await stopping;
    expect(payloads).toHaveLength(1);
    expect(p.stats.polls).toBe(1);
  });

  it('polls no more after stop(), while another poller on the same server goes on', async () => {
    const server = await serve({ '/a': (_req, res) => res.writeHead(200).end(FEED), '/b': (_req, res) => res.writeHead(200).end(FEED) });
    const a = poller({ url: server.url('/a'), intervalMs: 20 });
    const b = poller({ url: server.url('/b'), intervalMs: 20 });
    a.poller.start();
    b.poller.start();
    await until(() => a.payloads.length >= 2);
    await a.poller.stop();
    const polled = server.count('/a');
    const target = server.count('/b') + 5;
    await until(() => server.count('/b') >= target);
    expect(server.count('/a')).toBe(polled);
    expect(a.poller.stats.polls).toBe(polled);
  });

  it('can start again after stop()', async () => {
    const server = await serve({ '/feed': (_req, res) => res.writeHead(200).end(FEED) });
    const { poller: p, payloads } = poller({ url: server.url('/feed'), intervalMs: 20 });
    p.start();
    await until(() => payloads.length >= 1);
    await p.stop();
    const before = payloads.length;
    p.start();
    await until(() => payloads.length >= before + 2);
    await p.stop();
    expect(server.requests.every((r) => r.active === 1)).toBe(true);
  });

  it('leaves no pending handles after stop(): a process that polls, stops and returns exits by itself', async () => {
    const server = await serve({ '/feed': (_req, res) => res.writeHead(200).end(FEED) });
    const module = fileURLToPath(new URL('./http-poll.ts', import.meta.url));
    const script = `
      import { HttpPoller } from ${JSON.stringify(module)};
      let deliveries = 0;
      const poller = new HttpPoller({ url: ${JSON.stringify(server.url('/feed'))}, intervalMs: 20 }, () => {
        // Once the first poll has finished (and the loop has armed its timer), stop and return.
        if (++deliveries === 1) setImmediate(() => poller.stop().then(() => console.log('stopped after', poller.stats.polls)));
      }, (error) => console.error(error.message));
      poller.start();
      process.on('exit', () => console.log('polls at exit', poller.stats.polls));
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((done) => child.on('exit', done));
    let code: number | null | undefined;
    void exited.then((c) => (code = c));
    try {
      await until(() => code !== undefined, 10_000);
    } finally {
      child.kill();
    }
    expect(output.trim().split('\n')).toEqual(['stopped after 1', 'polls at exit 1']);
    expect(code).toBe(0);
  });
});
