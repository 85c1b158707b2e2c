// The gateway process itself (bin/iot-ingest-gateway.js, built) polling a GTFS-RT feed from a real loopback
// server into a real Kafka broker: repeated feeds, unmoved vehicles, entities without trip or position, an
// undecodable body, and a hard kill and restart after which the de-duplication state is still there.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/cli.ts';
import { startKafka, type KafkaBroker } from '../../test/helpers/kafka.ts';
import { freePort } from '../../test/helpers/postgres.ts';
import { fixKafkajsIdleTimer } from '../service-kit/kafkajs-idle-timer.ts';
import { encodeFeedMessage, type FeedEntity } from '../gtfs-rt-simulator/gtfs-rt-encode.ts';
import { readStateTopic, readTopicToEnd } from './state-topic.ts';

const BIN = fileURLToPath(new URL('../../bin/iot-ingest-gateway.js', import.meta.url));
const TOPIC = 'transit.vehicle-positions.v1';
const TU_TOPIC = 'transit.trip-updates.v1';
const DLQ = 'transit.dlq';
const STATE = 'transit.ingest-gateway.state';

let broker: KafkaBroker;
let kafka: Kafka;
let server: Server;
let feedUrl: string;
let body: Uint8Array = new Uint8Array();
let tripUpdatesBody: Uint8Array = new Uint8Array();
const dir = tempDir('iotp-gtfsrt-gw-');
const gateways: ChildProcess[] = [];

beforeAll(async () => {
  broker = await startKafka();
  fixKafkajsIdleTimer();
  kafka = new Kafka({ clientId: 'test', brokers: [broker.brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: 2 }, { topic: TU_TOPIC }, { topic: DLQ }] });
  await admin.disconnect();
  server = createServer((req, res) =>
    res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(req.url === '/trip-updates.pb' ? tripUpdatesBody : body),
  );
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  feedUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/vehicle-positions.pb`;
  writeFileSync(
    join(dir, 'iot-platform.yaml'),
    `apiVersion: iot-platform/v1
platform: { version: 0.1.0 }
blueprint: transport
project: { name: gtfsrt-test }
events:
  vehicle_positions:
    source: { poll: { url: "${feedUrl}", intervalSeconds: 0.05, timeoutSeconds: 5 } }
    format: gtfs-rt
    fields:
      - { name: vehicleId, type: string }
      - { name: tripId, type: string }
      - { name: latitude, type: double, min: -90, max: 90 }
      - { name: longitude, type: double, min: -180, max: 180 }
      - { name: timestamp, type: timestamp }
    key: [vehicleId]
    topic: ${TOPIC}
  trip_updates:
    source: { poll: { url: "${feedUrl.replace('vehicle-positions', 'trip-updates')}", intervalSeconds: 0.05, timeoutSeconds: 5 } }
    format: gtfs-rt-trip-updates
    fields:
      - { name: tripId, type: string }
      - { name: startDate, type: string }
      - { name: stopSequence, type: int }
      - { name: arrivalDelay, type: int }
      - { name: timestamp, type: timestamp }
    key: [tripId, startDate, stopSequence]
    topic: ${TU_TOPIC}
topics:
  - { name: ${TOPIC}, partitions: 2 }
  - { name: ${TU_TOPIC} }
  - { name: ${DLQ} }
deploy: { targets: [native] }
`,
  );
}, 180_000);

afterAll(async () => {
  for (const g of gateways) g.kill('SIGKILL');
  server?.closeAllConnections();
  await new Promise((ok) => server?.close(ok));
  await broker?.stop();
});

interface Gateway {
  process: ChildProcess;
  output: () => string;
  metrics: () => Promise<Metrics>;
}

interface Metrics {
  events: Record<string, { received: number; produced: number; deadLettered: number }>;
  gtfsRt: Record<string, Record<string, number>>;
  stateTopic: string;
  stateProduced: number;
  deadLetterProduced: number;
  sources: { poll: Record<string, Record<string, number>> };
}

async function startGateway(): Promise<Gateway> {
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, [BIN], {
    cwd: dir,
    env: { ...process.env, KAFKA_BROKERS: broker.brokers, HEALTH_PORT: String(port), IOT_PLATFORM_MANIFEST: join(dir, 'iot-platform.yaml'), KAFKA_LINGER_MS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  gateways.push(child);
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const metrics = async () => (await (await fetch(`http://127.0.0.1:${port}/metrics`)).json()) as Metrics;
  return { process: child, output: () => output, metrics };
}

