// Step 2's supply: a real copy of an earlier (or later) platform version, so that its own code and templates
// render the merge base. From a git repository of the platform at tag v<version> (IOT_PLATFORM_SOURCE, or this
// package's own checkout), exported with `git archive`, its dependencies installed and built once; otherwise
// from the npm registry. Cached in ~/.cache/iot-platform/versions/<version>-<commit> (IOT_PLATFORM_CACHE moves it).
import { createHash, randomBytes } from 'node:crypto';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { UserError } from '../cli/errors.ts';
import { packageRoot } from '../renderer/package-root.ts';

export interface ObtainedVersion {
  version: string;
  /** The package folder: bin/create-iot-platform.js runs that version. */
  dir: string;
  source: string;
  /** Served from the cache without any work. */
  cached: boolean;
  /** Milliseconds per stage of obtaining it (export or download, dependencies, build). */
  timings: Record<string, number>;
}

const READY = '.iot-platform-version.json';

export const cacheRoot = () => process.env.IOT_PLATFORM_CACHE ?? join(homedir(), '.cache', 'iot-platform');

/** Where to look for tags, in order: IOT_PLATFORM_SOURCE, then this package's own git checkout. */
export function gitSources(): string[] {
  const sources = [process.env.IOT_PLATFORM_SOURCE, existsSync(join(packageRoot(), '.git')) ? packageRoot() : undefined];
  return [...new Set(sources.filter((s): s is string => Boolean(s)).map((s) => (isUrl(s) ? s : resolve(s))))];
}

export function obtainVersion(version: string, log: (line: string) => void = () => {}): ObtainedVersion {
  const tried: string[] = [];
  for (const source of gitSources()) {
    const commit = tagCommit(source, version);
    if (commit) return fromGit(source, version, commit, log);
    tried.push(`no tag v${version} in ${source}`);
  }
  const npm = fromNpm(version, log, tried);
  if (npm) return npm;
  throw new UserError(
    `cannot obtain create-iot-platform ${version} (${tried.join('; ')}); set IOT_PLATFORM_SOURCE to a git repository of the platform with the tag v${version}`,
  );
}

const isUrl = (s: string) => /^[a-z+]+:\/\/|^git@/.test(s);

