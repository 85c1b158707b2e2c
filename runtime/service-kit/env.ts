// Typed environment reading. A missing or malformed variable ends the process with one line naming it.

export class EnvError extends Error {}

function fail(message: string): never {
  throw new EnvError(message);
}

export function str(name: string, fallback?: string): string {
  const value = process.env[name];
  if (value !== undefined && value !== '') return value;
  if (fallback !== undefined) return fallback;
  return fail(`environment variable ${name} is missing; set it (see .env.example)`);
}

export function optional(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

export function int(name: string, fallback?: number): number {
  const raw = optional(name);
  if (raw === undefined) {
    if (fallback !== undefined) return fallback;
    return fail(`environment variable ${name} is missing; set it to an integer`);
  }
  const value = Number(raw);
  if (!Number.isInteger(value)) fail(`environment variable ${name}=${JSON.stringify(raw)} is not an integer`);
  return value;
}

export function num(name: string, fallback?: number): number {
  const raw = optional(name);
  if (raw === undefined) {
    if (fallback !== undefined) return fallback;
    return fail(`environment variable ${name} is missing; set it to a number`);
  }
  const value = Number(raw);
  if (!Number.isFinite(value)) fail(`environment variable ${name}=${JSON.stringify(raw)} is not a number`);
  return value;
}

export function bool(name: string, fallback: boolean): boolean {
  const raw = optional(name);
  if (raw === undefined) return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  return fail(`environment variable ${name}=${JSON.stringify(raw)} is not a boolean; use true or false`);
}

export function list(name: string, fallback?: string): string[] {
  return str(name, fallback)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Reads the whole configuration at start-up: `readConfig(() => ({ port: env.int('API_PORT', 8080) }))`.
 * On a missing variable it prints one line to stderr and exits with code 2.
 */
export function readConfig<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof EnvError) {
      process.stderr.write(`${JSON.stringify({ level: 'fatal', time: new Date().toISOString(), msg: error.message })}\n`);
      process.exit(2);
    }
    throw error;
  }
}