/** Waits until the gateway's metrics satisfy `check`, with a deadline; the last metrics and its log on failure. */
async function until(gateway: Gateway, what: string, check: (m: Metrics) => boolean, timeoutMs = 30_000): Promise<Metrics> {
  const deadline = Date.now() + timeoutMs;
  let last: Metrics | undefined;
  for (;;) {
    try {
      last = await gateway.metrics();
      if (check(last)) return last;
    } catch {
      // not listening yet
    }
    if (gateway.process.exitCode !== null) throw new Error(`gateway exited (${gateway.process.exitCode}) waiting for ${what}:\n${gateway.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; metrics ${JSON.stringify(last)}\n${gateway.output()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const vehicle = (id: string, tripId: string | undefined, timestamp: number): FeedEntity => ({
  id: `entity-${id}`,
  vehicle: { vehicle: { id }, ...(tripId ? { trip: { tripId } } : {}), position: { latitude: 47.5, longitude: -122.25 }, timestamp },
});
const serve = (timestamp: number, ...entities: FeedEntity[]) => (body = encodeFeedMessage({ timestamp, entities }));
const tripUpdate = (tripId: string, timestamp: number, delay: number): FeedEntity => ({
  id: `tu-${tripId}`,
  tripUpdate: { trip: { tripId, startDate: '20260309' }, timestamp, stopTimeUpdates: [1, 2].map((stopSequence) => ({ stopSequence, arrival: { delay } })) },
});
const serveTripUpdates = (timestamp: number, ...entities: FeedEntity[]) => (tripUpdatesBody = encodeFeedMessage({ timestamp, entities }));

describe('ingest gateway: GTFS-RT polling into Kafka', () => {
  it('applies the feed rules, dead-letters a bad body and keeps polling, and keeps its state across a kill', async () => {
    const vp = (m: Metrics) => m.gtfsRt.vehicle_positions!;
    const noPosition: FeedEntity = { id: 'entity-np', vehicle: { vehicle: { id: 'np' }, trip: { tripId: 'T9' }, timestamp: 1000 } };
    serve(1000, vehicle('v1', 'T1', 990), vehicle('v2', 'T2', 995), vehicle('no-trip', undefined, 990), noPosition);
    serveTripUpdates(1000, tripUpdate('T1', 990, 60), tripUpdate('T2', 995, -30));
    const first = await startGateway();
    await until(first, 'the first trip updates', (m) => m.events.trip_updates!.produced === 4);
    await until(first, 'the first feed', (m) => m.events.vehicle_positions!.produced === 2 && m.stateProduced === 6);

    serve(1010, vehicle('v1', 'T1', 990), vehicle('v2', 'T2', 1005));
    await until(first, 'the second feed', (m) => m.events.vehicle_positions!.produced === 3);
    serveTripUpdates(1010, tripUpdate('T1', 990, 60), tripUpdate('T2', 1008, 0));
    await until(first, 'the second trip updates', (m) => m.events.trip_updates!.produced === 6 && m.stateProduced === 10);

    // The same header timestamp in a different body (a vehicle moved, but the feed claims to be the same).
    serve(1010, vehicle('v2', 'T2', 1009));
    await until(first, 'the repeated feed', (m) => vp(m).feedsRepeated === 1);

    body = Buffer.from('<html>503 upstream busy</html>');
    await until(first, 'the dead letter', (m) => m.deadLetterProduced === 1);
    const brokenGzip = gzipSync(Buffer.from('x'.repeat(100))).subarray(0, 20);
    body = brokenGzip;
    await until(first, 'the dead letter of a body that does not gunzip', (m) => m.deadLetterProduced === 2);
    serve(1020, vehicle('v1', 'T1', 1015), vehicle('v2', 'T2', 1005));
    const before = await until(first, 'polling after the bad body', (m) => m.events.vehicle_positions!.produced === 4 && m.stateProduced === 12);
    expect(vp(before)).toEqual({ feeds: 4, feedsRepeated: 1, entities: 7, withoutTrip: 1, withoutPosition: 1, unchanged: 2, passed: 4 });
    expect(before.events.vehicle_positions).toEqual({ received: 6, produced: 4, deadLettered: 2 });
    expect(before.stateTopic).toBe(STATE);
    // The server sends no ETag, so how many 200s came depends on timing; the 6 bodies taken are counted above.
    expect(before.sources.poll.vehicle_positions).toMatchObject({ errors: 0, notModified: 0, deadLettered: 2, undecodable: 1 });
    expect(before.sources.poll.vehicle_positions!.polls).toBeGreaterThanOrEqual(6);
    expect(first.output()).toContain('poll payload dead-lettered');

    first.process.kill('SIGKILL');
    await new Promise((r) => first.process.once('exit', r));

    // After the restart the same body is polled again (no ETag, no digest in memory): its header is known.
    const second = await startGateway();
    await until(second, 'the repeated feed after the restart', (m) => vp(m).feedsRepeated === 1);
    expect(second.output()).toMatch(/gateway state restored.*"entries":6/);
    await until(second, 'the trip updates repeated after the restart', (m) => m.gtfsRt.trip_updates!.feedsRepeated === 1);
    serve(1030, vehicle('v1', 'T1', 1015), vehicle('v2', 'T2', 1005), vehicle('v3', 'T3', 1030));
    const after = await until(second, 'the feed after the restart', (m) => m.events.vehicle_positions!.produced === 1 && m.stateProduced === 2);
    expect(vp(after)).toEqual({ feeds: 2, feedsRepeated: 1, entities: 3, withoutTrip: 0, withoutPosition: 0, unchanged: 2, passed: 1 });
    serveTripUpdates(1030, tripUpdate('T1', 990, 60), tripUpdate('T2', 1025, 30));
    await until(second, 'trip updates after the restart', (m) => m.events.trip_updates!.produced === 2 && m.gtfsRt.trip_updates!.unchanged === 1 && m.stateProduced === 4);
    second.process.kill('SIGTERM');
    expect(await new Promise((r) => second.process.once('exit', r))).toBe(0);

    const positions: string[] = [];
    await readTopicToEnd(kafka, TOPIC, (m) => {
      const value = JSON.parse(m.value!.toString()) as { vehicleId: string; tripId: string; timestamp: string };
      expect(m.key!.toString()).toBe(value.vehicleId);
      positions.push(`${value.vehicleId} ${value.tripId} ${value.timestamp}`);
    });
    expect(positions.sort()).toEqual([
      'v1 T1 1970-01-01T00:16:30.000Z',
      'v1 T1 1970-01-01T00:16:55.000Z',
      'v2 T2 1970-01-01T00:16:35.000Z',
      'v2 T2 1970-01-01T00:16:45.000Z',
      'v3 T3 1970-01-01T00:17:10.000Z',
    ]);
    const predictions: string[] = [];
    await readTopicToEnd(kafka, TU_TOPIC, (m) => {
      const value = JSON.parse(m.value!.toString()) as { tripId: string; stopSequence: number; arrivalDelay: number };
      expect(m.key!.toString()).toBe(`${value.tripId}|20260309|${value.stopSequence}`);
      predictions.push(`${value.tripId}#${value.stopSequence} ${value.arrivalDelay}`);
    });
    expect(predictions).toEqual(['T1#1 60', 'T1#2 60', 'T2#1 -30', 'T2#2 -30', 'T2#1 0', 'T2#2 0', 'T2#1 30', 'T2#2 30']);
    const deadLetters: Record<string, unknown>[] = [];
    await readTopicToEnd(kafka, DLQ, (m) => deadLetters.push(JSON.parse(m.value!.toString()) as Record<string, unknown>));
    expect(deadLetters).toEqual([
      {
        reason: expect.stringMatching(/^vehicle_positions: FeedMessage: field 7 has wire type 4 \(groups are not supported\)$/),
        source: 'poll',
        url: feedUrl,
        rawPayload: '<html>503 upstream busy</html>',
        receivedAt: expect.any(Number),
      },
      {
        reason: 'vehicle_positions: the body starts like gzip but does not gunzip (unexpected end of file)',
        source: 'poll',
        url: feedUrl,
        rawPayload: brokenGzip.toString('base64'),
        encoding: 'base64',
        receivedAt: expect.any(Number),
      },
    ]);
    expect(Object.fromEntries(await readStateTopic(kafka, STATE))).toEqual({
      'vehicle_positions|header': '1030000',
      'vehicle_positions|vehicle:v1': '1015000',
      'vehicle_positions|vehicle:v2': '1005000',
      'vehicle_positions|vehicle:v3': '1030000',
      'trip_updates|header': '1030000',
      'trip_updates|trip:T1|20260309': '990000',
      'trip_updates|trip:T2|20260309': '1025000',
    });
  }, 180_000);
});
