// The event display of the running stack in headless Chromium (the system's, CHROMIUM_PATH or /usr/bin/chromium),
// on the fixture run once stored (helpers/scenario.ts): for the found track with the most hits and for the most
// inclined one, a screenshot shows every hit of the track's window on its pixel in its colour (the track's signal,
// noise) and the fitted ring where the contract's track frame puts it on the plane (helpers/display.ts). In trackless
// mode (no tracks: the fullest ring and the largest one) the ring is its circle fitted on the plane, with no track mark.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import type pg from 'pg';
import { resolveParameters } from 'create-iot-platform/rich-simulator';
import { env, manifest, pgPool } from './helpers/clients.ts';
import { COLOURS, drawnRingPoint, halfSquare, near, pixelCentre, readPixels, toScreen, type PlaneRingFit, type RingFit } from './helpers/display.ts';
import { trackless, type ExpectedHit } from './helpers/run.ts';
import { fixturePlayed, runStored, wanted, type Run } from './helpers/scenario.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const abs = (n: bigint) => (n < 0n ? -n : n);

let browser: Browser;
let db: pg.Pool;
let run: Run;
let want: Awaited<ReturnType<typeof wanted>>;

async function getJson(path: string): Promise<any> {
  const response = await fetch(`${env.apiUrl}${path}`, { headers: { 'x-api-key': env.apiKey } });
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return response.json();
}

beforeAll(async () => {
  db = pgPool();
  const played = await fixturePlayed();
  run = played.run;
  await runStored(db, run, played.shift);
  want = await wanted(db, run, played.shift);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 420_000);

afterAll(async () => {
  await browser?.close();
  await db?.end();
});

describe('the event display', () => {
  it('asks for the key, env and tenant when the URL has none', async () => {
    const page = await browser.newPage();
    await page.goto(`${env.apiUrl}/display`);
    await expect.poll(() => page.locator('#status').getAttribute('data-state')).toBe('error');
    expect(await page.locator('#status').textContent()).toContain('#key=');
    await page.close();
  });

  it('draws the hits of a track\'s window on their pixels and its fitted ring on the plane', async () => {
    const detector = resolveParameters(manifest().parameters);
    const base = `/api/${run.env}/${run.tenant}/runs/${run.runId}`;
    // tracks with no other track within 20 µs: nothing but their own ring and hits and noise in their window
    const isolated = (trackId: string) => want.rings.every((o) => o.trackId === trackId || abs(BigInt(o.trackId) - BigInt(trackId)) > 20_000n);
    type Drawn = (RingFit | PlaneRingFit) & { trackId: string; hits: number };
    const found: Drawn[] = (await getJson(`${base}/rings?found=true&limit=500`)).items.filter((r: { trackId: string }) => isolated(r.trackId));
    expect(found.length).toBeGreaterThan(0);
    const fullest = found.reduce((a, b) => (b.hits > a.hits ? b : a));
    const other = trackless() ? found.reduce((a, b) => (b.radius > a.radius ? b : a)) : (found as (RingFit & Drawn)[]).reduce((a, b) => (b.vz < a.vz ? b : a));
    for (const ring of new Set([fullest, other])) {
      const track = await getJson(`${base}/tracks/${ring.trackId}`);
      const inWindow = (h: ExpectedHit) => BigInt(h.timeNs) >= BigInt(track.window.fromNs) && BigInt(h.timeNs) <= BigInt(track.window.toNs);
      const slice = want.hits.filter((h) => inWindow(h) || h.trackId === ring.trackId);
      const page = await browser.newPage({ viewport: { width: 1400, height: 1400 }, deviceScaleFactor: 1 });
      await page.goto(`${env.apiUrl}/display#key=${encodeURIComponent(env.apiKey)}&env=${run.env}&tenant=${run.tenant}&run=${run.runId}&track=${ring.trackId}`);
      const status = page.locator('#status[data-state="ready"]');
      await status.waitFor({ timeout: 30_000 });
      expect(await status.getAttribute('data-hits'), ring.trackId).toBe(String(slice.length));

      const box = (await page.locator('#plane').boundingBox())!;
      const at = toScreen(box, detector);
      const half = halfSquare(box, detector);
      const place = (h: ExpectedHit) => at(...pixelCentre(h.ix, h.iy, detector));
      const mark = ring.vz === null ? null : at(ring.x + (ring.vx / ring.vz) * detector.distanceMm, ring.y + (ring.vy / ring.vz) * detector.distanceMm);
      const apart = (p: { x: number; y: number }, others: ExpectedHit[]) =>
        others.every((h) => Math.max(Math.abs(place(h).x - p.x), Math.abs(place(h).y - p.y)) > half + 3) && (!mark || Math.hypot(p.x - mark.x, p.y - mark.y) > 8);
      // signal hits are drawn over the ring, noise under it: noise is read away from the ring, the ring away from hits
      const signal = slice.filter((h) => h.trackId === ring.trackId).map(place);
      const outline = Array.from({ length: 360 }, (_, k) => at(...drawnRingPoint(ring, (2 * Math.PI * k) / 360, detector.distanceMm)));
      const noise = slice.filter((h) => h.label === 'noise').map(place).filter((p) => outline.every((q) => Math.hypot(q.x - p.x, q.y - p.y) > half + 4));
      const ringPoints = Array.from({ length: 36 }, (_, k) => at(...drawnRingPoint(ring, (2 * Math.PI * k) / 36 + 0.05, detector.distanceMm))).filter((p) => apart(p, slice));
      expect(ringPoints.length, `${ring.trackId}: ring points clear of hits`).toBeGreaterThan(5);

      const png = await page.screenshot({ type: 'png' });
      const points = [...signal, ...noise, ...ringPoints];
      const colours = [...signal.map(() => COLOURS.signal), ...noise.map(() => COLOURS.noise), ...ringPoints.map(() => COLOURS.ring)];
      const pixels = await readPixels(browser, png, points);
      pixels.forEach((rgb, i) => expect(near(rgb, colours[i]!), `${ring.trackId} point ${i} (${points[i]!.x}, ${points[i]!.y}): ${rgb} is not ${colours[i]}`).toBe(true));
      await page.close();
    }
  }, 240_000);
});
