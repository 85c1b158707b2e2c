// Graceful shutdown: on SIGTERM/SIGINT run the registered closers in reverse order (last opened, first
// closed), each bounded by a timeout, then exit. A second signal exits at once.
import type { Logger } from './log.ts';

type Closer = { name: string; close: () => Promise<unknown> | unknown };

const closers: Closer[] = [];
let shuttingDown = false;
let installed = false;

export function onShutdown(name: string, close: Closer['close']): void {
  closers.push({ name, close });
}

export function isShuttingDown(): boolean {
  return shuttingDown;
}

export async function shutdown(log: Logger, reason: string, exitCode = 0, timeoutMs = 10_000): Promise<never> {
  if (shuttingDown) process.exit(exitCode);
  shuttingDown = true;
  log.info('shutting down', { reason });
  for (const closer of closers.reverse()) {
    try {
      await Promise.race([
        Promise.resolve(closer.close()),
        new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs).unref()),
      ]);
    } catch (error) {
      log.warn('close failed', { closer: closer.name, error });
      exitCode ||= 1;
    }
  }
  log.info('stopped', { exitCode });
  process.exit(exitCode);
}

export function installShutdownHandlers(log: Logger): void {
  if (installed) return;
  installed = true;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => void shutdown(log, signal));
  }
  process.on('unhandledRejection', (error) => {
    log.fatal('unhandled rejection', { error });
    void shutdown(log, 'unhandledRejection', 1);
  });
}
