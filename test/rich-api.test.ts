// The RICH blueprint's API, rendered into a project and run against real engines: PostgreSQL with the blueprint's
// tables (postgres/init/10-rich.sql), read as api_reader, seeded with two tracks whose rings and hits are known (a
// normal-incidence ring and an inclined track's, hits on the pixels the fitted circle crosses), a track without a
// ring and dark noise in and out of their windows; a redis-server with the run's counters as the Redis sink writes
// them. Every route answers exact JSON; the event display, in headless Chromium, draws each hit in its colour on its
// pixel and each fitted ring where the contract's track frame puts it on the plane (read back from a screenshot).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type pg from 'pg';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../blueprints/rich/files/services/api/app.ts';
import { COLOURS, halfSquare, near, pixelCentre, pixelOf, readPixels, ringPoint, toScreen, type Detector } from '../blueprints/rich/files/test/e2e/helpers/display.ts';
import { DEFAULT_PARAMETERS } from '../runtime/rich-simulator/index.ts';
import { asSuperuser, serveApi, startApiEngines, type ApiEngines, type ServedApi } from './helpers/api-app.ts';
import { useHeadlessChromium } from './helpers/chromium.ts';
import { renderSensors as renderProject } from './helpers/render.ts';

const root = resolve(import.meta.dirname, '..');
const API_KEY = 'rich-test-key';
const DATABASE = 'my_rich';
const DETECTOR: Detector = { pixelsPerSide: 240, pixelPitchMm: 3, distanceMm: 200 }; // the contract's defaults
const T0 = 1_767_225_600_000_000_000n;
const SCOPE = '/api/dev/detector';

const { manifest, files } = renderProject({ blueprint: 'rich', name: 'my-rich', components: ['redis', 'api'] });
const rendered = (path: string) => files.find((f) => f.path === path)?.content;

// ---- the seeded run ----

interface Hit { timeNs: string; ix: number; iy: number; label: 'signal' | 'noise'; trackId: string | null }
interface Ring {
  trackId: string; x: number; y: number; vx: number; vy: number; vz: number; found: boolean; hits: number;
  centreX: number | null; centreY: number | null; radius: number | null; chi2: number | null; ndf: number | null;
  cherenkovAngle: number | null; beta: number | null;
}

/** A found ring and its signal hits: the pixels of its fitted circle at `count` angles, 10 µs after the track. */
function trackWithRing(trackNs: bigint, track: Pick<Ring, 'x' | 'y' | 'vx' | 'vy' | 'vz'>, fit: { centreX: number; centreY: number; radius: number; chi2: number }, count: number) {
  const pixels = new Map<string, [number, number]>();
  for (let k = 0; k < count; k++) {
    const [x, y] = ringPoint({ ...track, ...fit }, (2 * Math.PI * k) / count + 0.1, DETECTOR.distanceMm);
    const pixel = pixelOf(x, y, DETECTOR);
    pixels.set(pixel.join(','), pixel);
  }
  const hits: Hit[] = [...pixels.values()].map(([ix, iy], k) => ({ timeNs: String(trackNs + 10_000n + BigInt(k)), ix, iy, label: 'signal', trackId: String(trackNs) }));
  const angle = Math.atan(fit.radius / DETECTOR.distanceMm);
  const ring: Ring = {
    trackId: String(trackNs), ...track, found: true, hits: hits.length, ...fit, ndf: hits.length - 3,
    cherenkovAngle: angle, beta: 1 / (DEFAULT_PARAMETERS.refractiveIndex * Math.cos(angle)),
  };
  return { ring, hits };
}

