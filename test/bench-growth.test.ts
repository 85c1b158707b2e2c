import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { grew, meanByThirds, thirdsOf } from '../scripts/bench/growth.ts';
import { largestTotal, memoryNow } from '../scripts/bench/procstat.ts';
import { loadOfCeilings } from '../scripts/bench/stage-ceilings.ts';
import { cpuBudget } from '../scripts/bench/cpu-budget.ts';
import { jitSeconds } from '../scripts/bench/jit.ts';

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

describe('CPU per message', () => {
  it('divides each component\'s CPU time by the messages of the step and bounds the rate the cores could carry', () => {
    // 5,000 msg/s for 10 s = 50,000 messages; flink 6.6 CPU s → 132 µs each, gateway 1.7 → 34, the bench left out
    const budget = cpuBudget({
      usage: { flink: { cpuSeconds: 6.6 }, gateway: { cpuSeconds: 1.7 }, bench: { cpuSeconds: 0.3 } },
      seconds: 10, msgPerSec: 5_000, cores: 2, targetMsgPerSec: 25_000, exclude: ['bench'],
    });
    expect(budget).toEqual({ microsPerMessage: { flink: 132, gateway: 34 }, totalMicrosPerMessage: 166, machineBoundMsgPerSec: 12_048, coresAtTarget: 4.15 });
  });

  it('refuses a step without messages', () => {
    expect(() => cpuBudget({ usage: {}, seconds: 10, msgPerSec: 0, cores: 2, targetMsgPerSec: 1, exclude: [] })).toThrow(/rate and length must be positive/);
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

describe('JIT activity of the stack\'s JVMs', () => {
  it('reads a running JVM\'s compile time and none for a process that is no JVM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jit-'));
    writeFileSync(join(dir, 'Wait.java'), 'class Wait { public static void main(String[] a) throws Exception { System.out.println("up"); Thread.sleep(60_000); } }');
    const jvm = spawn('java', [join(dir, 'Wait.java')], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      // the source launcher compiles Wait.java in the JVM before main prints: compiled methods by then
      await new Promise<void>((resolve, reject) => {
        jvm.stdout.once('data', () => resolve());
        jvm.once('exit', (code) => reject(new Error(`java exited ${code}`)));
      });
      expect(jitSeconds([jvm.pid!])).toBeGreaterThan(0);
      expect(jitSeconds([process.pid])).toBe(0);
    } finally {
      jvm.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
