// Machine context for benchmark reports (cores, CPU model, RAM, load, engine versions), and waiting for
// a quiet machine before measuring (another stack or test run on a 2-core box skews every figure).
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem, release } from 'node:os';

function firstLine(command: string, args: string[]): string | undefined {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  const text = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  return r.error ? undefined : text.split('\n')[0];
}

export function machineContext(extra: Record<string, string | undefined> = {}) {
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    loadAverage: loadavg().map((n) => Math.round(n * 100) / 100),
    versions: {
      node: process.version,
      java: firstLine('java', ['-version']),
      mosquitto: firstLine('mosquitto', ['-h']),
      redis: firstLine('redis-server', ['--version']),
      postgres: firstLine('postgres', ['--version']) ?? firstLine('psql', ['--version']),
      ...extra,
    },
  };
}

/** Polls the 1-minute load average until it is below `threshold` or `maxSeconds` passed. */
export async function waitForQuietMachine(threshold: number, maxSeconds: number, log: (line: string) => void) {
  const started = Date.now();
  const before = loadavg()[0]!;
  let last = before;
  while ((last = loadavg()[0]!) >= threshold && Date.now() - started < maxSeconds * 1000) {
    log(`  load average ${last.toFixed(2)} ≥ ${threshold}: waiting for a quiet machine (${Math.round((Date.now() - started) / 1000)} s of ${maxSeconds} s)`);
    await new Promise((resolve) => setTimeout(resolve, 30_000));
  }
  return { waitedSeconds: Math.round((Date.now() - started) / 1000), loadBefore: before, loadAfter: last, quiet: last < threshold };
}
