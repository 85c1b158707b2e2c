// The detector physics of docs/rich-data-contract.md ("Simulator physics"), in doubles and in ns of detector time
// counted from the run's start. Every random number comes from the Rng passed in, in a fixed order.
import type { RichParameters } from './parameters.ts';
import type { Rng } from './prng.ts';

export const C_MM_PER_NS = 299.792458;

export interface Track {
  offsetNs: number;
  x: number;
  y: number;
  z: number;
  vx: number;
  vy: number;
  vz: number;
}

export interface PixelHit {
  ix: number;
  iy: number;
  offsetNs: number;
}

type Vec = [number, number, number];

/** The gap to the next track, in whole ns: −1e9/rate · ln(1 − U) rounded down, at least 1 so track times stay unique. */
export function trackGapNs(rng: Rng, p: RichParameters): number {
  return Math.max(1, Math.floor(rng.exponential(p.trackRateHz / 1e9)));
}

/** The gap to the next dark count anywhere on the plane, in whole ns (rounded down). */
export function darkGapNs(rng: Rng, p: RichParameters): number {
  return Math.floor(rng.exponential((p.darkRatePerPixelHz * p.pixelsPerSide ** 2) / 1e9));
}

/** A dark count's pixel, uniform over the plane. */
export function darkPixel(rng: Rng, p: RichParameters): [ix: number, iy: number] {
  return [Math.floor(rng.uniform() * p.pixelsPerSide), Math.floor(rng.uniform() * p.pixelsPerSide)];
}

/** A track at `offsetNs`: impact point uniform in the central half of the plane, direction uniform in solid angle up to 45°. */
export function drawTrack(rng: Rng, p: RichParameters, offsetNs: number): Track {
  const half = (p.pixelsPerSide / 2) * p.pixelPitchMm;
  const x = half * (rng.uniform() - 0.5);
  const y = half * (rng.uniform() - 0.5);
  const theta = Math.acos(1 - rng.uniform() * (1 - Math.cos(Math.PI / 4)));
  const phi = 2 * Math.PI * rng.uniform();
  return {
    offsetNs,
    x,
    y,
    z: 0,
    vx: Math.sin(theta) * Math.cos(phi),
    vy: Math.sin(theta) * Math.sin(phi),
    vz: Math.cos(theta),
  };
}

/** The orthonormal frame (e1, e2, v) around a unit direction v: e1 = v × ẑ normalised (x̂ when v ∥ ẑ), e2 = v × e1. */
export function trackFrame(v: Vec): [e1: Vec, e2: Vec] {
  const cross: Vec = [v[1], -v[0], 0];
  const norm = Math.hypot(cross[0], cross[1]);
  const e1: Vec = norm > 1e-9 ? [cross[0] / norm, cross[1] / norm, 0] : [1, 0, 0];
  const e2: Vec = [v[1] * e1[2] - v[2] * e1[1], v[2] * e1[0] - v[0] * e1[2], v[0] * e1[1] - v[1] * e1[0]];
  return [e1, e2];
}

/** The mean number of photo-electrons of a track of speed β and direction cosine vz. */
export function meanPhotoElectrons(p: RichParameters, beta: number, vz: number): number {
  const n = p.refractiveIndex;
  return (p.photoElectrons * Math.max(0, (1 - 1 / (n * beta) ** 2) / (1 - 1 / n ** 2))) / vz;
}

/** floor(x/pitch + N/2), kept below N where x/pitch rounds up to N/2 just inside the edge. */
function pixelIndex(x: number, p: RichParameters): number {
  return Math.min(p.pixelsPerSide - 1, Math.floor(x / p.pixelPitchMm + p.pixelsPerSide / 2));
}

/** The hits of a track's Cherenkov photons that reach the plane (unsorted; times in ns from the run's start). */
export function trackHits(rng: Rng, p: RichParameters, track: Track): PixelHit[] {
  const n = p.refractiveIndex;
  const D = p.distanceMm;
  const beta = 1 - p.betaSpread * rng.uniform();
  const meanTheta = Math.acos(Math.min(1, 1 / (n * beta)));
  const count = rng.poisson(meanPhotoElectrons(p, beta, track.vz));
  const v: Vec = [track.vx, track.vy, track.vz];
  const [e1, e2] = trackFrame(v);
  const half = (p.pixelsPerSide * p.pixelPitchMm) / 2;
  const flightNs = D / (track.vz * C_MM_PER_NS);
  const hits: PixelHit[] = [];
  for (let i = 0; i < count; i++) {
    const theta = Math.max(0, meanTheta + rng.gaussian() * p.angularResolutionMrad * 1e-3);
    const phi = 2 * Math.PI * rng.uniform();
    // Drawn for every photon, landed or not, so the sequence of draws does not depend on where photons land.
    const delayNs = flightNs + (10 + rng.gaussian()) * p.timeResolutionNs;
    const a = Math.sin(theta) * Math.cos(phi);
    const b = Math.sin(theta) * Math.sin(phi);
    const c = Math.cos(theta);
    const u: Vec = [0, 1, 2].map((k) => a * e1[k]! + b * e2[k]! + c * v[k]!) as Vec;
    if (u[2] <= 0) continue;
    const x = track.x + (u[0] / u[2]) * D;
    const y = track.y + (u[1] / u[2]) * D;
    if (Math.abs(x) >= half || Math.abs(y) >= half) continue;
    hits.push({
      ix: pixelIndex(x, p),
      iy: pixelIndex(y, p),
      // Box–Muller normals from 53-bit uniforms stay within ±8.6, so a hit never precedes its track.
      offsetNs: track.offsetNs + Math.round(delayNs),
    });
  }
  return hits;
}
