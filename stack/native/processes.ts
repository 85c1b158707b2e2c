// Background processes of the native stack: one process group and one log file per component, so
// `down` stops everything a component started and leaves no orphans.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { waitFor } from '../wait.ts';

export interface ProcessSpec {
  command: string;
  args: string[];
  cwd: string;
  env?: Record<string, string>;
  log: string;
  /** Run as this OS user (PostgreSQL refuses to run as root). */
  user?: string;
}

export function startProcess(spec: ProcessSpec): number {
  mkdirSync(dirname(spec.log), { recursive: true });
  const log = openSync(spec.log, 'a');
  const [command, args] = spec.user ? ['runuser', ['-u', spec.user, '--', spec.command, ...spec.args]] : [spec.command, spec.args];
  const child = spawn(command, args, {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env },
    stdio: ['ignore', log, log],
    detached: true,
  });
  closeSync(log);
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${spec.command}`);
  return child.pid;
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to the whole process group, SIGKILL after the grace period. */
export async function stopProcess(pid: number, graceMs = 15_000): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      // already gone
    }
  };
  if (graceMs === 0) {
    signal('SIGKILL');
    await waitFor(`process ${pid} to die`, async () => !groupAlive(pid), { timeoutMs: 5000, intervalMs: 50 });
    return;
  }
  signal('SIGTERM');
  try {
    await waitFor(`process ${pid} to stop`, async () => !groupAlive(pid), { timeoutMs: graceMs, intervalMs: 100 });
  } catch {
    signal('SIGKILL');
    await waitFor(`process ${pid} to die`, async () => !groupAlive(pid), { timeoutMs: 5000, intervalMs: 100 });
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs a command to completion; throws with the tail of its output on failure. */
export function run(command: string, args: string[], options: { cwd?: string; env?: Record<string, string>; user?: string } = {}): string {
  const [cmd, argv] = options.user ? ['runuser', ['-u', options.user, '--', command, ...args]] : [command, args];
  const result = spawnSync(cmd, argv, { cwd: options.cwd, env: { ...process.env, ...options.env }, encoding: 'utf8' });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-5).join('\n');
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal}): ${output || result.error?.message}`);
  }
  return result.stdout;
}

export function which(command: string): string | undefined {
  const result = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}
