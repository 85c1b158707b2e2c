// Step 1 of an upgrade: the preconditions, checked one at a time, each failing with its own one-line
// message and the fix.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { UserError } from '../cli/errors.ts';
import { MANIFEST_FILE } from '../manifest/load.ts';
import { LOCK_FILE } from '../renderer/render.ts';
import type { Lock } from '../renderer/lock.ts';

const SEMVER = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$/;

export const isVersion = (v: string) => SEMVER.test(v);

/** Semantic-version order (a pre-release sorts before its release). */
export function compareVersions(a: string, b: string): number {
  const pa = SEMVER.exec(a);
  const pb = SEMVER.exec(b);
  if (!pa || !pb) throw new Error(`not a version: ${pa ? b : a}`);
  for (let i = 1; i <= 3; i++) {
    const d = Number(pa[i]) - Number(pb[i]);
    if (d) return Math.sign(d);
  }
  if (pa[4] === pb[4]) return 0;
  if (!pa[4]) return 1;
  if (!pb[4]) return -1;
  const xa = pa[4].split('.');
  const xb = pb[4].split('.');
  for (let i = 0; i < Math.max(xa.length, xb.length); i++) {
    if (xa[i] === undefined) return -1;
    if (xb[i] === undefined) return 1;
    const na = /^\d+$/.test(xa[i]!) ? Number(xa[i]) : NaN;
    const nb = /^\d+$/.test(xb[i]!) ? Number(xb[i]) : NaN;
    if (xa[i] === xb[i]) continue;
    if (!Number.isNaN(na) && !Number.isNaN(nb)) return Math.sign(na - nb);
    return xa[i]! < xb[i]! ? -1 : 1;
  }
  return 0;
}

/** The generated repository that contains `dir`: the nearest folder up with iot-platform.yaml and the lock. */
export function findProjectRoot(dir: string): string {
  let current = resolve(dir);
  for (;;) {
    if (existsSync(join(current, MANIFEST_FILE))) break;
    const parent = dirname(current);
    if (parent === current) {
      throw new UserError(
        `${resolve(dir)} is not inside a generated repository (no ${MANIFEST_FILE} here or above); run upgrade in the project's folder`,
      );
    }
    current = parent;
  }
  if (!existsSync(join(current, LOCK_FILE))) {
    throw new UserError(
      `${join(current, LOCK_FILE)} is missing, so upgrade cannot tell your edits from generated files; restore it with git checkout -- ${LOCK_FILE}`,
    );
  }
  return current;
}

export function readLock(root: string): Lock {
  const file = join(root, LOCK_FILE);
  try {
    const lock = JSON.parse(readFileSync(file, 'utf8')) as Lock;
    if (typeof lock.files !== 'object' || lock.files === null) throw new Error('no files');
    return lock;
  } catch (error) {
    throw new UserError(`${file}: not a valid lock file (${(error as Error).message}); restore it with git checkout -- ${LOCK_FILE}`);
  }
}

/** Renovate's bump of the platform package, left uncommitted for `upgrade` to finish: the spec at HEAD and on disk. */
export interface DependencyBump {
  committed: string;
  uncommitted: string;
  /** package.json as committed: the project's side of the merge (the bump is the platform's change, not the user's). */
  committedPackageJson: string;
}

export const PLATFORM_PACKAGE = 'create-iot-platform';

type Git = (...args: string[]) => ReturnType<typeof spawnSync>;

/**
 * The project folder is in a git work tree with nothing uncommitted (so `git diff` shows exactly the upgrade), except
 * - a bump of the create-iot-platform dependency in package.json (with package-lock.json): what Renovate leaves before
 *   its post-upgrade task runs `upgrade`; returned;
 * - uncommitted changes of the `allowed` paths (`upgrade --reapply`: the platform-owned files it gives the render back).
 */