const TRACK_1 = T0 + 1_000n; // normal incidence
const TRACK_2 = T0 + 5_000_000n; // inclined: an ellipse on the plane
const TRACK_3 = T0 + 9_000_000n; // no ring
const one = trackWithRing(TRACK_1, { x: -100, y: 50, vx: 0, vy: 0, vz: 1 }, { centreX: 0, centreY: 0, radius: 60, chi2: 3.5 }, 8);
const two = trackWithRing(TRACK_2, { x: 80, y: -60, vx: 0.4, vy: 0.3, vz: Math.sqrt(0.75) }, { centreX: 1.5, centreY: -2, radius: 62, chi2: 6.25 }, 10);
const none: Ring = {
  trackId: String(TRACK_3), x: 0, y: 0, vx: 0, vy: 0, vz: 1, found: false, hits: 0,
  centreX: null, centreY: null, radius: null, chi2: null, ndf: null, cherenkovAngle: null, beta: null,
};
const noise = (timeNs: bigint, ix: number, iy: number): Hit => ({ timeNs: String(timeNs), ix, iy, label: 'noise', trackId: null });
const NOISE = [
  noise(T0, 0, 0), // the run's first hit
  noise(TRACK_1 + 8_000n, 10, 10), noise(TRACK_1 + 9_500n, 120, 220), noise(TRACK_1 + 12_000n, 200, 30), // in track 1's window
  noise(TRACK_1 + 20_000n, 5, 5), // after it
  noise(TRACK_2 + 11_000n, 30, 200), // in track 2's window
  noise(T0 + 9_500_000n, 200, 200), // the run's last hit
];
const byTime = (a: Hit, b: Hit) => (BigInt(a.timeNs) < BigInt(b.timeNs) ? -1 : BigInt(a.timeNs) > BigInt(b.timeNs) ? 1 : a.ix - b.ix || a.iy - b.iy);
const HITS = [...one.hits, ...two.hits, ...NOISE].sort(byTime);
const RINGS = [one.ring, two.ring, none];
const RUN_2 = [noise(T0 + 60_000_000_000n, 1, 2), noise(T0 + 61_000_000_000n, 3, 4)];
// Trackless mode (no tracks event): a ring found from the hits alone, its id the time of its first hit, no track.
const RING_ID = T0 + 2_000_000n;
const TRACKLESS_HITS: Hit[] = [[100, 120], [110, 140], [130, 150], [150, 140], [160, 120], [130, 95]].map(([ix, iy], k) => ({
  timeNs: String(RING_ID + BigInt(k * 900)), ix: ix!, iy: iy!, label: 'signal', trackId: String(RING_ID),
}));
const TRACKLESS_RING = {
  trackId: String(RING_ID), x: null, y: null, vx: null, vy: null, vz: null, found: true, hits: 6,
  centreX: 28.5, centreY: 40.5, radius: 80.25, chi2: 4.5, ndf: 3, cherenkovAngle: null, beta: null,
};

/** What the Redis sink wrote for run-1 (the pipeline's own counts, every value a string). */
const COUNTERS = { hits: '25', signal_hits: '18', noise_hits: '7', tracks: '3', rings_found: '2', last_time_ns: String(T0 + 9_500_000n) };

/** The candidates' window of a track: |t − tT − μ| ≤ kt·σt with μ = D/(vz·c) + 10·σt (ns, widened to whole ns). */
function candidateWindow(ring: Ring) {
  const mu = DETECTOR.distanceMm / (ring.vz * 299.792458) + 10 * 1000;
  return { fromNs: String(BigInt(ring.trackId) + BigInt(Math.floor(mu - 3000))), toNs: String(BigInt(ring.trackId) + BigInt(Math.ceil(mu + 3000))) };
}
const inWindow = (ring: Ring) => HITS.filter((h) => BigInt(h.timeNs) >= BigInt(candidateWindow(ring).fromNs) && BigInt(h.timeNs) <= BigInt(candidateWindow(ring).toNs));

// ---- the engines ----

let engines: ApiEngines;
let api: ServedApi;

