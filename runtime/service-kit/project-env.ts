// The environment of the platform's command-line tools run in a project folder: variables set in the environment
// win; then .stack/addresses.env (the running stack's addresses), then .env (the project's secrets).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';

export type Env = Record<string, string | undefined>;

export function projectEnv(dir: string, env: Env = process.env): Env {
  const file = (name: string): Env => {
    const path = join(dir, name);
    return existsSync(path) ? parseEnv(readFileSync(path, 'utf8')) : {};
  };
  return { ...file('.env'), ...file(join('.stack', 'addresses.env')), ...definedOnly(env) };
}

function definedOnly(env: Env): Env {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
}
