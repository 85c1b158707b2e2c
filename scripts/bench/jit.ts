// How much the stack's JVMs (Flink, Kafka) are still compiling: the JIT keeps compiling paths that run rarely for
// many minutes after start or load (at 15 minutes idle, Flink's compiler threads were still a quarter of its CPU), so
// an idle measurement waits for it to fall quiet rather than for a fixed time.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { round, sleep } from './stats.ts';

/** A JVM publishes its counters in hsperfdata_<user>/<pid> (jstat reads them without attaching to it). */
const isJvm = (pid: number) => existsSync(join(tmpdir(), `hsperfdata_${userInfo().username}`, String(pid)));

/** Seconds the JIT compilers of the JVMs among `pids` have spent compiling since they started. */
export function jitSeconds(pids: number[]): number {
  let total = 0;
  for (const pid of pids.filter(isJvm)) {
    const out = spawnSync('jstat', ['-compiler', String(pid)], { encoding: 'utf8' });
    // "Compiled Failed Invalid Time FailedType FailedMethod" then one row of values
    const time = Number(out.stdout?.trim().split('\n')[1]?.trim().split(/\s+/)[3]);
    if (out.status === 0 && Number.isFinite(time)) total += time;
  }
  return total;
}

export interface JitQuiet {
  quiet: boolean;
  /** How long the wait took. */
  seconds: number;
  /** Compiling in the last window, % of one core. */
  lastWindowPercent: number;
}

/** Waits until the JVMs compile less than `maxPercent` of a core over a window, or the deadline passes. */
export async function waitForJitQuiet(pids: () => number[], { windowSeconds = 30, maxPercent = 1, deadlineSeconds = 600 } = {}): Promise<JitQuiet> {
  const started = Date.now();
  for (;;) {
    const before = jitSeconds(pids());
    await sleep(windowSeconds * 1000);
    const percent = round(((jitSeconds(pids()) - before) / windowSeconds) * 100, 2);
    const seconds = round((Date.now() - started) / 1000);
    if (percent < maxPercent || seconds + windowSeconds > deadlineSeconds) return { quiet: percent < maxPercent, seconds, lastWindowPercent: percent };
  }
}
