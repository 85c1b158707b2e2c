// Steps 2 and 3 of an upgrade: render one platform version with the project's answers, into plain maps.
// Another version renders with its own CLI (its own code and templates); the running version in-process.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { UserError } from '../cli/errors.ts';
import type { Manifest } from '../manifest/schema.ts';
import { MANIFEST_FILE } from '../manifest/load.ts';
import { LOCK_FILE, renderProject } from '../renderer/render.ts';
import type { Lock } from '../renderer/lock.ts';
import type { ObtainedVersion } from './obtain.ts';

export interface Rendering {
  version: string;
  /** Every rendered file except `.env` (user-owned secrets, random per render). */
  files: Map<string, string>;
  executable: Set<string>;
  lock: Lock;
}

/** Files upgrades never merge: the secrets, and the two files an upgrade writes itself. */
export const SPECIAL = new Set(['.env', MANIFEST_FILE, LOCK_FILE]);

export function renderInProcess(manifest: Manifest, platformDependency: string | undefined): Rendering {
  const planned = renderProject(manifest, { platformDependency });
  const files = new Map(planned.map((f) => [f.path, f.content]));
  return {
    version: manifest.platform.version,
    files,
    executable: new Set(planned.filter((f) => f.executable).map((f) => f.path)),
    lock: JSON.parse(files.get(LOCK_FILE)!) as Lock,
  };
}

/** Runs that version's own bin: `create-iot-platform <out> --answers <manifest> --yes --skip-install --skip-git`. */
export function renderWithCli(
  platform: ObtainedVersion,
  manifestFile: string,
  platformDependency: string | undefined,
  out: string,
): Rendering {
  const args = [join(platform.dir, 'bin', 'create-iot-platform.js'), out, '--answers', manifestFile, '--yes', '--skip-install', '--skip-git'];
  if (platformDependency) args.push('--platform-dependency', platformDependency);
  const result = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    input: '',
    timeout: 300_000,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  if (result.status !== 0) {
    const message = (result.stderr || result.error?.message || '').trim().split('\n')[0];
    const problem = `platform ${platform.version} could not render this project: ${message}`;
    // Its own user errors (say, a manifest it cannot read) are the user's to fix; anything else is ours.
    if (result.status === 1) throw new UserError(`${problem}; fix ${MANIFEST_FILE} or upgrade from a clean checkout`);
    throw new Error(problem);
  }
  const files = new Map<string, string>();
  const executable = new Set<string>();
  for (const entry of readdirSync(out, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    const path = relative(out, file).split(sep).join('/');
    if (path === '.env') continue;
    files.set(path, readFileSync(file, 'utf8'));
    if (statSync(file).mode & 0o111) executable.add(path);
  }
  const lockText = files.get(LOCK_FILE);
  if (!lockText) throw new Error(`platform ${platform.version} wrote no ${LOCK_FILE}`);
  return { version: platform.version, files, executable, lock: JSON.parse(lockText) as Lock };
}
