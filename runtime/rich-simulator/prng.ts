// The simulator's one source of randomness: xoshiro128** (Blackman & Vigna; 128-bit state of four 32-bit words,
// period 2^128 − 1), seeded by splitmix32 from the integer seed. Uniforms have 53 random bits; Gaussians are
// Box–Muller (one normal per pair of uniforms, the sine half is not kept); Poisson counts are Knuth's product loop.

function splitmix32(state: { x: number }): number {
  state.x = (state.x + 0x9e3779b9) | 0;
  let z = state.x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

const rotl = (x: number, k: number) => (x << k) | (x >>> (32 - k));

export class Rng {
  private s = new Uint32Array(4);

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new Error(`seed ${seed}: must be an integer`);
    // Both 32-bit halves of the seed (negative seeds included) feed the seeding state.
    const high = Math.floor(seed / 2 ** 32);
    const mix = { x: (seed >>> 0) ^ Math.imul(high | 0, 0x27d4eb2d) };
    for (let i = 0; i < 4; i++) this.s[i] = splitmix32(mix);
    if (this.s.every((w) => w === 0)) this.s[0] = 1;
  }

  /** The next 32 random bits, as an unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** U in [0, 1) with 53 random bits. */
  uniform(): number {
    const a = this.nextUint32() >>> 5; // 27 bits
    const b = this.nextUint32() >>> 6; // 26 bits
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** N(0, 1) by Box–Muller: sqrt(−2 ln(1 − U1)) · cos(2π U2). */
  gaussian(): number {
    const r = Math.sqrt(-2 * Math.log(1 - this.uniform()));
    return r * Math.cos(2 * Math.PI * this.uniform());
  }

  /** Poisson(mean) by Knuth: the count of uniforms multiplied before the product drops to e^−mean (mean ≲ 500). */
  poisson(mean: number): number {
    if (!(mean > 0)) return 0;
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.uniform();
    while (p > limit) {
      k++;
      p *= this.uniform();
    }
    return k;
  }

  /** The gap to the next event of a Poisson process at `ratePerNs`, in ns (−ln(1 − U)/rate). */
  exponential(ratePerNs: number): number {
    return -Math.log(1 - this.uniform()) / ratePerNs;
  }
}
