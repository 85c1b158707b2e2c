// `.env` from `.env.example`: every name the example lists, each setting with the example's value and each
// secret (blank in the example) with a new random value. An existing `.env` keeps every line it has; only missing
// names are appended. For a fresh clone (`.env` is git-ignored) and after an upgrade that adds a secret.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../cli/errors.ts';
import { ENV_ENTRIES, newPassword } from '../renderer/component-catalog.ts';

export const ENV_FILE = '.env';
export const ENV_EXAMPLE = '.env.example';

export interface EnvResult {
  created: boolean;
  /** Names appended (or written, when created), secrets marked. */
  added: { name: string; secret: boolean }[];
}

interface ExampleEntry {
  name: string;
  value: string;
  /** The comment lines right above it. */
  comment: string[];
}

/** NAME=value lines of an env file, with the comment lines above each (blank lines end a comment). */
export function parseEnvFile(text: string): ExampleEntry[] {
  const entries: ExampleEntry[] = [];
  let comment: string[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('#')) comment.push(line);
    else if (!trimmed) comment = [];
    else {
      const eq = trimmed.indexOf('=');
      if (eq > 0) entries.push({ name: trimmed.slice(0, eq).trim(), value: trimmed.slice(eq + 1), comment });
      comment = [];
    }
  }
  return entries;
}

/** A new random value for a secret: the catalog's generator when it knows the name, else a password. */
function newSecret(name: string): string {
  return (ENV_ENTRIES.find((e) => e.name === name)?.secret ?? newPassword)();
}

/** Creates `.env` when it is missing (unless `create` is false: then nothing happens) or appends what it lacks. */
export function ensureEnv(root: string, create = true): EnvResult {
  const examplePath = join(root, ENV_EXAMPLE);
  if (!existsSync(examplePath)) {
    throw new UserError(`${examplePath} is missing: it lists the settings and secrets .env needs; restore it with git checkout -- ${ENV_EXAMPLE}`);
  }
  const example = parseEnvFile(readFileSync(examplePath, 'utf8'));
  const envPath = join(root, ENV_FILE);
  const created = !existsSync(envPath);
  if (created && !create) return { created: false, added: [] };
  const existing = created ? '' : readFileSync(envPath, 'utf8');
  const present = new Set(parseEnvFile(existing).map((e) => e.name));
  const missing = example.filter((e) => !present.has(e.name));
  const added = missing.map((e) => ({ name: e.name, secret: e.value === '' }));
  if (created || missing.length) {
    const blocks = missing.map((e) => [...e.comment, `${e.name}=${e.value === '' ? newSecret(e.name) : e.value}`].join('\n'));
    const head = created
      ? '# Settings and secrets of this project (git-ignored), made by `create-iot-platform env` from .env.example.\n'
      : existing.endsWith('\n') || existing === '' ? existing : `${existing}\n`;
    writeFileSync(envPath, `${head}${blocks.map((b) => `\n${b}\n`).join('')}`, { mode: 0o600 });
    if (created) chmodSync(envPath, 0o600); // whatever the umask
  }
  return { created, added };
}
