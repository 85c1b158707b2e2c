// GTFS-Realtime feeds the e2e tests control, served where the gateway polls them (iot-platform.yaml
// events.*.source.poll.url: vehicle positions and trip updates, one server per port), the way agencies serve them: a
// strong ETag and 304 to a matching If-None-Match. The test sets a body and waits until the gateway fetched it, so
// every snapshot is polled exactly once, whatever the poll interval. A path no test controls answers 404.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { encodeFeedMessage, type FeedEntity } from 'create-iot-platform/gtfs-rt-simulator';
import { manifest } from './clients.ts';
import { waitFor } from './wait-for.ts';

/** A position of the scenario (transport.positions.v1 fields, as scenarios/transport/fixtures/*.jsonl hold them). */
export interface ScenarioPosition {
  entityId: string;
  vehicleId: string;
  tripId?: string;
  startDate?: string;
  startTime?: string;
  latitude: number;
  longitude: number;
  timestamp: number;
}

/** The URL the gateway polls for this GTFS-Realtime format (vehicle positions unless told). */
export function pollUrl(format: 'gtfs-rt' | 'gtfs-rt-trip-updates' = 'gtfs-rt'): URL {
  const event = Object.values(manifest().events).find((e) => e.format === format && 'poll' in e.source);
  if (!event || !('poll' in event.source)) throw new Error(`iot-platform.yaml has no polled ${format} event`);
  return new URL(event.source.poll.url);
}

export function entityOf(p: ScenarioPosition): FeedEntity {
  return {
    id: p.entityId,
    vehicle: {
      ...(p.tripId ? { trip: { tripId: p.tripId, ...(p.startDate ? { startDate: p.startDate } : {}), ...(p.startTime ? { startTime: p.startTime } : {}) } } : {}),
      vehicle: { id: p.vehicleId },
      position: { latitude: p.latitude, longitude: p.longitude },
      timestamp: Math.round(p.timestamp / 1000),
    },
  };
}

/** A FeedMessage of these positions with the given header time (epoch seconds). */
export function feedOf(headerSeconds: number, positions: ScenarioPosition[]): Uint8Array {
  return encodeFeedMessage({ timestamp: headerSeconds, entities: positions.map(entityOf) });
}

/**
 * The scenario as consecutive snapshots, the way a feed shows a fleet: positions in time order, a new snapshot
 * whenever a vehicle would appear twice; each snapshot's header time is its newest position's, strictly rising.
 */
export function snapshotsOf(positions: ScenarioPosition[]): { headerSeconds: number; positions: ScenarioPosition[] }[] {
  const inTimeOrder = positions.map((p, i) => ({ p, i })).sort((a, b) => a.p.timestamp - b.p.timestamp || a.i - b.i).map(({ p }) => p);
  const groups: ScenarioPosition[][] = [[]];
  for (const p of inTimeOrder) {
    if (groups.at(-1)!.some((q) => q.vehicleId === p.vehicleId)) groups.push([]);
    groups.at(-1)!.push(p);
  }
  const snapshots: { headerSeconds: number; positions: ScenarioPosition[] }[] = [];
  for (const group of groups) {
    const newest = Math.max(...group.map((p) => Math.round(p.timestamp / 1000)));
    snapshots.push({ headerSeconds: Math.max(newest, (snapshots.at(-1)?.headerSeconds ?? 0) + 1), positions: group });
  }
  return snapshots;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** One HTTP server per host:port, shared by the feeds served on it. */
const servers = new Map<string, { server: Server; paths: Map<string, Handler> }>();

async function route(url: URL, handler: Handler): Promise<() => Promise<void>> {
  const address = `${url.hostname}:${url.port || 80}`;
  let entry = servers.get(address);
  if (!entry) {
    const paths = new Map<string, Handler>();
    const server = createServer((req, res) => {
      const handle = paths.get(req.url ?? '');
      if (handle) handle(req, res);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(Number(url.port || 80), url.hostname, resolve);
    });
    entry = { server, paths };
    servers.set(address, entry);
  }
  if (entry.paths.has(url.pathname)) throw new Error(`${url} is already served by another ControlledFeed`);
  entry.paths.set(url.pathname, handler);
  const { server, paths } = entry;
  return async () => {
    paths.delete(url.pathname);
    if (paths.size > 0) return;
    servers.delete(address);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
}

export class ControlledFeed {
  private body: Buffer = Buffer.alloc(0);
  private etag = '';
  private fetchedEtag = '';
  private unroute: () => Promise<void> = async () => {};
  /** Responses by status, and 304s of the current body. */
  readonly stats = { ok: 0, notModified: 0, notModifiedOfCurrent: 0 };

  static async start(url: URL = pollUrl()): Promise<ControlledFeed> {
    const feed = new ControlledFeed();
    feed.unroute = await route(url, (req, res) => feed.answer(req, res));
    return feed;
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    if (!this.etag) {
      res.writeHead(404).end();
      return;
    }
    if (req.headers['if-none-match'] === this.etag) {
      this.stats.notModified += 1;
      this.stats.notModifiedOfCurrent += 1;
      res.writeHead(304, { etag: this.etag }).end();
      return;
    }
    this.stats.ok += 1;
    this.fetchedEtag = this.etag;
    res.writeHead(200, { 'content-type': 'application/x-protobuf', etag: this.etag }).end(this.body);
  }

  /** Serves `body` from now on and resolves once the gateway fetched it (200). */
  async serve(body: Uint8Array, what: string): Promise<void> {
    this.body = Buffer.from(body);
    this.etag = `"${createHash('sha256').update(this.body).digest('hex').slice(0, 32)}"`;
    this.stats.notModifiedOfCurrent = 0;
    const etag = this.etag;
    await waitFor(() => this.fetchedEtag === etag, { timeoutMs: 60_000, intervalMs: 100, what: `the gateway to fetch ${what}` });
  }

  /** Resolves once the gateway asked again for the body it has and got 304 Not Modified. */
  async notModified(): Promise<void> {
    await waitFor(() => this.stats.notModifiedOfCurrent > 0, { timeoutMs: 60_000, intervalMs: 100, what: 'a 304 to the gateway' });
  }

  close(): Promise<void> {
    return this.unroute();
  }
}
