import { describe, expect, it } from 'vitest';
import { grew, meanByThirds, thirdsOf } from '../scripts/bench/growth.ts';
import { largestTotal, memoryNow } from '../scripts/bench/procstat.ts';
import { loadOfCeilings } from '../scripts/bench/stage-ceilings.ts';

describe('bench step growth', () => {
  it('splits the publishing window into thirds', () => {
    expect(thirdsOf(1_000, 10_000)).toEqual([1_000, 4_000, 7_000, 10_000]);
  });

  it('averages samples of the first and the last third only', () => {
    const samples = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => ({ t: 1_000 * (i + 1), lag: i === 4 ? undefined : i * 10 }));
    // first third [1000, 4000): t = 1000, 2000, 3000; last third [7000, 10000]: t = 7000, 8000, 9000
    expect(meanByThirds(samples, (s) => s.lag, 1_000, 10_000)).toEqual({ first: 10, last: 70 });
    expect(meanByThirds([], (s: { t: number }) => s.t, 0, 10)).toEqual({ first: null, last: null });
  });

  it('calls growth beyond half of the first third plus the slack', () => {
    expect(grew({ first: 1_000, last: 2_000 }, 500)).toBe(false);
    expect(grew({ first: 1_000, last: 2_001 }, 500)).toBe(true);
    expect(grew({ first: 0, last: 501 }, 500)).toBe(true);
    expect(grew({ first: null, last: 90_000 }, 500)).toBe(false);
  });
});

describe('bench load against the stage ceilings', () => {
  it('gives the offered rate as a share of each measured ceiling and names the highest the bottleneck', () => {
    expect(loadOfCeilings(5_000, { publisher: 150_000, gateway: 37_500, flink: 7_850, redisSink: 0 })).toEqual({
      ratios: { publisher: 0.03, gateway: 0.13, flink: 0.64 },
      bottleneck: { stage: 'flink', ratio: 0.64 },
    });
    expect(loadOfCeilings(5_000, {})).toEqual({ ratios: {}, bottleneck: { stage: 'none', ratio: 0 } });
  });
});

describe('stack memory', () => {
  it('reads a process tree\'s proportional set size, at most its resident set', () => {
    const { self } = memoryNow({ self: [process.pid] });
    const rssMiB = process.memoryUsage().rss / 2 ** 20;
    expect(self).toBeGreaterThan(10);
    expect(self).toBeLessThanOrEqual(Math.ceil(rssMiB) + 1);
  });

  it('takes the moment with the largest total, not each part\'s own peak', () => {
    expect(largestTotal([{ flink: 900, kafka: 500 }, { flink: 1000, kafka: 300 }, { flink: 950, kafka: 480 }])).toEqual({
      peakMiB: 1430, atPeakMiB: { flink: 950, kafka: 480 }, readings: 3,
    });
    expect(largestTotal([])).toEqual({ peakMiB: null, atPeakMiB: {}, readings: 0 });
  });
});
