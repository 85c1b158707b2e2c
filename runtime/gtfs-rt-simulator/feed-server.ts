// Serves feeds over HTTP the way agencies do: each path's body changes once per interval (slot n = the n-th
// interval since the server started), with a strong ETag and Last-Modified, 304 to a matching If-None-Match
// (or, without one, to an If-Modified-Since not older than the body), and gzip when asked for and enabled.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

export interface Snapshot {
  body: Uint8Array;
  /** Epoch ms the body is as of (the feed header's time): Last-Modified. */
  modifiedMs: number;
}

export interface FeedServerOptions {
  /** Path → the snapshot of a slot (called once per slot and path). */
  feeds: Record<string, (slot: number) => Snapshot>;
  intervalMs: number;
  gzip?: boolean;
  host?: string;
  port?: number;
  now?: () => number;
}

interface Prepared {
  slot: number;
  body: Buffer;
  gzipped: Buffer | undefined;
  etag: string;
  lastModified: string;
}

export interface FeedServer {
  url: string;
  server: Server;
  /** Responses by status. */
  stats: { ok: number; notModified: number; notFound: number };
  close(): Promise<void>;
}

function prepare(slot: number, snapshot: Snapshot, gzip: boolean): Prepared {
  const body = Buffer.from(snapshot.body);
  return {
    slot,
    body,
    gzipped: gzip ? gzipSync(body) : undefined,
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    lastModified: new Date(Math.floor(snapshot.modifiedMs / 1000) * 1000).toUTCString(),
  };
}

function acceptsGzip(req: IncomingMessage): boolean {
  return (req.headers['accept-encoding'] ?? '')
    .split(',')
    .some((part) => {
      const [coding, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find((v) => v !== undefined);
      return (coding === 'gzip' || coding === '*') && (q === undefined || Number(q) > 0);
    });
}

function notModified(req: IncomingMessage, etag: string, lastModified: string): boolean {
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch !== undefined) return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag || tag.trim() === '*');
  const since = Date.parse(req.headers['if-modified-since'] ?? '');
  return Number.isFinite(since) && Date.parse(lastModified) <= since;
}

export async function startFeedServer(options: FeedServerOptions): Promise<FeedServer> {
  const now = options.now ?? Date.now;
  const started = now();
  const current = new Map<string, Prepared>();
  const stats = { ok: 0, notModified: 0, notFound: 0 };

  const snapshotOf = (path: string): Prepared | undefined => {
    const make = options.feeds[path];
    if (!make) return undefined;
    const slot = Math.floor((now() - started) / options.intervalMs);
    let prepared = current.get(path);
    if (prepared?.slot !== slot) {
      prepared = prepare(slot, make(slot), options.gzip ?? false);
      current.set(path, prepared);
    }
    return prepared;
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { allow: 'GET, HEAD' }).end();
    const path = (req.url ?? '/').split('?')[0]!;
    const snapshot = snapshotOf(path);
    if (!snapshot) {
      stats.notFound++;
      return void res.writeHead(404, { 'content-type': 'text/plain' }).end(`no feed at ${path}; feeds: ${Object.keys(options.feeds).join(', ')}\n`);
    }
    const gzip = snapshot.gzipped !== undefined && acceptsGzip(req);
    const etag = gzip ? snapshot.etag.replace(/"$/, '-gz"') : snapshot.etag;
    const headers: Record<string, string> = { etag, 'last-modified': snapshot.lastModified, 'cache-control': 'no-cache' };
    if (snapshot.gzipped !== undefined) headers.vary = 'Accept-Encoding';
    if (notModified(req, etag, snapshot.lastModified)) {
      stats.notModified++;
      return void res.writeHead(304, headers).end();
    }
    stats.ok++;
    const body = gzip ? snapshot.gzipped! : snapshot.body;
    res.writeHead(200, {
      ...headers,
      'content-type': 'application/x-protobuf',
      'content-length': String(body.length),
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`${(error as Error).message}\n`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    server,
    stats,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
