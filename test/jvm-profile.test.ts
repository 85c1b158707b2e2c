import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { profileWindow, profilerJvmOptions, summariseProfile, threadGroup } from '../scripts/bench/jvm-profile.ts';

const dir = mkdtempSync(join(tmpdir(), 'jvm-profile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A Java program whose main thread burns CPU in Busy.spin for `seconds`. */
function busyProgram(seconds: number): string {
  const source = join(dir, 'Busy.java');
  writeFileSync(source, `public class Busy {
  // many square roots per clock read: where reading the clock is a system call, it would otherwise be the leaf
  static double spin(long until) { double x = 0; while (System.nanoTime() < until) for (int i = 0; i < 100_000; i++) x += Math.sqrt(x + i); return x; }
  public static void main(String[] a) { System.out.println("spinning"); System.out.println(spin(System.nanoTime() + ${Math.round(seconds * 1000)}L * 1_000_000L) > 0); }
}
`);
  return source;
}

function expectBusyMain(summary: ReturnType<typeof summariseProfile>, minCpuSeconds: number) {
  if ('error' in summary) throw new Error(summary.error);
  const main = summary.groups.find((g) => g.name === 'runner main (planning, submission)');
  expect(main?.cpuSeconds).toBeGreaterThan(minCpuSeconds);
  expect(main!.hottest.some((h) => h.frame.startsWith('Busy.spin'))).toBe(true);
}

describe('threadGroup', () => {
  it('puts the subtasks of a Flink task and its helper threads together, and names the JVM’s own work', () => {
    expect(threadGroup('[ProcessTableFunction[7] -> Calc[14] -> vehicle_arrival[15]: Writer (1/2)#0 tid=17832]'))
      .toBe('task: ProcessTableFunction[7] -> Calc[14] -> vehicle_arrival[15]: Writer');
    expect(threadGroup('[ProcessTableFunction[7] -> Calc[14] -> vehicle_arrival[15]: Writer (2/2)#0 tid=17833]'))
      .toBe('task: ProcessTableFunction[7] -> Calc[14] -> vehicle_arrival[15]: Writer');
    expect(threadGroup('[Source Data Fetcher for Source: hits[6] -> Calc[7] (1/1)#0 tid=5]')).toBe('task: Source: hits[6] -> Calc[7]');
    expect(threadGroup('[C2 CompilerThre tid=17]')).toBe('JVM: JIT compilers');
    expect(threadGroup('[VM Thread tid=9]')).toBe('JVM: GC and safepoints');
    expect(threadGroup('[AsyncOperations-thread-1 tid=40]')).toBe('Flink: checkpoint snapshots (async part)');
    expect(threadGroup('[kafka-producer-network-thread | producer-5 tid=41]')).toBe('Kafka producers (sinks)');
    expect(threadGroup('[flink-pekko.actor.default-dispatcher-4 tid=42]')).toBe('other JVM threads (RPC, REST, metrics, timers)');
  });
});

describe('summariseProfile', () => {
  it('sums samples per group, largest first, with each group’s hottest frames and platform functions', () => {
    const file = join(dir, 'collapsed.txt');
    writeFileSync(file, [
      '[Rank[19] -> Calc[20] (1/2)#0 tid=1];java/lang/Thread.run;dev/iotplatform/flink/functions/X.eval;a/B.c 30',
      '[Rank[19] -> Calc[20] (2/2)#0 tid=2];java/lang/Thread.run;a/B.d 10',
      '[C2 CompilerThre tid=3];Compile::Code_Gen() 60',
      '',
    ].join('\n'));
    const summary = summariseProfile(file, 10);
    expect(summary).toMatchObject({ samples: 100, cpuSeconds: 1 });
    if ('error' in summary) throw new Error(summary.error);
    expect(summary.groups.map((g) => [g.name, g.samples, g.percent])).toEqual([
      ['JVM: JIT compilers', 60, 60],
      ['task: Rank[19] -> Calc[20]', 40, 40],
    ]);
    expect(summary.groups[1]!.hottest).toEqual([{ frame: 'a/B.c', percentOfGroup: 75 }, { frame: 'a/B.d', percentOfGroup: 25 }]);
    expect(summary.groups[1]!.platformFunctions).toEqual([{ frame: 'dev/iotplatform/flink/functions/X.eval', percentOfGroup: 75 }]);
  });

  it('says so when there is no profile', () => {
    expect(summariseProfile(join(dir, 'absent.txt'))).toEqual({ error: `no profile at ${join(dir, 'absent.txt')} (the JVM did not exit cleanly?)` });
  });

  it('profiles a real JVM from its start: a busy method shows up in its thread’s group', () => {
    const file = join(dir, 'busy.txt');
    const options = profilerJvmOptions(file);
    if ('error' in options) throw new Error(options.error);
    const run = spawnSync('java', [options.options, busyProgram(1.5)], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    expectBusyMain(summariseProfile(file), 0.8);
  }, 90_000);

  it('profiles a running JVM for a window: attached, then stopped into a file while the JVM runs on', async () => {
    const jvm = spawn('java', [busyProgram(60)], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        jvm.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('spinning') && resolve());
        jvm.on('exit', (code) => reject(new Error(`java exited with ${code} before it started spinning`)));
      });
      const window = profileWindow(jvm.pid!);
      if ('error' in window) throw new Error(window.error);
      await new Promise((resolve) => setTimeout(resolve, 1500)); // the window: CPU time to sample
      const file = join(dir, 'window.txt');
      expectBusyMain(window.stop(file), 0.8);
      expect(jvm.exitCode).toBe(null);
    } finally {
      jvm.kill('SIGKILL');
    }
  }, 90_000);

  it('says why when there is no JVM to attach to', () => {
    const window = profileWindow(2 ** 22 + 1);
    expect(window).toMatchObject({ error: expect.stringMatching(/^jcmd 4194305 JVMTI\.agent_load \(start\) failed: /) });
  }, 60_000);
});