export function checkCleanGit(root: string, allowed: ReadonlySet<string> = new Set()): DependencyBump | undefined {
  const git: Git = (...args) => spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  if (git('rev-parse', '--is-inside-work-tree').status !== 0) {
    throw new UserError(
      `${root} is not a git repository; upgrade needs one to show you what it changed: git init && git add -A && git commit -m "before upgrade", then retry`,
    );
  }
  const status = git('status', '--porcelain', '--untracked-files=normal', '--', '.');
  if (status.status !== 0) throw new UserError(`git status failed in ${root}: ${String(status.stderr).trim().split('\n')[0]}`);
  const changes = String(status.stdout).split('\n').filter(Boolean);
  if (!changes.length) return undefined;
  const paths = changedPaths(git);
  const left = paths && paths.filter((p) => !allowed.has(p));
  if (left && !left.length) return undefined;
  const bump = left && dependencyBump(root, git, left);
  if (bump) return bump;
  const first = left?.[0] ?? changes[0]!.slice(3);
  const count = left?.length ?? changes.length;
  throw new UserError(
    `the working tree has uncommitted changes (${count} file${count > 1 ? 's' : ''}, e.g. ${first}); commit or stash your changes and retry`,
  );
}

/** Paths (relative to the project) that differ from HEAD, staged or not, and untracked ones; undefined without HEAD. */
function changedPaths(git: Git): string[] | undefined {
  const lines = (r: ReturnType<typeof spawnSync>) => (r.status === 0 ? String(r.stdout).split('\n').filter(Boolean) : undefined);
  const tracked = lines(git('diff', '--name-only', '--relative', 'HEAD', '--', '.'));
  const untracked = lines(git('ls-files', '--others', '--exclude-standard', '--', '.'));
  return tracked && untracked ? [...new Set([...tracked, ...untracked])].sort() : undefined;
}

/** The `paths` changed are exactly a new create-iot-platform spec in package.json (and any package-lock.json). */
function dependencyBump(root: string, git: Git, paths: string[]): DependencyBump | undefined {
  if (!paths.includes('package.json') || paths.some((p) => p !== 'package.json' && p !== 'package-lock.json')) return undefined;
  const committed = git('show', 'HEAD:./package.json');
  if (committed.status !== 0) return undefined;
  try {
    const committedPackageJson = String(committed.stdout);
    const before = JSON.parse(committedPackageJson) as PackageJson;
    const after = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson;
    const [from, to] = [platformSpec(before), platformSpec(after)];
    if (!from || !to || from === to || JSON.stringify(withoutPlatform(before)) !== JSON.stringify(withoutPlatform(after))) return undefined;
    return { committed: from, uncommitted: to, committedPackageJson };
  } catch {
    return undefined; // not JSON: not a bump
  }
}

type PackageJson = Record<string, unknown> & { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };

export const platformSpec = (pkg: PackageJson): string | undefined => pkg.devDependencies?.[PLATFORM_PACKAGE] ?? pkg.dependencies?.[PLATFORM_PACKAGE];

function withoutPlatform(pkg: PackageJson): PackageJson {
  const strip = (deps?: Record<string, string>) => deps && Object.fromEntries(Object.entries(deps).filter(([name]) => name !== PLATFORM_PACKAGE));
  return { ...pkg, dependencies: strip(pkg.dependencies), devDependencies: strip(pkg.devDependencies) };
}

/** The target is a version and not older than the project's; returns false when there is nothing to do. */
export function checkTarget(from: string, to: string, running: string, explicit: boolean): boolean {
  if (!isVersion(from)) {
    throw new UserError(`${MANIFEST_FILE}: platform.version: "${from}" is not a version; restore the version this project was generated with`);
  }
  if (!isVersion(to)) throw new UserError(`--to ${to}: not a version; use a version such as ${running}`);
  const order = compareVersions(to, from);
  if (order < 0 && !explicit) {
    throw new UserError(
      `this project is on platform ${from}, newer than this create-iot-platform ${running}; run npx create-iot-platform@${from} upgrade (or later)`,
    );
  }
  if (order < 0) throw new UserError(`--to ${to} is older than this project's platform ${from}: downgrades are not supported; pass --to ${from} or later`);
  return order > 0;
}
