// Whether a step held steady. A backlog that drains after publishing stops can still hide a pipeline that fell
// further behind all through the step: latency or consumer lag that grows from the first third of the publishing
// window to the last third means the step's rate is above what the pipeline sustains.

/** A quantity's value over the first and the last third of the publishing window (null: no data there). */
export interface Thirds {
  first: number | null;
  last: number | null;
}

/** The bounds of the publishing window's thirds: [start, end of the first third, start of the last third, end]. */
export function thirdsOf(startMs: number, endMs: number): [number, number, number, number] {
  const third = (endMs - startMs) / 3;
  return [startMs, startMs + third, endMs - third, endMs];
}

/** Grew: the last third is above the first by more than half of it plus `slack` (noise of a steady pipeline). */
export function grew({ first, last }: Thirds, slack: number): boolean {
  if (first === null || last === null) return false;
  return last > first * 1.5 + slack;
}

/** The mean of `value` over the samples taken in each outer third of the window. */
export function meanByThirds<T extends { t: number }>(samples: T[], value: (s: T) => number | undefined, startMs: number, endMs: number): Thirds {
  const [, firstEnd, lastStart] = thirdsOf(startMs, endMs);
  const mean = (inThird: (t: number) => boolean) => {
    const values = samples.filter((s) => inThird(s.t)).map(value).filter((v): v is number => v !== undefined);
    return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
  };
  return { first: mean((t) => t >= startMs && t < firstEnd), last: mean((t) => t >= lastStart && t <= endMs) };
}
