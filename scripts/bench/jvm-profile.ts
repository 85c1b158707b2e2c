// A CPU profile of Flink's JVM for the benchmarks: async-profiler (scripts/ensure-async-profiler.sh) sampling every
// thread's CPU time (itimer: no perf events needed), written as collapsed stacks per thread. Either attached at the
// JVM's start through FLINK_JVM_OPTIONS (the profile covers the whole run, written when the JVM exits) or to a
// running JVM for a window (profileWindow: a step at its rate, without start-up and JIT). The summary groups the samples by what the thread does: each
// Flink task (an operator chain, its subtasks together) and the JVM's own work (JIT compilers, GC, checkpoint
// snapshots, Kafka client threads), with each group's hottest frames.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ENSURE = fileURLToPath(new URL('../ensure-async-profiler.sh', import.meta.url));
export const PROFILE_INTERVAL_MS = 10;

/** The JVM options that profile a JVM into `file` (collapsed stacks), or an error line when the agent is not to be had. */
export function profilerJvmOptions(file: string): { options: string } | { error: string } {
  const agent = agentPath();
  if ('error' in agent) return agent;
  return { options: `-agentpath:${agent.path}=start,event=itimer,interval=${PROFILE_INTERVAL_MS}ms,threads,collapsed,file=${file}` };
}

