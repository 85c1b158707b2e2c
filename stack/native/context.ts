// What every native component needs: the project, its manifest and secrets, where state, logs and
// caches go, and the ports chosen for this run.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../cli/errors.ts';
import { loadManifest, MANIFEST_FILE } from '../../manifest/load.ts';
import type { Manifest } from '../../manifest/schema.ts';

export interface NativeContext {
  projectDir: string;
  manifest: Manifest;
  /** Settings and secrets from the project's .env. */
  secrets: Record<string, string>;
  /** `.stack/`: data, logs, generated configs and state of this run (git-ignored). */
  stateDir: string;
  /** Shared downloads and builds (Kafka jars, dbt venv, the SQL runner), outside any repository. */
  cacheDir: string;
  ports: Record<string, number>;
}

export const STATE_DIR = '.stack';

export function cacheDir(): string {
  return process.env.IOT_PLATFORM_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'iot-platform');
}

export function loadProject(projectDir: string): Pick<NativeContext, 'projectDir' | 'manifest' | 'secrets' | 'stateDir' | 'cacheDir'> {
  const manifestFile = join(projectDir, MANIFEST_FILE);
  if (!existsSync(manifestFile)) {
    throw new UserError(`${manifestFile}: not found; run the stack from the root of a generated project`);
  }
  const envFile = join(projectDir, '.env');
  if (!existsSync(envFile)) {
    throw new UserError(`${envFile}: not found; copy .env.example to .env and fill every secret with a random value`);
  }
  return {
    projectDir,
    manifest: loadManifest(manifestFile),
    secrets: parseEnvFile(readFileSync(envFile, 'utf8'), envFile),
    stateDir: join(projectDir, STATE_DIR),
    cacheDir: cacheDir(),
  };
}

export function parseEnvFile(text: string, file: string): Record<string, string> {
  const values: Record<string, string> = {};
  text.split('\n').forEach((line, index) => {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) return;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(trimmed);
    if (!match) throw new UserError(`${file}:${index + 1}: expected NAME=value; fix the line`);
    values[match[1]!] = match[2]!.replace(/^"(.*)"$/, '$1');
  });
  return values;
}

export function secret(ctx: Pick<NativeContext, 'secrets'>, name: string): string {
  const value = ctx.secrets[name];
  if (!value) throw new UserError(`.env: ${name} is empty or missing; set it to a long random value`);
  return value;
}

export const databaseName = (manifest: Manifest) => manifest.project.name.replaceAll('-', '_');
