// Where the event display (services/api/display/display.html) must draw things, computed here from the RICH data
// contract (docs/rich-data-contract.md of create-iot-platform), and the colours of a screenshot read back.
// Pure functions besides readPixels: the platform's own tests use them too.
import type { Browser } from 'playwright-core';

export interface Detector { pixelsPerSide: number; pixelPitchMm: number; distanceMm: number }
export interface RingFit { x: number; y: number; vx: number; vy: number; vz: number; centreX: number; centreY: number; radius: number }
/** A ring found from the hits alone (trackless mode): no track, its circle fitted on the plane. */
export interface PlaneRingFit { vz: null; centreX: number; centreY: number; radius: number }
export interface Box { x: number; y: number; width: number; height: number }
type Vec = [number, number, number];

/** The page's colours as RGB. */
export const COLOURS = {
  noise: [0x78, 0x90, 0x9c],
  signal: [0xff, 0x70, 0x43], // the selected track's hits
  ring: [0xff, 0xcc, 0xbc], // the selected track's ring
} as const;
/** The page's margin around the plane (CSS px). */
export const MARGIN = 8;

/** A pixel's centre on the plane, mm. */
export function pixelCentre(ix: number, iy: number, d: Detector): [number, number] {
  return [(ix + 0.5 - d.pixelsPerSide / 2) * d.pixelPitchMm, (iy + 0.5 - d.pixelsPerSide / 2) * d.pixelPitchMm];
}

/** The pixel a plane point (mm) falls in. */
export function pixelOf(x: number, y: number, d: Detector): [number, number] {
  return [Math.floor(x / d.pixelPitchMm + d.pixelsPerSide / 2), Math.floor(y / d.pixelPitchMm + d.pixelsPerSide / 2)];
}

/**
 * The point of the fitted circle at angle φ on the plane: q = (a + R cos φ, b + R sin φ) in the track frame,
 * θ = atan(|q|/D), ψ = atan2(q_y, q_x), u = cos θ·v + sin θ·(cos ψ·e1 + sin ψ·e2) with e1 = normalise(v × ẑ)
 * (x̂ when |v × ẑ| ≤ 1e-9) and e2 = v × e1; the plane point is impact + (u_x/u_z, u_y/u_z)·D.
 */
export function ringPoint(ring: RingFit, phi: number, distanceMm: number): [number, number] {
  const n = Math.hypot(ring.vx, ring.vy, ring.vz);
  const v: Vec = [ring.vx / n, ring.vy / n, ring.vz / n];
  const side = Math.hypot(v[0], v[1]);
  const e1: Vec = side > 1e-9 ? [v[1] / side, -v[0] / side, 0] : [1, 0, 0];
  const e2: Vec = [v[1] * e1[2] - v[2] * e1[1], v[2] * e1[0] - v[0] * e1[2], v[0] * e1[1] - v[1] * e1[0]];
  const [qx, qy] = [ring.centreX + ring.radius * Math.cos(phi), ring.centreY + ring.radius * Math.sin(phi)];
  const theta = Math.atan(Math.hypot(qx, qy) / distanceMm);
  const psi = Math.atan2(qy, qx);
  const u = [0, 1, 2].map((i) => Math.cos(theta) * v[i]! + Math.sin(theta) * (Math.cos(psi) * e1[i]! + Math.sin(psi) * e2[i]!)) as Vec;
  return [ring.x + (u[0] / u[2]) * distanceMm, ring.y + (u[1] / u[2]) * distanceMm];
}

/** The point at angle φ of the ring as the display draws it: a trackless ring is its fitted circle as it is. */
export function drawnRingPoint(ring: RingFit | PlaneRingFit, phi: number, distanceMm: number): [number, number] {
  if (ring.vz === null) return [ring.centreX + ring.radius * Math.cos(phi), ring.centreY + ring.radius * Math.sin(phi)];
  return ringPoint(ring, phi, distanceMm);
}

/** Plane mm → page px: the plane centred in the canvas box, fitted inside the margin, +y up. */
export function toScreen(box: Box, d: Detector): (x: number, y: number) => { x: number; y: number } {
  const scale = (Math.min(box.width, box.height) - 2 * MARGIN) / (d.pixelsPerSide * d.pixelPitchMm);
  return (x, y) => ({ x: box.x + box.width / 2 + x * scale, y: box.y + box.height / 2 - y * scale });
}

/** A pixel's square on the page: half its side, px. */
export function halfSquare(box: Box, d: Detector): number {
  return (Math.max(d.pixelPitchMm * ((Math.min(box.width, box.height) - 2 * MARGIN) / (d.pixelsPerSide * d.pixelPitchMm)), 2)) / 2;
}

// Runs in the browser (the project's tsconfig has no DOM types, hence source text): the RGB of the screenshot's
// pixel that holds each point.
const READ_PIXELS = `async ({ dataUrl, points }) => {
  const image = new Image();
  image.src = dataUrl;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  return points.map(({ x, y }) => Array.from(context.getImageData(Math.floor(x), Math.floor(y), 1, 1).data.slice(0, 3)));
}`;

/** The RGB at each point of a PNG screenshot, read back in a page of its own. */
export async function readPixels(browser: Browser, png: Buffer, points: { x: number; y: number }[]): Promise<number[][]> {
  const reader = await browser.newPage();
  try {
    const args = { dataUrl: `data:image/png;base64,${png.toString('base64')}`, points };
    return (await reader.evaluate(`(${READ_PIXELS})(${JSON.stringify(args)})`)) as number[][];
  } finally {
    await reader.close();
  }
}

/** Whether an RGB is within 3 per channel of another. */
export const near = (rgb: readonly number[], expected: readonly number[]) => rgb.every((c, i) => Math.abs(c - expected[i]!) <= 3);
