// A generated project as seed files for the local GitHub server: what `git add` would push (no .git, .env,
// node_modules), with executable modes. Shared by test/sync.test.ts and scripts/bench-sync.ts.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { SeedFile } from './index.ts';

export function filesOf(dir: string): SeedFile[] {
  const out: SeedFile[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (name === '.git' || name === '.env' || name === 'node_modules') continue;
      if (statSync(path).isDirectory()) walk(path);
      else out.push({ path: relative(dir, path), content: readFileSync(path), mode: statSync(path).mode & 0o100 ? '100755' : '100644' });
    }
  };
  walk(dir);
  return out;
}

/** Generates a sensors project `name` in `cwd` with the CLI `bin` (any platform version) and returns its files. */
export function generateSeed(bin: string, name: string, cwd: string, platformDependency: string, env: Record<string, string>): SeedFile[] {
  execFileSync(process.execPath, [bin, name, '--blueprint', 'sensors', '--yes', '--skip-install', '--skip-git', '--platform-dependency', platformDependency], {
    cwd,
    env: { ...process.env, ...env },
  });
  return filesOf(join(cwd, name));
}
