// Statistics of the physics against the contract's formulas, on a few hundred tracks. Tolerances are 5 standard
// errors of the estimate (plus the stated bias allowance where pixels quantise the geometry).
import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMETERS, type RichParameters } from './parameters.ts';
import { C_MM_PER_NS, meanPhotoElectrons, trackHits, type Track } from './physics.ts';
import { Rng } from './prng.ts';
import { simulateRun } from './run.ts';

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const sd = (values: number[]) => {
  const m = mean(values);
  return Math.sqrt(mean(values.map((v) => (v - m) ** 2)));
};

/** A track through the plane's centre at `thetaDeg` from the normal (φ = 30°). */
function track(thetaDeg: number): Track {
  const t = (thetaDeg * Math.PI) / 180;
  const phi = Math.PI / 6;
  return { offsetNs: 1_000_000, x: 0, y: 0, z: 0, vx: Math.sin(t) * Math.cos(phi), vy: Math.sin(t) * Math.sin(phi), vz: Math.cos(t) };
}

/** |q| of a pixel's centre in the track's normal-incidence plane: D·tan of its angle to the track (test's own geometry). */
function radiusInTrackFrame(p: RichParameters, t: Track, ix: number, iy: number): number {
  const hx = (ix + 0.5 - p.pixelsPerSide / 2) * p.pixelPitchMm - t.x;
  const hy = (iy + 0.5 - p.pixelsPerSide / 2) * p.pixelPitchMm - t.y;
  const cos = (hx * t.vx + hy * t.vy + p.distanceMm * t.vz) / Math.hypot(hx, hy, p.distanceMm);
  return p.distanceMm * Math.tan(Math.acos(cos));
}

describe('RICH physics', () => {
  const fixedBeta = { ...DEFAULT_PARAMETERS, betaSpread: 0 }; // β = 1

  it.each([0, 30])('gives npe0/vz photo-electrons for β = 1 at %i° (all photons land near the centre)', (deg) => {
    const rng = new Rng(11);
    const t = track(deg);
    const counts = Array.from({ length: 400 }, () => trackHits(rng, fixedBeta, t).length);
    const expected = meanPhotoElectrons(fixedBeta, 1, t.vz);
    expect(expected).toBeCloseTo(50 / t.vz, 10);
    expect(Math.abs(mean(counts) - expected)).toBeLessThan(5 * Math.sqrt(expected / counts.length));
  });

  it('averages the contract formula over β = 1 − betaSpread·U', () => {
    const rng = new Rng(12);
    const t = track(0);
    const counts = Array.from({ length: 400 }, () => trackHits(rng, DEFAULT_PARAMETERS, t).length);
    // E[meanNpe] by the midpoint rule over U; the count's variance is E[meanNpe] + Var[meanNpe] ≤ 2·E here.
    const expected = mean(Array.from({ length: 1000 }, (_, i) => meanPhotoElectrons(DEFAULT_PARAMETERS, 1 - 0.02 * ((i + 0.5) / 1000), 1)));
    expect(Math.abs(mean(counts) - expected)).toBeLessThan(5 * Math.sqrt((2 * expected) / counts.length));
  });

  it.each([0, 40])('puts the ring at D·tanθc around the track in its own frame at %i°', (deg) => {
    const rng = new Rng(13);
    const t = track(deg);
    const radii = Array.from({ length: 200 }, () => trackHits(rng, fixedBeta, t)).flatMap((hits) => hits.map((h) => radiusInTrackFrame(fixedBeta, t, h.ix, h.iy)));
    const expected = fixedBeta.distanceMm * Math.tan(Math.acos(1 / fixedBeta.refractiveIndex)); // 64.0 mm
    // σ per photon ≈ σr (2.4 mm); 0.2 mm allows the bias of pixel centres and of tan over the angular spread.
    expect(Math.abs(mean(radii) - expected)).toBeLessThan(5 * (2.6 / Math.sqrt(radii.length)) + 0.2);
    expect(sd(radii)).toBeGreaterThan(1.5);
    expect(sd(radii)).toBeLessThan(3.5);
  });

  it('delays hits by D/(vz·c) + 10·σt with σt spread', () => {
    const rng = new Rng(14);
    const t = track(30);
    const flight = DEFAULT_PARAMETERS.distanceMm / (t.vz * C_MM_PER_NS);
    const delays = Array.from({ length: 200 }, () => trackHits(rng, DEFAULT_PARAMETERS, t)).flatMap((hits) => hits.map((h) => h.offsetNs - t.offsetNs - flight));
    const sigma = DEFAULT_PARAMETERS.timeResolutionNs;
    expect(Math.abs(mean(delays) - 10 * sigma)).toBeLessThan(5 * (sigma / Math.sqrt(delays.length)));
    expect(Math.abs(sd(delays) / sigma - 1)).toBeLessThan(5 / Math.sqrt(2 * delays.length));
    expect(delays.every((d) => Number.isInteger(d + flight))).toBe(true);
  });

  it('draws dark counts at darkRatePerPixelHz·N² on uniform pixels, and tracks at trackRateHz within the contract ranges', () => {
    const parameters = { ...DEFAULT_PARAMETERS, trackRateHz: 100 };
    const { tracks, hits } = simulateRun({ parameters, seed: 15, startNs: 0n, durationNs: 10e9 });
    const dark = hits.filter((h) => h.trackId === null);
    const expectedDark = parameters.darkRatePerPixelHz * parameters.pixelsPerSide ** 2 * 10; // ≈ 19,987
    expect(Math.abs(dark.length - expectedDark)).toBeLessThan(5 * Math.sqrt(expectedDark));
    expect(Math.abs(mean(dark.map((h) => h.ix)) - 119.5)).toBeLessThan(5 * (69.3 / Math.sqrt(dark.length)));
    expect(Math.abs(mean(dark.map((h) => h.iy)) - 119.5)).toBeLessThan(5 * (69.3 / Math.sqrt(dark.length)));
    expect(dark.every((h) => h.timeNs >= 0n && h.timeNs < 10_000_000_000n)).toBe(true);
    expect(Math.abs(tracks.length - 1000)).toBeLessThan(5 * Math.sqrt(1000));
    for (const t of tracks) {
      expect(Math.abs(t.x)).toBeLessThanOrEqual(180);
      expect(Math.abs(t.y)).toBeLessThanOrEqual(180);
      expect(t.vz).toBeGreaterThanOrEqual(Math.cos(Math.PI / 4) - 1e-12);
      expect(Math.hypot(t.vx, t.vy, t.vz)).toBeCloseTo(1, 12);
    }
    // Uniform in solid angle up to 45°: cos θ uniform on [cos 45°, 1].
    expect(Math.abs(mean(tracks.map((t) => t.vz)) - (1 + Math.SQRT1_2) / 2)).toBeLessThan(5 * ((1 - Math.SQRT1_2) / Math.sqrt(12 * tracks.length)));
  });
});
