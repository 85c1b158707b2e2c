import { describe, expect, it } from 'vitest';
import { Rng } from './prng.ts';

describe('Rng (xoshiro128**)', () => {
  it('is xoshiro128**: from the state (1, 2, 3, 4) it gives the published first outputs', () => {
    const rng = new Rng(0);
    (rng as unknown as { s: Uint32Array }).s.set([1, 2, 3, 4]);
    expect(Array.from({ length: 6 }, () => rng.nextUint32())).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('repeats its sequence for a seed and differs between seeds', () => {
    const draw = (seed: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: 8 }, () => rng.nextUint32());
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
    expect(draw(2 ** 40)).not.toEqual(draw(0));
    expect(draw(-1)).not.toEqual(draw(1));
  });

  it('draws uniforms in [0, 1), normals and Poisson counts with the right moments', () => {
    const rng = new Rng(7);
    const n = 100_000;
    const u = Array.from({ length: n }, () => rng.uniform());
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(Math.abs(u.reduce((a, b) => a + b) / n - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    const g = Array.from({ length: n }, () => rng.gaussian());
    const mean = g.reduce((a, b) => a + b) / n;
    const variance = g.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    const k = Array.from({ length: 20_000 }, () => rng.poisson(50));
    const kMean = k.reduce((a, b) => a + b) / k.length;
    expect(Math.abs(kMean - 50)).toBeLessThan(5 * Math.sqrt(50 / k.length));
    expect(rng.poisson(0)).toBe(0);
  });
});
