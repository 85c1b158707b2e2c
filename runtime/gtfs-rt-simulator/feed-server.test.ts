// The simulator's HTTP side on real loopback servers: one body per interval, ETag / Last-Modified / 304, gzip,
// the gateway's own poller as a client, replay of the real recorded .pb files byte for byte, and the bin.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeGtfsRtVehiclePositions } from '../ingest-gateway/decoders/gtfs-rt.ts';
import { HttpPoller } from '../ingest-gateway/sources/http-poll.ts';
import { encodeFeedMessage } from './gtfs-rt-encode.ts';
import { startFeedServer, type FeedServer } from './feed-server.ts';
import { readStaticFeed } from './static-feed.ts';
import { readRecordedFeeds, replaySlot } from './replay.ts';
import { SimClock } from './sim-clock.ts';
import { VehicleSimulator } from './vehicle-simulator.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const GTFS = process.env.IOT_PLATFORM_GTFS_DIR ?? resolve(root, '../shared/reference/data/gtfs');
const FIXTURE = fileURLToPath(new URL('./fixtures/straight-line', import.meta.url));
const BIN = join(root, 'bin/iot-gtfs-sim.js');

const servers: FeedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A feed server on the synthetic feed whose real clock the test moves by hand. */
async function simulated(gzip = false) {
  let real = 1_000_000;
  const clock = new SimClock(Date.parse('2026-03-09T15:05:00Z'), 60, () => real);
  const simulator = new VehicleSimulator(await readStaticFeed(FIXTURE));
  const intervalMs = 1000;
  const server = await startFeedServer({
    feeds: {
      '/vehicle-positions.pb': (slot) => ({ body: encodeFeedMessage(simulator.vehiclePositions(clock.after(slot * intervalMs))), modifiedMs: clock.after(slot * intervalMs) }),
    },
    intervalMs,
    gzip,
    now: () => real,
  });
  servers.push(server);
  return { server, url: `${server.url}/vehicle-positions.pb`, advance: (ms: number) => (real += ms) };
}

const latitudes = (body: Uint8Array) => decodeGtfsRtVehiclePositions(body).records.map((r) => r.latitude);

