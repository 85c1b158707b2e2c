// The live map of the running stack in headless Chromium (the system's, CHROMIUM_PATH or /usr/bin/chromium): the
// page takes the key from its URL fragment, draws the vehicles the API lists, and a screenshot shows each one in
// its delay colour at its position (equirectangular, fitted to the network's bounds).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { env } from './helpers/clients.ts';
import { liveVehicles, scenarioPlayed } from './helpers/scenario.ts';
import { waitFor } from './helpers/wait-for.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The page's refresh interval (services/api/map/map.html). */
const REFRESH_MS = 5000;
/** The page's colours as RGB. */
const COLOURS = {
  'on-time': [0x2e, 0x7d, 0x32],
  early: [0x15, 0x65, 0xc0],
  late: [0xef, 0x6c, 0x00],
  'very-late': [0xc6, 0x28, 0x28],
  unknown: [0x9e, 0x9e, 0x9e],
} as const;
type ColourKey = keyof typeof COLOURS;

interface Vehicle {
  vehicleId: string;
  latitude: number | null;
  longitude: number | null;
  delaySeconds: number | null;
  punctuality: 'on-time' | 'early' | 'late' | 'unknown';
}

let browser: Browser;

async function getJson(path: string): Promise<any> {
  const response = await fetch(`${env.apiUrl}${path}`, { headers: { 'x-api-key': env.apiKey } });
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return response.json();
}

/** The vehicles with a position: what the map draws. */
async function drawable(): Promise<Vehicle[]> {
  const { items } = (await getJson('/vehicles')) as { items: Vehicle[] };
  return items.filter((v) => v.latitude !== null && v.longitude !== null);
}

const snapshot = (vehicles: Vehicle[]) => JSON.stringify(vehicles.map((v) => [v.vehicleId, v.latitude, v.longitude, v.delaySeconds, v.punctuality]));

function colourOf(vehicle: Vehicle): ColourKey {
  return vehicle.punctuality === 'late' && (vehicle.delaySeconds ?? 0) >= 600 ? 'very-late' : vehicle.punctuality;
}

// Runs in the browser (the project's tsconfig has no DOM types, hence source text): the RGB of the screenshot at
// each point, 3 × 3 pixels around it.
const READ_PIXELS = `async ({ dataUrl, points }) => {
  const image = new Image();
  image.src = dataUrl;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  return points.map(({ x, y }) => {
    const data = context.getImageData(x - 1, y - 1, 3, 3).data;
    const rgb = [];
    for (let i = 0; i < data.length; i += 4) rgb.push([data[i], data[i + 1], data[i + 2]]);
    return rgb;
  });
}`;

async function readPixels(png: Buffer, points: { x: number; y: number }[]): Promise<number[][][]> {
  const reader = await browser.newPage();
  try {
    const args = { dataUrl: `data:image/png;base64,${png.toString('base64')}`, points };
    return (await reader.evaluate(`(${READ_PIXELS})(${JSON.stringify(args)})`)) as number[][][];
  } finally {
    await reader.close();
  }
}

/** Lets the page refresh once (its timers run on Playwright's clock) and waits until it drew again. */
async function refreshOnce(page: Page): Promise<void> {
  const before = Number(await page.locator('#status').getAttribute('data-refreshes'));
  await page.clock.runFor(REFRESH_MS);
  await page.locator(`#status[data-state="ready"][data-refreshes="${before + 1}"]`).waitFor({ timeout: 20_000 });
}

