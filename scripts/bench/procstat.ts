// Per-component resource use from /proc: CPU seconds (utime+stime, plus reaped children) and peak RSS
// (VmHWM) summed over each component's process tree (the pids in .stack/state.json and their descendants), and the
// memory the trees occupy at one moment (PSS: a page shared by several processes counts once, split among them).
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS = 100; // USER_HZ on Linux

interface ProcInfo {
  pid: number;
  ppid: number;
  cpuTicks: number;
}

function readProc(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is state (field 3); utime=14, stime=15, cutime=16, cstime=17 → indexes 11..14
    const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    return { pid, ppid: Number(fields[1]), cpuTicks: ticks };
  } catch {
    return undefined;
  }
}

function allProcs(): ProcInfo[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => readProc(Number(d)))
    .filter((p): p is ProcInfo => p !== undefined);
}

function tree(roots: number[], procs: ProcInfo[], stop: Set<number>): ProcInfo[] {
  const children = new Map<number, ProcInfo[]>();
  for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  const out: ProcInfo[] = [];
  const queue = roots.map((r) => byPid.get(r)).filter((p): p is ProcInfo => p !== undefined);
  while (queue.length) {
    const p = queue.shift()!;
    out.push(p);
    queue.push(...(children.get(p.pid) ?? []).filter((c) => !stop.has(c.pid)));
  }
  return out;
}

function vmHwmKiB(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

export interface ComponentUsage {
  cpuSeconds: number;
  /** Sum of VmHWM over the tree's processes (each process's own peak), MiB. */
  peakRssMiB: number;
  processes: number;
}

/**
 * Each named group's processes: a tree does not descend into another group's roots (the benchmark process is the
 * parent of the whole stack), nor below a group named in `selfOnly`.
 */
function groupMembers(groups: Record<string, number[]>, selfOnly: string[]): [string, ProcInfo[]][] {
  const procs = allProcs();
  const allRoots = new Set(Object.values(groups).flat());
  return Object.entries(groups).map(([name, roots]) => [name, selfOnly.includes(name) ? procs.filter((p) => roots.includes(p.pid)) : tree(roots, procs, allRoots)]);
}

/** One snapshot for every named group of root pids. */
export function snapshot(groups: Record<string, number[]>, selfOnly: string[] = []): Record<string, ComponentUsage> {
  return Object.fromEntries(groupMembers(groups, selfOnly).map(([name, members]) => [name, {
    cpuSeconds: members.reduce((n, p) => n + p.cpuTicks, 0) / CLOCK_TICKS,
    peakRssMiB: Math.round(members.reduce((n, p) => n + vmHwmKiB(p.pid), 0) / 1024),
    processes: members.length,
  }]));
}

function pssKiB(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * The memory each group's processes occupy now (proportional set size), MiB. Summed over groups it is the memory of
 * them all: PostgreSQL's shared buffers, which each backend's RSS counts whole, count once.
 */
export function memoryNow(groups: Record<string, number[]>): Record<string, number> {
  return Object.fromEntries(groupMembers(groups, []).map(([name, members]) => [name, Math.round(members.reduce((n, p) => n + pssKiB(p.pid), 0) / 1024)]));
}

/** The pids of the process trees under `roots` (the roots included), for signalling a component as a whole. */
export function processTree(roots: number[]): number[] {
  return tree(roots, allProcs(), new Set()).map((p) => p.pid);
}

/** Of memory readings taken at several moments (component → MiB), the largest total, its parts, and how many there were. */
export function largestTotal(readings: Record<string, number>[]) {
  const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  const peak = readings.reduce<Record<string, number> | undefined>((max, r) => (!max || sum(r) > sum(max) ? r : max), undefined);
  return { peakMiB: peak ? sum(peak) : null, atPeakMiB: peak ?? {}, readings: readings.length };
}

/** CPU seconds used between two snapshots, and the later peak RSS. */
export function usageBetween(before: Record<string, ComponentUsage>, after: Record<string, ComponentUsage>, wallSeconds: number) {
  return Object.fromEntries(
    Object.entries(after).map(([name, a]) => {
      const cpu = Math.max(0, a.cpuSeconds - (before[name]?.cpuSeconds ?? 0));
      return [name, { cpuSeconds: round(cpu, 1), cpuPercent: Math.round((cpu / wallSeconds) * 100), peakRssMiB: a.peakRssMiB }];
    }),
  );
}

/** Whole-machine CPU busy seconds (all cores) from /proc/stat. */
export function machineCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = line[3]! + line[4]!;
  const total = line.reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / CLOCK_TICKS, total: total / CLOCK_TICKS };
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
