// JSON-lines logger on stdout (one object per line: level, time, service, msg, fields). LOG_LEVEL sets the threshold.

const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
export type LogLevel = keyof typeof LEVELS;

export interface Logger {
  trace(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  fatal(msg: string, fields?: Record<string, unknown>): void;
}

export function logLevel(): LogLevel {
  const level = (process.env.LOG_LEVEL ?? 'info').toLowerCase();
  return level in LEVELS ? (level as LogLevel) : 'info';
}

export function createLogger(service: string, level: LogLevel = logLevel()): Logger {
  const threshold = LEVELS[level];
  const write = (name: LogLevel) => (msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[name] < threshold) return;
    const entry: Record<string, unknown> = { level: name, time: new Date().toISOString(), service, msg };
    if (fields) {
      for (const [key, value] of Object.entries(fields)) {
        entry[key] = value instanceof Error ? { message: value.message, stack: value.stack } : value;
      }
    }
    process.stdout.write(`${JSON.stringify(entry)}\n`);
  };
  return {
    trace: write('trace'),
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    fatal: write('fatal'),
  };
}
