// Random numbers for the simulator: Math.random by default, or a seeded generator (SEED) so that a run
// can be repeated exactly. Helpers mirror Python's random.uniform / randint / gauss.

export interface Random {
  next(): number;
  uniform(a: number, b: number): number;
  /** Integer in [a, b], both ends included (Python's randint). */
  randint(a: number, b: number): number;
  gauss(mu: number, sigma: number): number;
}

/** mulberry32 seeded by a string hash (FNV-1a). */
function seeded(seed: string): () => number {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  let state = h >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function createRandom(seed?: string): Random {
  const next = seed === undefined || seed === '' ? Math.random : seeded(seed);
  let spare: number | undefined;
  return {
    next,
    uniform: (a, b) => a + (b - a) * next(),
    randint: (a, b) => a + Math.floor(next() * (b - a + 1)),
    gauss(mu, sigma) {
      // Box-Muller; the second value of each pair is kept for the next call.
      if (spare !== undefined) {
        const z = spare;
        spare = undefined;
        return mu + sigma * z;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return mu + sigma * r * Math.cos(2 * Math.PI * v);
    },
  };
}
