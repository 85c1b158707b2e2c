// The transport blueprint's API, rendered into a project and run against real engines: PostgreSQL loaded with the
// scenario feed (the platform's GTFS loader, without Kafka) and the scenario's expected arrivals in
// public.stop_arrivals, read as api_reader with the blueprint's grants; a redis-server with vehicle hashes as the
// Redis sink writes them. Every route answers exact JSON; the map page, in headless Chromium, draws each vehicle
// in its delay colour at its projected position (read back from a screenshot).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../blueprints/transport/files/services/api/app.ts';
import { runGtfsLoad } from '../runtime/gtfs-static/load.ts';
import { asSuperuser, serveApi, startApiEngines, type ApiEngines, type ServedApi } from './helpers/api-app.ts';
import { useHeadlessChromium } from './helpers/chromium.ts';
import { renderSensors as renderProject } from './helpers/render.ts';

const root = resolve(import.meta.dirname, '..');
const FEED = join(root, 'scenarios/transport/fixtures/synthetic-gtfs');
const EXPECTED = readFileSync(join(root, 'scenarios/transport/expected-arrivals.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as Record<string, string | number | boolean | null>);
const API_KEY = 'transport-test-key';
const DATABASE = 'my_transit';

const { manifest, files } = renderProject({ blueprint: 'transport', name: 'my-transit', components: ['redis', 'api'] });
const rendered = (path: string) => files.find((f) => f.path === path)?.content;

let engines: ApiEngines;
let api: ServedApi;

// What the Redis sink writes (the contract's fields, every value a string).
const STATES: Record<string, Record<string, string>> = {
  'bus-1': { trip_id: 'T100', route_id: 'R1', vehicle_label: 'Bus 1', direction_id: '0', start_date: '20260310', latitude: '37.78', longitude: '-122.411', bearing: '90', speed: '8.5', stop_id: 'A5', current_stop_sequence: '5', current_status: 'IN_TRANSIT_TO', position_time_ms: '1773155300000' },
  'bus-2': { trip_id: 'T101', route_id: 'R1', latitude: '37.77', longitude: '-122.42', position_time_ms: '1773214600000' },
  'bus-7': { trip_id: 'T103', route_id: 'R2', latitude: '37.7675', longitude: '-122.42', position_time_ms: '1773159000000' },
  'late-1': { trip_id: 'T300', route_id: 'R4', latitude: '37.778', longitude: '-122.42', position_time_ms: '1773153200000' },
  'late-2': { trip_id: 'T102', route_id: 'R1', latitude: '37.7725', longitude: '-122.42', position_time_ms: '1773737600000' },
  'shuttle-1': { trip_id: 'T200', route_id: 'R3', latitude: '37.78', longitude: '-122.409', position_time_ms: '1773162300000' },
  'no-fix': { trip_id: 'T100', route_id: 'R1', position_time_ms: '1773155300000' },
};

function arrivalHash(vehicleId: string, stopId: string, tripId: string, overrides: Record<string, string> = {}): Record<string, string> {
  const row = EXPECTED.find((r) => r.vehicleId === vehicleId && r.stopId === stopId && r.tripId === tripId)!;
  const hash: Record<string, string> = {
    vehicle_id: vehicleId,
    trip_id: tripId,
    route_id: String(row.routeId),
    service_date: String(row.serviceDate),
    stop_id: stopId,
    stop_sequence: String(row.stopSequence),
    arrival_time_ms: String(row.arrivalTime),
    ...(row.scheduledArrivalTime === null ? {} : { scheduled_arrival_time_ms: String(row.scheduledArrivalTime) }),
    ...(row.delaySeconds === null ? {} : { delay_seconds: String(row.delaySeconds), on_time: String(row.onTime) }),
  };
  return { ...hash, ...overrides };
}

const ARRIVALS: Record<string, Record<string, string>> = {
  'bus-1': arrivalHash('bus-1', 'A4', 'T100'), // -170 s: early
  'bus-2': arrivalHash('bus-1', 'A5', 'T100', { vehicle_id: 'bus-2' }), // of an earlier trip: not its current one
  'bus-7': arrivalHash('bus-7', 'B4', 'T103'), // +30 s: on time
  'late-1': arrivalHash('express-1', 'A3', 'T300', { vehicle_id: 'late-1', arrival_time_ms: '1773153180000', delay_seconds: '420', on_time: 'false' }),
  'late-2': arrivalHash('bus-6', 'A3', 'T102', { vehicle_id: 'late-2', arrival_time_ms: '1773737460000', delay_seconds: '900', on_time: 'false' }),
  'shuttle-1': arrivalHash('shuttle-1', 'A3', 'T200'), // frequency trip: no delay
  ghost: arrivalHash('bus-3', 'A4', 'T102', { vehicle_id: 'ghost' }), // an arrival without a state: no vehicle
};

beforeAll(async () => {
  engines = await startApiEngines({ database: DATABASE, initSqlFile: '10-transport.sql', initSql: rendered('postgres/init/10-transport.sql')! });
  const { work, postgres, redis, pool } = engines;

  const output: string[] = [];
  const io = { cwd: work, env: { DATABASE_URL: `postgres://postgres@127.0.0.1:${postgres.port}/${DATABASE}` }, stdout: (t: string) => output.push(t), stderr: (t: string) => output.push(t) };
  expect(await runGtfsLoad([FEED, '--no-kafka'], io), output.join('')).toBe(0);

  await asSuperuser(engines, async (admin) => {
    for (const r of EXPECTED) {
      await admin.query(
        `INSERT INTO public.stop_arrivals (agency_id, trip_id, service_date, stop_sequence, route_id, vehicle_id, stop_id,
           arrival_time, scheduled_arrival_time, delay_seconds, on_time, headway_seconds)
         VALUES ($1, $2, $3, $4, $5, $6, $7, to_timestamp($8::bigint / 1000.0), to_timestamp($9::bigint / 1000.0), $10, $11, $12)`,
        [r.agencyId, r.tripId, r.serviceDate, r.stopSequence, r.routeId, r.vehicleId, r.stopId, r.arrivalTime, r.scheduledArrivalTime, r.delaySeconds, r.onTime, r.headwaySeconds],
      );
    }
  });

  for (const [id, state] of Object.entries(STATES)) await redis.hset(`transport:vehicle:${id}`, { vehicle_id: id, ...state });
  for (const [id, arrival] of Object.entries(ARRIVALS)) await redis.hset(`transport:vehicle:${id}:arrival`, arrival);

  const redisSinks = (parse(rendered('iot-platform.yaml')!) as { sinks: { redis: { topic: string; key: string }[] } }).sinks.redis;
  api = await serveApi(await buildApp({ redis, pool, apiKey: API_KEY, redisSinks, logLevel: false }), API_KEY);
}, 240_000);

afterAll(async () => {
  await api?.close();
  await engines?.stop();
});

const get = (path: string, withKey = true) => api.get(path, withKey);

const iso = (ms: unknown) => (ms === null ? null : new Date(Number(ms)).toISOString());

/** An expected-arrivals.jsonl row as the API writes it. */
function apiArrival(r: Record<string, unknown>) {
  return {
    agencyId: r.agencyId, tripId: r.tripId, routeId: r.routeId, vehicleId: r.vehicleId, serviceDate: r.serviceDate,
    stopId: r.stopId, stopSequence: r.stopSequence, arrivalTime: iso(r.arrivalTime),
    scheduledArrivalTime: iso(r.scheduledArrivalTime), delaySeconds: r.delaySeconds, onTime: r.onTime, headwaySeconds: r.headwaySeconds,
  };
}

describe('the rendered project', () => {
  it('has the API (the templates this test runs) only with the api component', () => {
    for (const path of ['services/api/app.ts', 'services/api/main.ts', 'services/api/map/map.html', 'services/api/routes/vehicles.ts']) {
      expect(rendered(path), path).toBe(readFileSync(join(root, 'blueprints/transport/files', path), 'utf8'));
    }
    expect(manifest.components).toContain('api');
    const withoutApi = renderProject({ blueprint: 'transport', name: 'my-transit', components: ['redis'] }).files;
    expect(withoutApi.filter((f) => f.path.startsWith('services/api/') || /^test\/e2e\/(api|map)\.test\.ts$/.test(f.path))).toEqual([]);
    // The map's browser test drives the system's Chromium through playwright-core, a devDependency only then.
    const devDependencies = (files: { path: string; content: string }[]) =>
      (JSON.parse(files.find((f) => f.path === 'package.json')!.content) as { devDependencies: Record<string, string> }).devDependencies;
    expect(devDependencies(files)['playwright-core']).toBe('^1.65.1');
    expect(devDependencies(withoutApi)['playwright-core']).toBeUndefined();
    expect(rendered('test/e2e/map.test.ts')).toContain("from 'playwright-core'");
  });
});

describe('transport API', () => {
  it('needs the key except for health, docs and the map page', async () => {
    for (const path of ['/vehicles', '/vehicles/bus-1', '/stops/A3/arrivals', '/routes/R1/performance', '/network']) {
      expect(await get(path, false), path).toEqual({
        status: 401,
        body: { statusCode: 401, error: 'Unauthorized', message: 'missing or invalid API key; send it in the x-api-key header' },
      });
    }
    expect(await get('/healthz', false)).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await get('/readyz', false)).toEqual({ status: 200, body: { status: 'ready', checks: { postgres: 'ok', redis: 'ok' } } });
    const map = await get('/map', false);
    expect(map.status).toBe(200);
    expect(map.body).toContain('#key=');
  });

  it('describes every route in OpenAPI, with how the map sends the key', async () => {
    const { status, body } = await get('/docs/json', false);
    expect(status).toBe(200);
    const spec = body as { info: { description: string }; paths: Record<string, unknown> };
    expect(Object.keys(spec.paths).sort()).toEqual(['/map', '/network', '/routes/{routeId}/performance', '/stops/{stopId}/arrivals', '/vehicles', '/vehicles/{vehicleId}']);
    expect(spec.info.description).toContain('/map#key=<API key>');
  });

  it('lists every vehicle now, with its last arrival only when it is of its current trip', async () => {
    const unknown = { lastArrival: null, delaySeconds: null, onTime: null, punctuality: 'unknown' };
    const bare = { label: null, directionId: null, startDate: null, bearing: null, speed: null, stopId: null, currentStopSequence: null, currentStatus: null };
    const { status, body } = await get('/vehicles');
    expect(status).toBe(200);
    expect(body).toEqual({
      items: [
        {
          vehicleId: 'bus-1', label: 'Bus 1', tripId: 'T100', routeId: 'R1', directionId: 0, startDate: '20260310',
          latitude: 37.78, longitude: -122.411, bearing: 90, speed: 8.5, stopId: 'A5', currentStopSequence: 5,
          currentStatus: 'IN_TRANSIT_TO', positionTime: '2026-03-10T15:08:20.000Z',
          lastArrival: {
            tripId: 'T100', serviceDate: '2026-03-10', stopId: 'A4', stopSequence: 4, arrivalTime: '2026-03-10T15:06:10.000Z',
            scheduledArrivalTime: '2026-03-10T15:09:00.000Z', delaySeconds: -170, onTime: false,
          },
          delaySeconds: -170, onTime: false, punctuality: 'early',
        },
        { vehicleId: 'bus-2', ...bare, tripId: 'T101', routeId: 'R1', latitude: 37.77, longitude: -122.42, positionTime: '2026-03-11T07:36:40.000Z', ...unknown },
        {
          vehicleId: 'bus-7', ...bare, tripId: 'T103', routeId: 'R2', latitude: 37.7675, longitude: -122.42, positionTime: '2026-03-10T16:10:00.000Z',
          lastArrival: {
            tripId: 'T103', serviceDate: '2026-03-10', stopId: 'B4', stopSequence: 4, arrivalTime: '2026-03-10T16:09:30.000Z',
            scheduledArrivalTime: '2026-03-10T16:09:00.000Z', delaySeconds: 30, onTime: true,
          },
          delaySeconds: 30, onTime: true, punctuality: 'on-time',
        },
        {
          vehicleId: 'late-1', ...bare, tripId: 'T300', routeId: 'R4', latitude: 37.778, longitude: -122.42, positionTime: '2026-03-10T14:33:20.000Z',
          lastArrival: {
            tripId: 'T300', serviceDate: '2026-03-10', stopId: 'A3', stopSequence: 3, arrivalTime: '2026-03-10T14:33:00.000Z',
            scheduledArrivalTime: '2026-03-10T14:26:00.000Z', delaySeconds: 420, onTime: false,
          },
          delaySeconds: 420, onTime: false, punctuality: 'late',
        },
        {
          vehicleId: 'late-2', ...bare, tripId: 'T102', routeId: 'R1', latitude: 37.7725, longitude: -122.42, positionTime: '2026-03-17T08:53:20.000Z',
          lastArrival: {
            tripId: 'T102', serviceDate: '2026-03-17', stopId: 'A3', stopSequence: 3, arrivalTime: '2026-03-17T08:51:00.000Z',
            scheduledArrivalTime: '2026-03-17T08:36:00.000Z', delaySeconds: 900, onTime: false,
          },
          delaySeconds: 900, onTime: false, punctuality: 'late',
        },
        { vehicleId: 'no-fix', ...bare, tripId: 'T100', routeId: 'R1', latitude: null, longitude: null, positionTime: '2026-03-10T15:08:20.000Z', ...unknown },
        {
          vehicleId: 'shuttle-1', ...bare, tripId: 'T200', routeId: 'R3', latitude: 37.78, longitude: -122.409, positionTime: '2026-03-10T17:05:00.000Z',
          lastArrival: {
            tripId: 'T200', serviceDate: '2026-03-10', stopId: 'A3', stopSequence: 3, arrivalTime: '2026-03-10T17:03:09.000Z',
            scheduledArrivalTime: null, delaySeconds: null, onTime: null,
          },
          delaySeconds: null, onTime: null, punctuality: 'unknown',
        },
      ],
    });
    const one = await get('/vehicles/bus-7');
    expect(one).toEqual({ status: 200, body: (body as { items: unknown[] }).items[2] });
  });

  it('answers 404 for a vehicle without a current state', async () => {
    expect(await get('/vehicles/ghost')).toEqual({
      status: 404,
      body: { statusCode: 404, error: 'Not Found', message: 'vehicle ghost has no current state' },
    });
  });

  it("lists a stop's recent arrivals, newest first", async () => {
    const atA3 = EXPECTED.filter((r) => r.stopId === 'A3').sort((a, b) => Number(b.arrivalTime) - Number(a.arrivalTime));
    const { status, body } = await get('/stops/A3/arrivals?limit=3');
    expect(status).toBe(200);
    expect(body).toEqual({ stopId: 'A3', name: 'Corner', items: atA3.slice(0, 3).map(apiArrival) });
    expect((body as { items: { vehicleId: string }[] }).items.map((a) => a.vehicleId)).toEqual(['bus-4', 'bus-6', 'bus-2']);

    const all = await get('/stops/A3/arrivals');
    expect((all.body as { items: unknown[] }).items).toEqual(atA3.map(apiArrival)); // 9 rows, under the default 20
    const shuttles = await get('/stops/B3/arrivals');
    expect(shuttles.body).toEqual({ stopId: 'B3', name: 'Bay 3', items: EXPECTED.filter((r) => r.stopId === 'B3').map(apiArrival) });
    expect(await get('/stops/B1/arrivals')).toEqual({ status: 200, body: { stopId: 'B1', name: 'Bay 1', items: [] } });
  });

  it('answers 404 for a stop not in the feed and 400 for a limit out of range', async () => {
    expect(await get('/stops/Z9/arrivals')).toEqual({
      status: 404,
      body: { statusCode: 404, error: 'Not Found', message: 'stop Z9 is not in the static feed (gtfs.stops)' },
    });
    expect((await get('/stops/A3/arrivals?limit=0')).status).toBe(400);
  });

  it("gives a route's on-time performance per service date", async () => {
    const { status, body } = await get('/routes/R1/performance');
    expect(status).toBe(200);
    expect(body).toEqual({
      routeId: 'R1',
      shortName: '1',
      longName: 'Line 1 (with a shape)',
      serviceDates: [
        { serviceDate: '2026-03-08', arrivals: 3, scheduledArrivals: 3, onTimeArrivals: 3, onTimeShare: 1, averageDelaySeconds: -29 },
        // bus-1 (-81, -139, -170, +14) and bus-2 (-55, -70, -64): -565 / 7
        { serviceDate: '2026-03-10', arrivals: 7, scheduledArrivals: 7, onTimeArrivals: 2, onTimeShare: 2 / 7, averageDelaySeconds: -80.7 },
        { serviceDate: '2026-03-17', arrivals: 2, scheduledArrivals: 2, onTimeArrivals: 1, onTimeShare: 0.5, averageDelaySeconds: -58 },
        { serviceDate: '2026-11-01', arrivals: 3, scheduledArrivals: 3, onTimeArrivals: 3, onTimeShare: 1, averageDelaySeconds: -45 },
      ],
    });
    expect((await get('/routes/R1/performance?serviceDate=2026-03-17')).body).toMatchObject({
      serviceDates: [{ serviceDate: '2026-03-17', arrivals: 2, scheduledArrivals: 2, onTimeArrivals: 1, onTimeShare: 0.5, averageDelaySeconds: -58 }],
    });
    // A stop without a time (B3) has no delay; frequency trips without exact times have none at all.
    expect((await get('/routes/R2/performance')).body).toMatchObject({
      serviceDates: [{ serviceDate: '2026-03-10', arrivals: 3, scheduledArrivals: 2, onTimeArrivals: 2, onTimeShare: 1, averageDelaySeconds: -4 }],
    });
    expect((await get('/routes/R3/performance')).body).toMatchObject({
      serviceDates: [{ serviceDate: '2026-03-10', arrivals: 9, scheduledArrivals: 0, onTimeArrivals: 0, onTimeShare: null, averageDelaySeconds: null }],
    });
    expect((await get('/routes/R1/performance?serviceDate=2026-03-09')).body).toMatchObject({ routeId: 'R1', serviceDates: [] });
  });

  it('answers 404 for a route not in the feed and 400 for a date that is none', async () => {
    expect(await get('/routes/R9/performance')).toEqual({
      status: 404,
      body: { statusCode: 404, error: 'Not Found', message: 'route R9 is not in the static feed (gtfs.routes)' },
    });
    expect((await get('/routes/R1/performance?serviceDate=2026-13-01')).status).toBe(400);
  });

  it("gives the network: each route's shapes (the stops' polyline without one), the stops and the bounds", async () => {
    const sh1 = { shapeId: 'SH1', points: [[37.7695, -122.42], [37.775, -122.42], [37.78, -122.42], [37.78, -122.408], [37.78, -122.4075]] };
    const { status, body } = await get('/network');
    expect(status).toBe(200);
    expect(body).toEqual({
      bounds: { minLat: 37.76, minLon: -122.43, maxLat: 37.7801, maxLon: -122.4075 },
      routes: [
        { routeId: 'R1', shortName: '1', longName: 'Line 1 (with a shape)', color: null, lines: [sh1] },
        { routeId: 'R2', shortName: '2', longName: 'Line 2 (no shape)', color: null, lines: [{ shapeId: null, points: [[37.76, -122.43], [37.763, -122.426], [37.766, -122.422], [37.769, -122.418]] }] },
        { routeId: 'R3', shortName: '3', longName: 'Shuttle (every 10 min)', color: null, lines: [sh1] },
        { routeId: 'R4', shortName: '4', longName: 'Express (timed frequencies)', color: null, lines: [sh1] },
      ],
      stops: [
        { stopId: 'A1', name: 'First St', lat: 37.77, lon: -122.42 },
        { stopId: 'A2', name: 'Second St, west side', lat: 37.775, lon: -122.4201 },
        { stopId: 'A3', name: 'Corner', lat: 37.78, lon: -122.42 },
        { stopId: 'A4', name: 'Fourth St', lat: 37.7801, lon: -122.414 },
        { stopId: 'A5', name: 'Fifth St', lat: 37.78, lon: -122.408 },
        { stopId: 'B1', name: 'Bay 1', lat: 37.76, lon: -122.43 },
        { stopId: 'B2', name: 'Bay 2', lat: 37.763, lon: -122.426 },
        { stopId: 'B3', name: 'Bay 3', lat: 37.766, lon: -122.422 },
        { stopId: 'B4', name: 'Bay 4', lat: 37.769, lon: -122.418 },
      ],
    });
  });
});

// The map's colours (services/api/map/map.html) as RGB.
const COLOURS = { early: [0x15, 0x65, 0xc0], 'on-time': [0x2e, 0x7d, 0x32], late: [0xef, 0x6c, 0x00], 'very-late': [0xc6, 0x28, 0x28], unknown: [0x9e, 0x9e, 0x9e] } as const;
const DRAWN: Record<string, keyof typeof COLOURS> = {
  'bus-1': 'early', 'bus-2': 'unknown', 'bus-7': 'on-time', 'late-1': 'late', 'late-2': 'very-late', 'shuttle-1': 'unknown',
};

describe('the map page in headless Chromium', () => {
  const chromium = useHeadlessChromium();

  it('draws every vehicle with a position in its delay colour at its projected position', async () => {
    const page = await chromium.browser.newPage({ viewport: { width: 1200, height: 900 }, deviceScaleFactor: 1 });
    await page.goto(`${api.url}/map#key=${API_KEY}`);
    const status = page.locator('#status[data-state="ready"]');
    await status.waitFor({ timeout: 20_000 });
    expect(await status.getAttribute('data-vehicles')).toBe('6');
    expect(await status.textContent()).toMatch(/^Drew 6 vehicles at .* \(1 without a position\)\.$/);

    // Where each vehicle must be: equirectangular (x = lon · cos(middle latitude), y = −lat) in the SVG's view box,
    // fitted into its box the way SVG does (meet, centred).
    const geometry = await page.evaluate(() => {
      const svg = document.querySelector('#map')!;
      const box = svg.getBoundingClientRect();
      return { box: { x: box.x, y: box.y, width: box.width, height: box.height }, viewBox: svg.getAttribute('viewBox')!.split(' ').map(Number) };
    });
    const [vx, vy, vw, vh] = geometry.viewBox as [number, number, number, number];
    const k = Math.cos(((37.76 + 37.7801) / 2) * (Math.PI / 180));
    const scale = Math.min(geometry.box.width / vw, geometry.box.height / vh);
    const left = geometry.box.x + (geometry.box.width - vw * scale) / 2;
    const top = geometry.box.y + (geometry.box.height - vh * scale) / 2;
    const points = Object.keys(DRAWN).map((id) => ({
      id,
      x: Math.round(left + (Number(STATES[id]!.longitude) * k - vx) * scale),
      y: Math.round(top + (-Number(STATES[id]!.latitude) - vy) * scale),
    }));
    const png = await page.screenshot({ type: 'png' });

    // Read the screenshot's pixels back through a canvas, 3 × 3 around each point.
    const reader = await chromium.browser.newPage();
    const pixels = await reader.evaluate(
      async ({ dataUrl, points }) => {
        const image = new Image();
        image.src = dataUrl;
        await image.decode();
        const canvas = document.createElement('canvas');
        canvas.width = image.width;
        canvas.height = image.height;
        const context = canvas.getContext('2d')!;
        context.drawImage(image, 0, 0);
        return points.map(({ id, x, y }) => ({ id, rgba: Array.from(context.getImageData(x - 1, y - 1, 3, 3).data) }));
      },
      { dataUrl: `data:image/png;base64,${png.toString('base64')}`, points },
    );
    for (const { id, rgba } of pixels) {
      const expected = COLOURS[DRAWN[id]!];
      for (let i = 0; i < rgba.length; i += 4) {
        const rgb = rgba.slice(i, i + 3);
        expect(rgb.every((c, j) => Math.abs(c - expected[j]!) <= 3), `${id} at its position: ${rgb} is not ${DRAWN[id]} ${expected}`).toBe(true);
      }
    }
    await reader.close();
    await page.close();
  });
});