function run(command: string, args: string[], options: SpawnSyncOptions = {}) {
  const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` };
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 30, env, ...options });
  const stderr = String(result.stderr ?? '').trim();
  return { ok: result.status === 0 && !result.error, stdout: result.stdout as string | Buffer, stderr, error: result.error };
}

function must(what: string, result: ReturnType<typeof run>) {
  if (!result.ok) throw new Error(`${what} failed: ${result.error?.message ?? result.stderr.split('\n').slice(-3).join(' ')}`);
  return result;
}

function tagCommit(source: string, version: string): string | undefined {
  const tag = `refs/tags/v${version}`;
  if (!isUrl(source)) {
    if (!existsSync(source)) return undefined;
    const r = run('git', ['-C', source, 'rev-parse', '--verify', '--quiet', `${tag}^{commit}`]);
    return r.ok ? String(r.stdout).trim() : undefined;
  }
  const r = run('git', ['ls-remote', source, tag, `${tag}^{}`]);
  if (!r.ok) return undefined;
  const lines = String(r.stdout).split('\n').filter(Boolean).map((l) => l.split('\t') as [string, string]);
  return (lines.find(([, ref]) => ref.endsWith('^{}')) ?? lines[0])?.[0];
}

const elapsed = (start: number) => Math.round(performance.now() - start);

function cached(dir: string, version: string, source: string, log: (line: string) => void): ObtainedVersion | undefined {
  if (!existsSync(join(dir, READY))) return undefined;
  const meta = JSON.parse(readFileSync(join(dir, READY), 'utf8')) as { lockSha?: string };
  // Dependencies borrowed from the running checkout stay valid only while its lockfile is the same.
  const modules = join(dir, 'node_modules');
  if (existsSync(modules) && lstatSync(modules).isSymbolicLink() && meta.lockSha !== lockSha(packageRoot())) return undefined;
  log(`Platform ${version}: cached in ${dir}`);
  return { version, dir, source, cached: true, timings: {} };
}

function fromGit(source: string, version: string, commit: string, log: (line: string) => void): ObtainedVersion {
  const dir = join(cacheRoot(), 'versions', `${version}-${commit.slice(0, 12)}`);
  const hit = cached(dir, version, source, log);
  if (hit) return hit;
  log(`Platform ${version}: exporting tag v${version} (${commit.slice(0, 12)}) from ${source}`);
  const work = staging(dir);
  const timings: Record<string, number> = {};
  try {
    let start = performance.now();
    let repo = source;
    if (isUrl(source)) {
      repo = join(work, '.clone');
      must('git clone', run('git', ['clone', '--quiet', '--depth', '1', '--branch', `v${version}`, source, repo]));
    }
    const pkg = join(work, 'package');
    mkdirSync(pkg);
    const tar = must('git archive', run('git', ['-C', repo, 'archive', '--format=tar', commit], { encoding: 'buffer' })).stdout;
    must('tar', run('tar', ['-x', '-C', pkg], { input: tar }));
    timings.export = elapsed(start);

    start = performance.now();
    const reuse = existsSync(join(packageRoot(), 'node_modules')) && lockSha(pkg) !== undefined && lockSha(pkg) === lockSha(packageRoot());
    if (reuse) symlinkSync(join(packageRoot(), 'node_modules'), join(pkg, 'node_modules'), 'dir');
    // --prefer-offline: package-lock.json pins every tarball by its integrity, so the npm cache serves what it holds.
    else must('npm ci', run('npm', ['ci', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: pkg }));
    timings.dependencies = elapsed(start);
    log(`Platform ${version}: dependencies ${reuse ? 'reused (same packages in package-lock.json)' : 'installed'} in ${timings.dependencies} ms`);

    start = performance.now();
    const build = run('npm', ['run', 'build', '--silent'], { cwd: pkg });
    if (!build.ok) {
      if (!existsSync(join(pkg, 'dist', 'cli', 'main.js'))) must('npm run build', build);
      log(`Platform ${version}: the build reported errors; using what it emitted (${String(build.stdout).trim().split('\n')[0]})`);
    }
    timings.build = elapsed(start);
    log(`Platform ${version}: built in ${timings.build} ms`);
    return publish(work, pkg, dir, { version, source, commit, lockSha: reuse ? lockSha(packageRoot()) : undefined, timings });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function fromNpm(version: string, log: (line: string) => void, tried: string[]): ObtainedVersion | undefined {
  const dir = join(cacheRoot(), 'versions', `${version}-npm`);
  const hit = cached(dir, version, 'npm', log);
  if (hit) return hit;
  const work = staging(dir);
  const timings: Record<string, number> = {};
  try {
    let start = performance.now();
    const pack = run('npm', ['pack', `create-iot-platform@${version}`, '--json', '--pack-destination', work], { cwd: work, timeout: 180_000 });
    if (!pack.ok) {
      tried.push(`npm pack create-iot-platform@${version}: ${pack.stderr.split('\n').find((l) => /error/i.test(l)) ?? 'failed'}`);
      return undefined;
    }
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack create-iot-platform@${version} wrote no tarball`);
    must('tar', run('tar', ['-xzf', join(work, tarball), '-C', work]));
    const pkg = join(work, 'package');
    if (!existsSync(join(pkg, 'bin', 'create-iot-platform.js'))) throw new Error(`create-iot-platform@${version} from npm has no bin/create-iot-platform.js`);
    timings.download = elapsed(start);
    log(`Platform ${version}: downloaded from npm in ${timings.download} ms`);
    start = performance.now();
    must('npm install', run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock'], { cwd: pkg }));
    timings.dependencies = elapsed(start);
    log(`Platform ${version}: dependencies installed in ${timings.dependencies} ms`);
    return publish(work, pkg, dir, { version, source: 'npm', timings });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** A private folder next to the cache entry (same file system, so the final rename is atomic). */
function staging(dir: string): string {
  const work = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  mkdirSync(work, { recursive: true });
  return work;
}

function publish(
  work: string,
  pkg: string,
  dir: string,
  meta: { version: string; source: string; commit?: string; lockSha?: string; timings: Record<string, number> },
): ObtainedVersion {
  writeFileSync(join(pkg, READY), `${JSON.stringify(meta, null, 2)}\n`);
  if (!existsSync(join(dir, READY))) {
    rmSync(dir, { recursive: true, force: true }); // leftovers of an interrupted run
    try {
      renameSync(pkg, dir);
    } catch (error) {
      if (!existsSync(join(dir, READY))) throw error; // else another upgrade published the same version meanwhile
    }
  }
  return { version: meta.version, dir, source: meta.source, cached: false, timings: meta.timings };
}

/**
 * The installed tree a package-lock.json describes: every package entry but the root one, whose name, version
 * and bins change with releases while node_modules stays the same.
 */
export function lockSha(dir: string): string | undefined {
  const file = join(dir, 'package-lock.json');
  if (!existsSync(file)) return undefined;
  const lock = JSON.parse(readFileSync(file, 'utf8')) as { lockfileVersion?: number; packages?: Record<string, unknown> };
  const { '': _root, ...installed } = lock.packages ?? {};
  return createHash('sha256').update(JSON.stringify({ lockfileVersion: lock.lockfileVersion, installed })).digest('hex');
}

export const scratchDir = () => join(tmpdir(), `iotp-upgrade-${process.pid}-${randomBytes(4).toString('hex')}`);