describe('feed server', () => {
  it('serves one body per interval, with a new ETag and Last-Modified when the slot changes', async () => {
    const { url, advance } = await simulated();
    const first = await fetch(url);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/x-protobuf');
    expect(first.headers.get('last-modified')).toBe('Mon, 09 Mar 2026 15:05:00 GMT');
    const body = new Uint8Array(await first.arrayBuffer());
    expect(latitudes(body)).toEqual([Math.fround(37.025)]);
    advance(999);
    expect(Buffer.from(await (await fetch(url)).arrayBuffer()).equals(body)).toBe(true);
    advance(1);
    // One real second at speed 60 is one simulated minute: 08:06, a tenth of the way on from 08:05.
    const next = await fetch(url);
    expect(next.headers.get('last-modified')).toBe('Mon, 09 Mar 2026 15:06:00 GMT');
    expect(next.headers.get('etag')).not.toBe(first.headers.get('etag'));
    expect(latitudes(new Uint8Array(await next.arrayBuffer()))).toEqual([Math.fround(37.03)]);
  });

  it('answers 304 to a matching If-None-Match or a current If-Modified-Since, 200 once the body changed', async () => {
    const { url, server, advance } = await simulated();
    const first = await fetch(url);
    await first.arrayBuffer();
    const etag = first.headers.get('etag')!;
    const lastModified = first.headers.get('last-modified')!;
    const byEtag = await fetch(url, { headers: { 'if-none-match': etag } });
    expect([byEtag.status, byEtag.headers.get('etag'), (await byEtag.arrayBuffer()).byteLength]).toEqual([304, etag, 0]);
    expect((await fetch(url, { headers: { 'if-modified-since': lastModified } })).status).toBe(304);
    expect((await fetch(url, { headers: { 'if-none-match': '"other"', 'if-modified-since': lastModified } })).status).toBe(200);
    expect((await fetch(url, { headers: { 'if-modified-since': 'Mon, 09 Mar 2026 15:04:59 GMT' } })).status).toBe(200);
    advance(1000);
    expect((await fetch(url, { headers: { 'if-none-match': etag } })).status).toBe(200);
    expect(server.stats).toEqual({ ok: 4, notModified: 2, notFound: 0 });
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
  });

  it('gzips for clients that accept it when enabled, with its own ETag; plain otherwise', async () => {
    const plain = await simulated(false);
    const zipped = await simulated(true);
    const reference = Buffer.from(await (await fetch(plain.url)).arrayBuffer());
    const raw = (url: string, encoding: string) => fetch(url, { headers: { 'accept-encoding': encoding } });
    const gz = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>((done, fail) => {
      // node:http, because fetch decompresses on its own and hides the wire bytes.
      import('node:http').then(({ get }) =>
        get(zipped.url, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => done({ headers: res.headers, body: Buffer.concat(chunks) }));
        }).on('error', fail),
      );
    });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers.vary).toBe('Accept-Encoding');
    expect(gz.headers.etag).toMatch(/-gz"$/);
    expect(gunzipSync(gz.body).equals(reference)).toBe(true);
    const identity = await raw(zipped.url, 'identity');
    expect(identity.headers.get('content-encoding')).toBeNull();
    expect(Buffer.from(await identity.arrayBuffer()).equals(reference)).toBe(true);
    expect((await raw(zipped.url, 'gzip;q=0')).headers.get('content-encoding')).toBeNull();
    expect((await raw(plain.url, 'gzip')).headers.get('content-encoding')).toBeNull();
  });

  it("works with the gateway's poller: 200 (gzip), 304 while unchanged, 200 after the interval", async () => {
    const { url, advance } = await simulated(true);
    const payloads: Buffer[] = [];
    const poller = new HttpPoller({ url, intervalMs: 60_000 }, (payload) => void payloads.push(payload), () => undefined);
    expect(await poller.pollOnce()).toBe('changed');
    expect(await poller.pollOnce()).toBe('not-modified');
    advance(1000);
    expect(await poller.pollOnce()).toBe('changed');
    expect(payloads.map(latitudes)).toEqual([[Math.fround(37.025)], [Math.fround(37.03)]]);
    expect({ ...poller.stats }).toMatchObject({ polls: 3, changed: 2, notModified: 1, errors: 0 });
  });
});

describe('replay of recorded snapshots', () => {
  const folder = join(GTFS, 'king-county-metro-vp-2021/realtime');
  const files = ['vehicle-positions-1630596716.pb', 'vehicle-positions-1630598910.pb'].map((f) => readFileSync(join(folder, f)));

  it('serves the real .pb files byte for byte in file-name order, then holds the last (or loops)', async () => {
    const recorded = readRecordedFeeds(folder);
    expect(recorded.tripUpdates).toEqual([]);
    let real = 0;
    const server = await startFeedServer({
      feeds: { '/vehicle-positions.pb': (slot) => replaySlot(recorded.vehiclePositions, slot, false), '/looped.pb': (slot) => replaySlot(recorded.vehiclePositions, slot, true) },
      intervalMs: 10_000,
      now: () => real,
    });
    servers.push(server);
    const get = async (path: string) => {
      const res = await fetch(server.url + path);
      return { body: Buffer.from(await res.arrayBuffer()), lastModified: res.headers.get('last-modified') };
    };
    const seen = [];
    for (let slot = 0; slot < 3; slot++, real += 10_000) seen.push([await get('/vehicle-positions.pb'), await get('/looped.pb')]);
    expect(seen.map(([held]) => files.findIndex((f) => f.equals(held!.body)))).toEqual([0, 1, 1]);
    expect(seen.map(([, looped]) => files.findIndex((f) => f.equals(looped!.body)))).toEqual([0, 1, 0]);
    expect(seen[0]![0]!.lastModified).toBe(new Date(1630596716_000).toUTCString());
  });

  it('splits trip updates from vehicle positions (Caltrain), and names a folder without .pb files', () => {
    const caltrain = readRecordedFeeds(join(GTFS, 'caltrain-2023-11/realtime'));
    expect([caltrain.vehiclePositions.length, caltrain.tripUpdates.length]).toEqual([1, 1]);
    expect(Buffer.from(caltrain.tripUpdates[0]!.body).equals(readFileSync(join(GTFS, 'caltrain-2023-11/realtime/trip-updates-1699405534.pb')))).toBe(true);
    expect(() => readRecordedFeeds(join(GTFS, 'caltrain-2023-11/gtfs'))).toThrow(/caltrain-2023-11\/gtfs: no \.pb files to replay; pass a folder of recorded GTFS-RT snapshots$/);
  });
});