beforeAll(async () => {
  await scenarioPlayed();
  // Vehicles reporting now (the scenario's own states expire after the manifest's TTL), away from those still shown
  // (earlier tests' live vehicles report from scenario positions too).
  await liveVehicles(3, (await drawable()).map((v) => ({ latitude: v.latitude!, longitude: v.longitude! })));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 900_000);

afterAll(async () => {
  await browser?.close();
});

describe('the live map', () => {
  it('asks for the key when the URL has none', async () => {
    const page = await browser.newPage();
    await page.goto(`${env.apiUrl}/map`);
    await expect.poll(() => page.locator('#status').getAttribute('data-state')).toBe('error');
    expect(await page.locator('#status').textContent()).toContain('#key=');
    await page.close();
  });

  it("shows every vehicle of the API in its delay colour at its position", async () => {
    await waitFor(async () => (await drawable()).length > 0, { timeoutMs: 180_000, intervalMs: 2000, what: 'vehicles with a position in the API' });
    const network = await getJson('/network');
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, deviceScaleFactor: 1 });
    await page.clock.install();
    await page.goto(`${env.apiUrl}/map#key=${encodeURIComponent(env.apiKey)}`);
    await page.locator('#status[data-state="ready"]').waitFor({ timeout: 30_000 });

    // The vehicles move: take the page's drawing between two equal answers of the API.
    const vehicles = await waitFor(
      async () => {
        const before = await drawable();
        await refreshOnce(page);
        const after = await drawable();
        return snapshot(before) === snapshot(after) ? after : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500, what: 'a drawing of the map between two equal /vehicles answers' },
    );
    expect(await page.locator('#status').getAttribute('data-vehicles')).toBe(String(vehicles.length));

    const box = (await page.locator('#map').boundingBox())!;
    const [vx, vy, vw, vh] = (await page.locator('#map').getAttribute('viewBox'))!.split(' ').map(Number) as [number, number, number, number];
    const k = Math.cos(((network.bounds.minLat + network.bounds.maxLat) / 2) * (Math.PI / 180));
    const scale = Math.min(box.width / vw, box.height / vh);
    const left = box.x + (box.width - vw * scale) / 2;
    const top = box.y + (box.height - vh * scale) / 2;
    const placed = vehicles.map((v) => ({
      vehicle: v,
      x: Math.round(left + (v.longitude! * k - vx) * scale),
      y: Math.round(top + (-v.latitude! - vy) * scale),
    }));

    // Each dot where the projection puts it, in the colour of its delay.
    let radius = 0;
    for (const { vehicle, x, y } of placed) {
      const dot = page.locator(`circle.vehicle[data-vehicle-id="${vehicle.vehicleId.replaceAll('"', '\\"')}"]`);
      expect(await dot.getAttribute('data-colour'), vehicle.vehicleId).toBe(colourOf(vehicle));
      const dotBox = (await dot.boundingBox())!;
      expect(Math.abs(dotBox.x + dotBox.width / 2 - x), `${vehicle.vehicleId} x`).toBeLessThanOrEqual(1.5);
      expect(Math.abs(dotBox.y + dotBox.height / 2 - y), `${vehicle.vehicleId} y`).toBeLessThanOrEqual(1.5);
      radius = dotBox.width / 2;
    }

    // The screenshot, at the dots no other dot covers and that lie inside the map.
    const png = await page.screenshot({ type: 'png' });
    const visible = placed.filter(
      (p) =>
        p.x > box.x + radius && p.x < box.x + box.width - radius && p.y > box.y + radius && p.y < box.y + box.height - radius &&
        placed.every((q) => q === p || Math.hypot(q.x - p.x, q.y - p.y) > 2 * radius + 2),
    );
    expect(visible.length, 'vehicles on the map apart from the others').toBeGreaterThan(0);
    const pixels = await readPixels(png, visible);
    visible.forEach(({ vehicle }, i) => {
      const expected = COLOURS[colourOf(vehicle)];
      for (const rgb of pixels[i]!) {
        const matches = rgb.every((c, j) => Math.abs(c - expected[j]!) <= 3);
        expect(matches, `${vehicle.vehicleId}: ${rgb} in the screenshot, ${colourOf(vehicle)} is ${expected}`).toBe(true);
      }
    });
    await page.close();
  }, 360_000);
});