/** Where the agent is, or why it is not to be had. */
function agentPath(): { path: string } | { error: string } {
  const ensured = spawnSync('bash', [ENSURE], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (ensured.status !== 0) return { error: `scripts/ensure-async-profiler.sh failed: ${ensured.stderr.trim().split('\n').pop()}` };
  return { path: ensured.stdout.trim() };
}

/** Sends async-profiler a command in a running JVM (jcmd loads the agent once, then passes each command to it). */
function profilerCommand(pid: number, agent: string, command: string): string | undefined {
  // jcmd splits its arguments at '=' unless the agent's options are quoted within the argument itself
  const run = spawnSync('jcmd', [String(pid), 'JVMTI.agent_load', agent, `"${command}"`], { encoding: 'utf8', timeout: 60_000 });
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}`.trim();
  if (run.error) return `jcmd: ${run.error.message}`;
  if (run.status !== 0 || !/return code: 0/.test(output)) return `jcmd ${pid} JVMTI.agent_load (${command.split(',')[0]}) failed: ${output.split('\n').pop()}`;
  return undefined;
}

/** A profile being taken of a running JVM: stop() writes it to `file` and summarises it. */
export interface ProfileWindow {
  stop(file: string): ProfileSummary | { error: string };
}

/** Starts sampling a running JVM's threads (its pid), from now until the window's stop(). */
export function profileWindow(pid: number): ProfileWindow | { error: string } {
  const agent = agentPath();
  if ('error' in agent) return agent;
  const started = profilerCommand(pid, agent.path, `start,event=itimer,interval=${PROFILE_INTERVAL_MS}ms,threads`);
  if (started) return { error: started };
  return {
    stop(file) {
      rmSync(file, { force: true });
      const stopped = profilerCommand(pid, agent.path, `stop,collapsed,threads,file=${file}`);
      return stopped ? { error: stopped } : summariseProfile(file);
    },
  };
}

/**
 * Profiles the Flink JVM the native stack starts next (stack/native/flink.ts reads FLINK_JVM_OPTIONS) into `file`,
 * which appears when that JVM exits. Throws when the profiler cannot be had.
 */
export function profileNextFlink(file: string): void {
  const profiler = profilerJvmOptions(file);
  if ('error' in profiler) throw new Error(profiler.error);
  rmSync(file, { force: true });
  process.env.FLINK_JVM_OPTIONS = profiler.options;
}

export interface ProfileGroup {
  name: string;
  samples: number;
  /** CPU seconds (samples × the interval) */
  cpuSeconds: number;
  percent: number;
  /** the frames that spent the most CPU themselves */
  hottest: { frame: string; percentOfGroup: number }[];
  /** the platform's own functions (dev.iotplatform…) by inclusive time */
  platformFunctions: { frame: string; percentOfGroup: number }[];
}

export interface ProfileSummary {
  file: string;
  intervalMs: number;
  samples: number;
  cpuSeconds: number;
  groups: ProfileGroup[];
}

/** The group of a thread: a Flink task's operator chain (subtask and attempt dropped), or the JVM's part. */
export function threadGroup(thread: string): string {
  const name = thread.replace(/^\[|\]$/g, '').replace(/ tid=\d+$/, '');
  if (/^C[12] CompilerThre/.test(name)) return 'JVM: JIT compilers';
  if (/^(VM Thread|GC Thread|G1 |VM Periodic)/.test(name)) return 'JVM: GC and safepoints';
  if (/^AsyncOperations-thread/.test(name)) return 'Flink: checkpoint snapshots (async part)';
  if (/^kafka-producer-network-thread/.test(name)) return 'Kafka producers (sinks)';
  if (/^(Source Data Fetcher for |Time Trigger for |OutputFlusher for )/.test(name)) {
    return `task: ${name.replace(/^(Source Data Fetcher for |Time Trigger for |OutputFlusher for )/, '').replace(/ \(\d+\/\d+\)(#\d+)?$/, '')}`;
  }
  if (/ \(\d+\/\d+\)(#\d+)?$/.test(name)) return `task: ${name.replace(/ \(\d+\/\d+\)(#\d+)?$/, '')}`;
  // the main thread is named DestroyJavaVM when it has ended before the profile is written
  if (name === 'main' || name === 'DestroyJavaVM') return 'runner main (planning, submission)';
  return 'other JVM threads (RPC, REST, metrics, timers)';
}

const top = (counts: Map<string, number>, total: number, n: number) =>
  [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([frame, c]) => ({ frame, percentOfGroup: Math.round((c / total) * 1000) / 10 }));

/** Reads a collapsed-stacks file ("thread;frame;…;frame count" per line) into groups, largest first. */
export function summariseProfile(file: string, intervalMs = PROFILE_INTERVAL_MS, hottestPerGroup = 6): ProfileSummary | { error: string } {
  if (!existsSync(file)) return { error: `no profile at ${file} (the JVM did not exit cleanly?)` };
  const groups = new Map<string, { samples: number; self: Map<string, number>; platform: Map<string, number> }>();
  let total = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const space = line.lastIndexOf(' ');
    if (space < 0) continue;
    const count = Number(line.slice(space + 1));
    if (!Number.isFinite(count) || count <= 0) continue;
    const frames = line.slice(0, space).split(';');
    const name = threadGroup(frames[0]!);
    let group = groups.get(name);
    if (!group) groups.set(name, (group = { samples: 0, self: new Map(), platform: new Map() }));
    group.samples += count;
    total += count;
    const leaf = frames.at(-1)!;
    group.self.set(leaf, (group.self.get(leaf) ?? 0) + count);
    for (const frame of new Set(frames.slice(1).filter((f) => f.startsWith('dev/iotplatform/')))) {
      group.platform.set(frame, (group.platform.get(frame) ?? 0) + count);
    }
  }
  const round1 = (n: number) => Math.round(n * 10) / 10;
  return {
    file,
    intervalMs,
    samples: total,
    cpuSeconds: round1((total * intervalMs) / 1000),
    groups: [...groups.entries()].sort((a, b) => b[1].samples - a[1].samples).map(([name, g]) => ({
      name,
      samples: g.samples,
      cpuSeconds: round1((g.samples * intervalMs) / 1000),
      percent: total ? round1((g.samples / total) * 100) : 0,
      hottest: top(g.self, g.samples, hottestPerGroup),
      platformFunctions: top(g.platform, g.samples, hottestPerGroup),
    })),
  };
}

/** Prints a summary: each group's share of the JVM's CPU and its hottest frames. */
export function logProfile(summary: ProfileSummary | { error: string }, log: (line: string) => void, over = "over the JVM's run", groups = 10): void {
  if ('error' in summary) {
    log(`\nFlink CPU profile: ${summary.error}`);
    return;
  }
  log(`\nFlink CPU profile (async-profiler, ${summary.cpuSeconds} CPU s ${over}; ${summary.file}):`);
  for (const g of summary.groups.slice(0, groups)) {
    log(`  ${String(g.percent).padStart(5)} %  ${g.cpuSeconds} s  ${g.name}`);
    const named = g.platformFunctions.length ? g.platformFunctions : g.hottest;
    log(`           ${named.slice(0, 3).map((f) => `${f.frame.replace(/^.*\//, '')} ${f.percentOfGroup} %`).join(', ')}`);
  }
}