/** Runs the bin until it prints its first line (or exits); returns that line, the exit code if it ended, and a stop. */
function runBin(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const first = new Promise<{ out: string; err: string; code: number | null }>((done) => {
    child.stdout.on('data', () => out.includes('\n') && done({ out, err, code: null }));
    child.on('exit', (code) => done({ out, err, code }));
  });
  return { first, stop: () => new Promise((r) => (child.exitCode !== null ? r(undefined) : (child.once('exit', r), child.kill('SIGTERM')))) };
}

describe('iot-gtfs-sim', () => {
  it('replays a folder over HTTP', async () => {
    const run = runBin(['--replay', join(GTFS, 'caltrain-2023-11/realtime'), '--port', '0', '--interval', '60']);
    try {
      const { out } = await run.first;
      const started = JSON.parse(out.split('\n')[0]!) as { url: string; feeds: string[] };
      expect(started.feeds).toEqual(['/vehicle-positions.pb', '/trip-updates.pb']);
      const body = Buffer.from(await (await fetch(`${started.url}/trip-updates.pb`)).arrayBuffer());
      expect(body.equals(readFileSync(join(GTFS, 'caltrain-2023-11/realtime/trip-updates-1699405534.pb')))).toBe(true);
    } finally {
      await run.stop();
    }
  });

  it('simulates from a GTFS zip with the clock options', async () => {
    const run = runBin(['--gtfs', join(GTFS, 'caltrain-2023-11/gtfs.zip'), '--start', '2023-11-07T17:05:59-08:00', '--port', '0', '--trip-updates', '--gzip']);
    try {
      const { out } = await run.first;
      const started = JSON.parse(out.split('\n')[0]!) as { url: string };
      const records = decodeGtfsRtVehiclePositions(new Uint8Array(await (await fetch(`${started.url}/vehicle-positions.pb`)).arrayBuffer())).records;
      expect(records.length).toBeGreaterThan(5);
      expect(records.every((r) => r.startDate === '20231107' && r.timestamp === Date.parse('2023-11-08T01:05:59Z'))).toBe(true);
    } finally {
      await run.stop();
    }
  });

  it.each([
    [['--port', '1'], /^iot-gtfs-sim: pass exactly one of --gtfs <feed.zip\|folder> and --replay <folder>; see --help\n$/, 2],
    [['--gtfs', FIXTURE, '--delay', 'T1:60'], /^iot-gtfs-sim: --delay T1:60: write TRIP_ID=SECONDS, e\.g\. --delay T1=120\n$/, 2],
    [['--gtfs', FIXTURE, '--start', '2026-03-09T08:00:00'], /^iot-gtfs-sim: --start 2026-03-09T08:00:00: write an ISO time with its zone/, 2],
    [['--gtfs', FIXTURE, '--speed', '0'], /^iot-gtfs-sim: --speed 0: not a valid number; see --help\n$/, 2],
    [['--gtfs', join(FIXTURE, 'missing')], /^iot-gtfs-sim: .*straight-line\/missing: no such file or folder; give the path of a GTFS \.zip or of a folder of GTFS \.txt files\n$/, 1],
    [['--gtfs', join(GTFS, 'caltrain-2023-11/realtime')], /^iot-gtfs-sim: agency\.txt: missing from the feed; a GTFS feed needs agency\.txt, stops\.txt, routes\.txt, trips\.txt, stop_times\.txt and calendar\.txt or calendar_dates\.txt\n$/, 1],
  ])('rejects %j in one line', async (args, message, code) => {
    const run = runBin(args);
    const result = await run.first;
    expect(result.err).toMatch(message);
    expect(result.code).toBe(code);
  });
});
