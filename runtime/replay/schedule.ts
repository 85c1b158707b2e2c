// When each logged message is due: the first at the start of the replay, every later one after its
// original distance from the first, divided by the speed. Speed 0 means no waiting at all.

export function dueAtMs(tsMs: number, firstTsMs: number, startMs: number, speed: number): number {
  if (speed === 0) return startMs;
  return startMs + (tsMs - firstTsMs) / speed;
}

/** How long the replay of a log spanning `spanMs` of original time takes at `speed` (without broker time). */
export function replayDurationMs(spanMs: number, speed: number): number {
  return speed === 0 ? 0 : spanMs / speed;
}
