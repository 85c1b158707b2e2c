// The HTTP poll source end to end below Kafka: a real loopback server serves a real GTFS-RT feed (with ETag,
// then without), the source decodes it into one record per vehicle, and an unchanged feed adds nothing.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../service-kit/log.ts';
import type { EventDefinition } from '../../service-kit/manifest.ts';
import { decodeGtfsRtVehiclePositions } from '../decoders/gtfs-rt.ts';
import { Ingest } from '../ingest.ts';
import type { OutRecord } from '../kafka-batcher.ts';
import { startPollSource } from './poll.ts';
import type { RunningSource } from './source.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const gtfsDir = process.env.IOT_PLATFORM_GTFS_DIR ?? resolve(root, '../shared/reference/data/gtfs');
const feed = readFileSync(join(gtfsDir, 'caltrain-2023-11/realtime/vehicle-positions-1699405559.pb'));

const vehicles = (url: string, intervalSeconds = 0.05): EventDefinition => ({
  source: { poll: { url, intervalSeconds, headers: { 'x-api-key': '${FEED_KEY}' }, timeoutSeconds: 5 } },
  format: 'gtfs-rt',
  fields: [
    { name: 'vehicleId', type: 'string' },
    { name: 'latitude', type: 'double', min: -90, max: 90 },
    { name: 'longitude', type: 'double', min: -180, max: 180 },
    { name: 'timestamp', type: 'timestamp' },
  ],
  key: ['vehicleId'],
  topic: 'transit.vehicle-positions.v1',
});

/** Serves the feed; records each request's conditional headers and API key. */
function feedServer(withEtag: boolean) {
  const requests: { ifNoneMatch?: string; key?: string }[] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ ifNoneMatch: req.headers['if-none-match'], key: req.headers['x-api-key'] as string });
    if (withEtag && req.headers['if-none-match'] === '"v1"') return res.writeHead(304).end();
    res.writeHead(200, { 'content-type': 'application/x-protobuf', ...(withEtag ? { etag: '"v1"' } : {}) }).end(feed);
  });
  return { server, requests, listening: new Promise<string>((ok) => server.listen(0, '127.0.0.1', () => ok(`http://127.0.0.1:${(server.address() as { port: number }).port}/vp.pb`))) };
}

async function until(condition: () => boolean, what: string, deadlineMs = 5000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let running: { source?: RunningSource; server?: Server } = {};
afterEach(async () => {
  await running.source?.stop();
  const server = running.server;
  if (server) await new Promise((r) => server.close(r));
  running = {};
});

async function start(withEtag: boolean) {
  const { server, requests, listening } = feedServer(withEtag);
  const url = await listening;
  const queued: OutRecord[] = [];
  const event = vehicles(url);
  const ingest = new Ingest({ vehicles: event }, 'transit.dlq', (r) => queued.push(r));
  const source = await startPollSource([['vehicles', event]], {
    ingest,
    log: createLogger('test', 'error'),
    env: { FEED_KEY: 'k-123' },
    flushed: async () => undefined,
  });
  running = { source, server };
  return { queued, requests, ingest };
}

describe('HTTP poll source', () => {
  const expected = decodeGtfsRtVehiclePositions(feed).records;

  it('turns a GTFS-RT feed into one record per vehicle, then polls conditionally (304 adds nothing)', async () => {
    expect(expected.length).toBeGreaterThan(0);
    const { queued, requests, ingest } = await start(true);
    await until(() => requests.length >= 3, 'three polls');
    expect(queued.map((r) => r.key)).toEqual(expected.map((r) => r.vehicleId));
    expect(new Set(queued.map((r) => r.topic))).toEqual(new Set(['transit.vehicle-positions.v1']));
    expect(JSON.parse(queued[0]!.value)).toMatchObject({
      vehicleId: expected[0]!.vehicleId,
      latitude: expected[0]!.latitude,
      timestamp: new Date(expected[0]!.timestamp as number).toISOString(),
    });
    expect(requests[0]).toEqual({ ifNoneMatch: undefined, key: 'k-123' });
    expect(requests.slice(1).every((r) => r.ifNoneMatch === '"v1"')).toBe(true);
    expect(ingest.counters.vehicles).toEqual({ received: 1, produced: 0, deadLettered: 0 });
  });

  it('skips an unchanged body from a server without ETag or Last-Modified', async () => {
    const { queued, requests } = await start(false);
    await until(() => requests.length >= 3, 'three polls');
    expect(requests.every((r) => r.ifNoneMatch === undefined)).toBe(true);
    expect(queued).toHaveLength(expected.length);
  });

  it('refuses to start when a ${VAR} of the URL or headers is not set', async () => {
    const event = vehicles('http://127.0.0.1:9/${MISSING_HOST_VAR}');
    const ingest = new Ingest({ vehicles: event }, 'transit.dlq', () => undefined);
    await expect(
      startPollSource([['vehicles', event]], { ingest, log: createLogger('test', 'error'), env: { FEED_KEY: 'k' }, flushed: async () => undefined }),
    ).rejects.toThrow('events.vehicles.source.poll.url uses ${MISSING_HOST_VAR}, which is not set; add MISSING_HOST_VAR to .env');
  });
});