async function insertHits(admin: pg.Client, env: string, tenant: string, runId: string, hits: Hit[]) {
  for (const h of hits) {
    await admin.query('INSERT INTO rich_hits (env, tenant, run_id, time_ns, ix, iy, label, track_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [env, tenant, runId, h.timeNs, h.ix, h.iy, h.label, h.trackId]);
  }
}

beforeAll(async () => {
  engines = await startApiEngines({ database: DATABASE, initSqlFile: '10-rich.sql', initSql: rendered('postgres/init/10-rich.sql')! });
  await asSuperuser(engines, async (admin) => {
    await insertHits(admin, 'dev', 'detector', 'run-1', HITS);
    await insertHits(admin, 'dev', 'detector', 'run-2', RUN_2);
    await insertHits(admin, 'dev', 'lab', 'run-1', [noise(T0, 7, 7)]); // another tenant's run of the same name
    for (const r of RINGS) {
      await admin.query(
        `INSERT INTO rich_rings (env, tenant, run_id, track_id, x, y, vx, vy, vz, found, hits, centre_x, centre_y, radius, chi2, ndf, cherenkov_angle, beta)
         VALUES ('dev', 'detector', 'run-1', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
        [r.trackId, r.x, r.y, r.vx, r.vy, r.vz, r.found, r.hits, r.centreX, r.centreY, r.radius, r.chi2, r.ndf, r.cherenkovAngle, r.beta],
      );
    }
    await insertHits(admin, 'dev', 'hough', 'run-1', TRACKLESS_HITS);
    const r = TRACKLESS_RING;
    await admin.query(
      `INSERT INTO rich_rings (env, tenant, run_id, track_id, x, y, vx, vy, vz, found, hits, centre_x, centre_y, radius, chi2, ndf, cherenkov_angle, beta)
       VALUES ('dev', 'hough', 'run-1', $1, NULL, NULL, NULL, NULL, NULL, true, $2, $3, $4, $5, $6, $7, NULL, NULL)`,
      [r.trackId, r.hits, r.centreX, r.centreY, r.radius, r.chi2, r.ndf],
    );
  });
  const { redis, pool } = engines;
  await redis.hset('rich:dev:detector:run:run-1', COUNTERS);

  const project = parse(rendered('iot-platform.yaml')!) as { parameters: Record<string, number>; sinks: { redis: { topic: string; key: string }[] } };
  api = await serveApi(await buildApp({ redis, pool, apiKey: API_KEY, parameters: project.parameters, redisSinks: project.sinks.redis, logLevel: false }), API_KEY);
}, 240_000);

afterAll(async () => {
  await api?.close();
  await engines?.stop();
});

const get = (path: string, withKey = true) => api.get(path, withKey);

const RUN_1 = {
  runId: 'run-1', hits: HITS.length, signalHits: one.hits.length + two.hits.length, noiseHits: NOISE.length,
  firstTimeNs: String(T0), lastTimeNs: String(T0 + 9_500_000n), tracks: 3, ringsFound: 2,
  live: { hits: 25, signalHits: 18, noiseHits: 7, tracks: 3, ringsFound: 2, lastTimeNs: String(T0 + 9_500_000n) },
};
const RUN_2_SUMMARY = {
  runId: 'run-2', hits: 2, signalHits: 0, noiseHits: 2, firstTimeNs: RUN_2[0]!.timeNs, lastTimeNs: RUN_2[1]!.timeNs, tracks: 0, ringsFound: 0, live: null,
};

describe('the rendered project', () => {
  it('has the API (the templates this test runs) only with the api component', () => {
    for (const path of ['services/api/app.ts', 'services/api/main.ts', 'services/api/display/display.html', 'services/api/routes/runs.ts']) {
      expect(rendered(path), path).toBe(readFileSync(join(root, 'blueprints/rich/files', path), 'utf8'));
    }
    expect(manifest.components).toContain('api');
    const withoutApi = renderProject({ blueprint: 'rich', name: 'my-rich', components: ['redis'] }).files;
    expect(withoutApi.filter((f) => f.path.startsWith('services/api/') || /^test\/e2e\/(api\.test|display\.test|helpers\/display)\.ts$/.test(f.path))).toEqual([]);
    const devDependencies = (list: { path: string; content: string }[]) =>
      (JSON.parse(list.find((f) => f.path === 'package.json')!.content) as { devDependencies: Record<string, string> }).devDependencies;
    expect(devDependencies(files)['playwright-core']).toBe('^1.65.1');
    expect(devDependencies(withoutApi)['playwright-core']).toBeUndefined();
  });
});

describe('RICH API', () => {
  it('needs the key except for health, docs and the display page', async () => {
    for (const path of ['/config', `${SCOPE}/runs`, `${SCOPE}/runs/run-1`, `${SCOPE}/runs/run-1/rings`, `${SCOPE}/runs/run-1/tracks/${TRACK_1}`, `${SCOPE}/runs/run-1/hits?fromNs=0&toNs=1`]) {
      expect(await get(path, false), path).toEqual({
        status: 401,
        body: { statusCode: 401, error: 'Unauthorized', message: 'missing or invalid API key; send it in the x-api-key header' },
      });
    }
    expect(await get('/readyz', false)).toEqual({ status: 200, body: { status: 'ready', checks: { postgres: 'ok', redis: 'ok' } } });
    const display = await get('/display', false);
    expect(display.status).toBe(200);
    expect(display.body).toContain('#key=');
  });

  it('describes every route in OpenAPI, with how the display sends the key', async () => {
    const { status, body } = await get('/docs/json', false);
    expect(status).toBe(200);
    const spec = body as { info: { description: string }; paths: Record<string, unknown> };
    expect(Object.keys(spec.paths).sort()).toEqual([
      '/api/{env}/{tenantId}/runs', '/api/{env}/{tenantId}/runs/{runId}', '/api/{env}/{tenantId}/runs/{runId}/hits',
      '/api/{env}/{tenantId}/runs/{runId}/rings', '/api/{env}/{tenantId}/runs/{runId}/tracks/{trackId}', '/config', '/display',
    ]);
    expect(spec.info.description).toContain('/display#key=<API key>&env=<env>&tenant=<tenant>');
  });

  it('gives the parameters of iot-platform.yaml', async () => {
    expect(await get('/config')).toEqual({ status: 200, body: { ...DEFAULT_PARAMETERS } });
  });

  it("lists a tenant's runs with their counts and live counters, paginated by run id", async () => {
    expect(await get(`${SCOPE}/runs`)).toEqual({ status: 200, body: { items: [RUN_1, RUN_2_SUMMARY], nextCursor: null } });
    const first = await get(`${SCOPE}/runs?limit=1`);
    expect(first).toEqual({ status: 200, body: { items: [RUN_1], nextCursor: Buffer.from('run-1').toString('base64url') } });
    expect(await get(`${SCOPE}/runs?limit=1&cursor=${(first.body as { nextCursor: string }).nextCursor}`)).toEqual({ status: 200, body: { items: [RUN_2_SUMMARY], nextCursor: null } });
    expect((await get('/api/dev/lab/runs')).body).toMatchObject({ items: [{ runId: 'run-1', hits: 1, tracks: 0, live: null }] });
    expect(await get('/api/dev/nobody/runs')).toEqual({ status: 200, body: { items: [], nextCursor: null } });
  });

  it('gives one run with its ring summary, and 404 for a run it does not have', async () => {
    expect(await get(`${SCOPE}/runs/run-1`)).toEqual({
      status: 200,
      body: {
        ...RUN_1,
        rings: {
          tracks: 3, found: 2, meanRadiusMm: 61, minRadiusMm: 60, maxRadiusMm: 62, meanHits: (one.ring.hits + two.ring.hits) / 2,
          meanCherenkovAngle: (one.ring.cherenkovAngle! + two.ring.cherenkovAngle!) / 2, meanBeta: (one.ring.beta! + two.ring.beta!) / 2,
        },
      },
    });
    expect((await get(`${SCOPE}/runs/run-2`)).body).toEqual({
      ...RUN_2_SUMMARY,
      rings: { tracks: 0, found: 0, meanRadiusMm: null, minRadiusMm: null, maxRadiusMm: null, meanHits: null, meanCherenkovAngle: null, meanBeta: null },
    });
    expect(await get(`${SCOPE}/runs/run-9`)).toEqual({
      status: 404,
      body: { statusCode: 404, error: 'Not Found', message: 'run run-9 has no hits or tracks in dev/detector' },
    });
  });

  it("pages a run's rings by track id, all or the found ones", async () => {
    const first = await get(`${SCOPE}/runs/run-1/rings?limit=2`);
    expect(first).toEqual({ status: 200, body: { items: [one.ring, two.ring], nextCursor: Buffer.from(String(TRACK_2)).toString('base64url') } });
    expect((await get(`${SCOPE}/runs/run-1/rings?limit=2&cursor=${(first.body as { nextCursor: string }).nextCursor}`)).body).toEqual({ items: [none], nextCursor: null });
    expect((await get(`${SCOPE}/runs/run-1/rings?found=true`)).body).toEqual({ items: [one.ring, two.ring], nextCursor: null });
    expect((await get(`${SCOPE}/runs/run-1/rings?found=false`)).body).toEqual({ items: [none], nextCursor: null });
    expect((await get(`${SCOPE}/runs/run-1/rings?cursor=${Buffer.from('x').toString('base64url')}`)).status).toBe(400);
    expect((await get(`${SCOPE}/runs/run-9/rings`)).status).toBe(404);
  });

  it('gives a track: its ring fit, the window of its candidates and its hits', async () => {
    for (const { ring, hits } of [one, two]) {
      expect(await get(`${SCOPE}/runs/run-1/tracks/${ring.trackId}`)).toEqual({ status: 200, body: { ring, window: candidateWindow(ring), hits } });
    }
    // by hand: normal incidence, μ = 200 mm / c + 10 µs = 10,000.667 ns, the window ±3 µs around it
    expect(candidateWindow(one.ring)).toEqual({ fromNs: String(TRACK_1 + 7_000n), toNs: String(TRACK_1 + 13_001n) });
    expect(await get(`${SCOPE}/runs/run-1/tracks/${TRACK_3}`)).toEqual({ status: 200, body: { ring: none, window: candidateWindow(none), hits: [] } });
    expect(await get(`${SCOPE}/runs/run-1/tracks/123`)).toEqual({
      status: 404,
      body: { statusCode: 404, error: 'Not Found', message: 'track 123 is not in run run-1 of dev/detector' },
    });
    expect((await get(`${SCOPE}/runs/run-1/tracks/abc`)).status).toBe(400);
  });

  it('gives a ring of trackless mode (no track: null track columns), its window from its first hit and its hits', async () => {
    expect((await get('/api/dev/hough/runs/run-1/rings')).body).toEqual({ items: [TRACKLESS_RING], nextCursor: null });
    expect(await get(`/api/dev/hough/runs/run-1/tracks/${RING_ID}`)).toEqual({
      status: 200,
      body: { ring: TRACKLESS_RING, window: { fromNs: String(RING_ID), toNs: String(RING_ID + 6_000n) }, hits: TRACKLESS_HITS },
    });
    const run = (await get('/api/dev/hough/runs/run-1')).body as { tracks: number; ringsFound: number; rings: { meanRadiusMm: number; meanCherenkovAngle: number | null } };
    expect([run.tracks, run.ringsFound, run.rings.meanRadiusMm, run.rings.meanCherenkovAngle]).toEqual([1, 1, 80.25, null]);
  });

  it('gives the hits of a time slice, bounded to 1 s', async () => {
    const { fromNs, toNs } = candidateWindow(one.ring);
    expect(await get(`${SCOPE}/runs/run-1/hits?fromNs=${fromNs}&toNs=${toNs}`)).toEqual({ status: 200, body: { fromNs, toNs, items: inWindow(one.ring), truncated: false } });
    expect(inWindow(one.ring).map((h) => h.label)).toEqual(['noise', 'noise', ...one.hits.map(() => 'signal'), 'noise']); // 8 µs, 9.5 µs, signal at 10 µs, 12 µs
    const all = await get(`${SCOPE}/runs/run-1/hits?fromNs=${T0}&toNs=${T0 + 1_000_000_000n}`);
    expect(all).toEqual({ status: 200, body: { fromNs: String(T0), toNs: String(T0 + 1_000_000_000n), items: HITS, truncated: false } });
    expect(await get(`${SCOPE}/runs/run-1/hits?fromNs=${T0}&toNs=${T0 + 1_000_000_001n}`)).toEqual({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request', message: 'the slice is longer than 1000000000 ns; ask for shorter slices' },
    });
    expect((await get(`${SCOPE}/runs/run-1/hits?fromNs=${T0 + 1n}&toNs=${T0}`)).status).toBe(400);
    expect((await get(`${SCOPE}/runs/run-1/hits?fromNs=${T0}`)).status).toBe(400);
    expect((await get(`${SCOPE}/runs/run-9/hits?fromNs=${T0}&toNs=${T0 + 1n}`)).status).toBe(404);
  });
});

describe('the event display in headless Chromium', () => {
  const chromium = useHeadlessChromium();

  it('asks for the key, env and tenant when the URL has none', async () => {
    const page = await chromium.browser.newPage();
    await page.goto(`${api.url}/display#key=${API_KEY}`);
    await expect.poll(() => page.locator('#status').getAttribute('data-state')).toBe('error');
    expect(await page.locator('#status').textContent()).toContain('#key=<API key>&env=<env>&tenant=<tenant>');
    await page.close();
  });

  it.each([['normal incidence', one], ['an inclined track (an ellipse)', two]] as const)(
    'draws the event of a track at %s: signal and noise on their pixels, the fitted ring on the plane',
    async (_label, { ring, hits }) => {
      const page = await chromium.browser.newPage({ viewport: { width: 1400, height: 1400 }, deviceScaleFactor: 1 });
      await page.goto(`${api.url}/display#key=${API_KEY}&env=dev&tenant=detector&run=run-1&track=${ring.trackId}`);
      const status = page.locator('#status[data-state="ready"]');
      await status.waitFor({ timeout: 20_000 });
      const slice = inWindow(ring);
      expect(await status.getAttribute('data-hits')).toBe(String(slice.length));
      expect(await status.getAttribute('data-rings')).toBe('1');
      expect(await page.locator('#track').inputValue()).toBe(ring.trackId);

      const box = (await page.locator('#plane').boundingBox())!;
      const at = toScreen(box, DETECTOR);
      const half = halfSquare(box, DETECTOR);
      const place = (h: Hit) => at(...pixelCentre(h.ix, h.iy, DETECTOR));
      const mark = at(ring.x + (ring.vx / ring.vz) * DETECTOR.distanceMm, ring.y + (ring.vy / ring.vz) * DETECTOR.distanceMm);
      // points of the fitted circle on the plane clear of every hit's square and of the track's mark
      const clear = (p: { x: number; y: number }) =>
        slice.every((h) => Math.max(Math.abs(place(h).x - p.x), Math.abs(place(h).y - p.y)) > half + 3) && Math.hypot(p.x - mark.x, p.y - mark.y) > 8;
      const ringPoints = Array.from({ length: 36 }, (_, k) => at(...ringPoint({ ...ring, centreX: ring.centreX!, centreY: ring.centreY!, radius: ring.radius! }, (2 * Math.PI * k) / 36 + 0.05, DETECTOR.distanceMm))).filter(clear);
      expect(ringPoints.length).toBeGreaterThan(20);
      const noisePoints = slice.filter((h) => h.label === 'noise').map(place);
      expect(noisePoints.length).toBeGreaterThan(0);
      const signalPoints = hits.map(place);

      const png = await page.screenshot({ type: 'png' });
      const pixels = await readPixels(chromium.browser, png, [...signalPoints, ...noisePoints, ...ringPoints]);
      const expected = [...signalPoints.map(() => COLOURS.signal), ...noisePoints.map(() => COLOURS.noise), ...ringPoints.map(() => COLOURS.ring)];
      const what = [...signalPoints.map(() => 'signal hit'), ...noisePoints.map(() => 'noise hit'), ...ringPoints.map(() => 'ring')];
      pixels.forEach((rgb, i) => expect(near(rgb, expected[i]!), `${what[i]} ${i}: ${rgb} is not ${expected[i]}`).toBe(true));

      // the inclined track's ring is no circle on the plane: its points lie at different distances from their mean
      if (ring === two.ring) {
        const points = Array.from({ length: 36 }, (_, k) => ringPoint({ ...ring, centreX: ring.centreX!, centreY: ring.centreY!, radius: ring.radius! }, (2 * Math.PI * k) / 36, DETECTOR.distanceMm));
        const [mx, my] = [points.reduce((s, p) => s + p[0], 0) / 36, points.reduce((s, p) => s + p[1], 0) / 36];
        const distances = points.map(([x, y]) => Math.hypot(x - mx, y - my));
        expect(Math.max(...distances) - Math.min(...distances)).toBeGreaterThan(5);
      }
      await page.close();
    },
  );
});
