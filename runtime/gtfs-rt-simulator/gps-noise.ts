// Seeded, deterministic GPS noise: the offset of a vehicle's reported position depends only on the seed, the
// vehicle and the second it reports, so the same run gives the same feed whatever polls it and when.

const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;

/** A 32-bit FNV-1a hash of the text, then mixed (murmur3's finaliser) into a well-spread seed. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** mulberry32: a small, fast PRNG; numbers in [0, 1). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The position moved by Gaussian noise of `sigmaMetres` north and east (Box–Muller), drawn from
 * (seed, vehicleId, second). A sigma of 0 returns the position unchanged.
 */
export function withGpsNoise(lat: number, lon: number, sigmaMetres: number, seed: number, vehicleId: string, second: number): [number, number] {
  if (sigmaMetres <= 0) return [lat, lon];
  const next = random(hash(`${seed}|${vehicleId}|${second}`));
  const radius = Math.sqrt(-2 * Math.log(1 - next())) * sigmaMetres;
  const angle = 2 * Math.PI * next();
  const north = radius * Math.cos(angle);
  const east = radius * Math.sin(angle);
  return [lat + north / EARTH_RADIUS_M / RAD, lon + east / (EARTH_RADIUS_M * Math.cos(lat * RAD)) / RAD];
}
