// The simulation's clock: starts at `startMs` and runs `speed` times as fast as the real one, so that a test can
// run a service day in seconds.
export class SimClock {
  readonly startMs: number;
  readonly speed: number;
  readonly #realStart: number;
  readonly #realNow: () => number;

  constructor(startMs: number, speed = 1, realNow: () => number = Date.now) {
    if (!(speed > 0)) throw new RangeError(`speed must be positive, got ${speed}`);
    this.startMs = startMs;
    this.speed = speed;
    this.#realNow = realNow;
    this.#realStart = realNow();
  }

  /** Simulated epoch ms at a real instant (default: now). */
  at(realMs: number = this.#realNow()): number {
    return this.startMs + (realMs - this.#realStart) * this.speed;
  }

  /** Simulated epoch ms after `realElapsedMs` of real time from the start. */
  after(realElapsedMs: number): number {
    return this.startMs + realElapsedMs * this.speed;
  }
}
