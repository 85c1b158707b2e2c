// The published path, proven: this checkout is packed (`npm pack`, prepack builds dist/) and published to a local
// registry (test/helpers/local-registry.ts: verdaccio on loopback, create-iot-platform publish-only, everything else
// proxied), then a project is generated the way a user does it, `npm create iot-platform@<version>`, which runs
// the bin of that tarball and installs the project through the same registry. In the project: `npm ci`, the
// typecheck, the lint and `helm dependency build` must pass, and no file may hold an absolute path of this machine.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTool } from './helpers/ensure.ts';
import { startLocalRegistry, type LocalRegistry } from './helpers/local-registry.ts';
import { REPO_ROOT } from './helpers/pack-checkout.ts';

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
  exports: Record<string, string | Record<string, string>>;
};
const version = pkg.version;
const timings: string[] = [];
let registry: LocalRegistry;
let work = '';
let project = '';
let created: Run;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string, timeoutMs: number, label: string): Run {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd, env: registry.npmEnv, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  timings.push(`${label}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { code: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

const output = (r: Run) => `${r.stdout}${r.stderr}`.slice(-8_000);

beforeAll(async () => {
  const started = Date.now();
  registry = await startLocalRegistry({ publish: true });
  timings.push(`verdaccio up, npm pack (prepack build) and npm publish: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  work = realpathSync(mkdtempSync(join(tmpdir(), 'iotp-published-')));
  project = join(work, 'my-sensors');
  created = run('npm', ['create', `iot-platform@${version}`, '--', 'my-sensors', '--blueprint', 'sensors', '--yes'], work, 900_000, 'npm create (download, generate, npm install, git)');
}, 1_200_000);

// Removing the registry's storage and the installed project (hundreds of MB of small files) is slow on a busy
// two-core machine: a generous deadline, and the time it took in the timings line.
afterAll(async () => {
  let started = Date.now();
  await registry?.stop();
  timings.push(`registry stop: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  started = Date.now();
  if (process.env.KEEP_GENERATED) console.log(`kept ${work}`);
  else if (work) rmSync(work, { recursive: true, force: true });
  timings.push(`project removal: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`published-package timings: ${timings.join('; ')}`);
}, 300_000);

/** The installed create-iot-platform is the registry's copy of our tarball, not a link to a checkout. */
function expectInstalledFromRegistry() {
  const installed = join(project, 'node_modules/create-iot-platform');
  expect(lstatSync(installed).isSymbolicLink()).toBe(false);
  expect((JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { version: string }).version).toBe(version);
  const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string; resolved?: string; integrity?: string }>;
  };
  const entry = lock.packages['node_modules/create-iot-platform']!;
  expect(entry.version).toBe(version);
  expect(entry.integrity).toBe(registry.published!.integrity);
  expect(entry.resolved).toBe(`${registry.url}create-iot-platform/-/create-iot-platform-${version}.tgz`);
}

describe(`npm create iot-platform@${version} from a local registry`, () => {
  it('runs the published bin, which generates the project and installs it from the registry', () => {
    expect(created.code, output(created)).toBe(0);
    const lines = created.stdout.trim().split('\n');
    expect(lines).toContain('Initialised a git repository with the first commit.');
    expect(lines.find((l) => l.startsWith('Created '))).toMatch(/^Created my-sensors \(sensors blueprint, \d+ files\) in my-sensors$/);
    expect(created.stdout).not.toContain('--link');
    expect(lines.at(-1)).toBe('Secrets are in .env (git-ignored); iot-platform.yaml describes the project.');
    const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(manifest.dependencies['create-iot-platform']).toBe(`~${version}`);
    expectInstalledFromRegistry();
  });

  it('npm ci installs the project from its lock file', () => {
    const ci = run('npm', ['ci', '--no-audit', '--no-fund'], project, 600_000, 'npm ci');
    expect(ci.code, output(ci)).toBe(0);
    expect(ci.stdout).toMatch(/^added \d+ packages in /m);
    expectInstalledFromRegistry();
  }, 600_000);

  it('typechecks: npx tsc --noEmit', () => {
    const tsc = run('npx', ['--no', '--', 'tsc', '--noEmit'], project, 300_000, 'tsc --noEmit');
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.code).toBe(0);
  }, 300_000);

  it('npm run lint is clean (tsc and create-iot-platform lint of the installed package)', () => {
    const lint = run('npm', ['run', 'lint', '--silent'], project, 300_000, 'npm run lint');
    expect(lint.code, output(lint)).toBe(0);
    const lock = JSON.parse(readFileSync(join(project, '.iot-platform/lock.json'), 'utf8')) as { files: Record<string, { ownership: string }> };
    const platformFiles = Object.values(lock.files).filter((f) => f.ownership === 'platform').length;
    expect(lint.stdout).toBe(`iot-platform.yaml is valid; ${platformFiles} platform-owned files match .iot-platform/lock.json\n`);
    expect(lint.stderr).toBe('');
  }, 300_000);

  it('helm dependency build packs the platform chart from node_modules/create-iot-platform', () => {
    const manifest = parse(readFileSync(join(project, 'iot-platform.yaml'), 'utf8')) as { deploy: { targets: string[] } };
    expect(manifest.deploy.targets).toContain('kubernetes');
    const helm = ensureTool('ensure-helm.sh');
    const build = run(helm, ['dependency', 'build', 'charts/app'], project, 120_000, 'helm dependency build');
    expect(build.code, output(build)).toBe(0);
    expect(readdirSync(join(project, 'charts/app/charts'))).toEqual([`iot-platform-${version}.tgz`]);
    const chartLock = parse(readFileSync(join(project, 'charts/app/Chart.lock'), 'utf8')) as { dependencies: unknown[] };
    expect(chartLock.dependencies).toEqual([
      { name: 'iot-platform', repository: 'file://../../node_modules/create-iot-platform/charts/iot-platform', version },
    ]);
  }, 300_000);

  it('no generated file contains an absolute path of this machine', () => {
    expect(absolutePathsIn(project)).toEqual([]);
  });

  it('--link from the installed package is refused: there is no checkout to link', () => {
    const bin = join(project, 'node_modules/create-iot-platform/bin/create-iot-platform.js');
    const linked = run(process.execPath, [bin, 'linked', '--blueprint', 'sensors', '--yes', '--skip-install', '--skip-git', '--link'], work, 60_000, '--link refused');
    expect(linked).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: --link needs a git checkout of create-iot-platform, but this runs from the installed package in ${join(project, 'node_modules/create-iot-platform')}; run bin/create-iot-platform.js of a checkout, or drop --link\n`,
    });
    expect(existsSync(join(work, 'linked'))).toBe(false);
  });
});

describe('the published tarball', () => {
  it('holds the built runtime, the bins, charts, blueprints and scenarios; no tests, sources of tests or build output', () => {
    const files = registry.published!.files;
    const has = (path: string) => files.includes(path);
    for (const [name, path] of Object.entries(pkg.bin)) expect(has(path.replace(/^\.\//, '')), `bin ${name}`).toBe(true);
    const targets = Object.values(pkg.exports).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e)));
    for (const target of targets) expect(has(target.replace(/^\.\//, '')), `export ${target}`).toBe(true);
    for (const prefix of ['dist/runtime/', 'dist/cli/', 'charts/iot-platform/templates/', 'blueprints/base/files/', 'blueprints/sensors/files/', 'scenarios/sensors/', 'runtime/flink-sql-runner/src/main/']) {
      expect(files.some((f) => f.startsWith(prefix)), prefix).toBe(true);
    }
    expect(has('charts/iot-platform/Chart.yaml')).toBe(true);
    const forbidden = files.filter(
      (f) =>
        f.startsWith('test/') ||
        f.includes('node_modules/') ||
        f.startsWith('runtime/flink-sql-runner/target/') ||
        /^(runtime|dist)\/.*\.test\.(ts|js|d\.ts|js\.map)$/.test(f) ||
        /^(runtime|dist)\/.*\/__(fixtures|golden)__\//.test(f),
    );
    expect(forbidden).toEqual([]);
  });
});

/**
 * `file: needle` for every absolute path of this machine in the project's files (not node_modules, .git, or the
 * chart archives helm downloads): the work folder, the checkout, $HOME, and any /root/, /work/ or /tmp/ path.
 * /tmp/ is allowed only where it means the container's /tmp (compose.yaml, the chart's templates and values).
 */
function absolutePathsIn(dir: string): string[] {
  const needles = [...new Set([`${work}/`, `${resolve(REPO_ROOT)}/`, `${homedir()}/`, '/root/', '/work/', `${tmpdir()}/`, '/tmp/'])];
  const containerTmp = (path: string) => path === 'compose.yaml' || path.startsWith('charts/app/');
  const found: string[] = [];
  for (const file of walk(dir)) {
    const path = relative(dir, file);
    const bytes = readFileSync(file);
    if (bytes.includes(0)) continue; // binary
    const text = bytes.toString('utf8');
    for (const needle of needles) {
      if (needle === '/tmp/' && containerTmp(path)) continue;
      if (text.includes(needle)) found.push(`${path}: ${needle}`);
    }
  }
  return found;
}

function* walk(dir: string, root = dir): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    const path = relative(root, full);
    if (entry.isDirectory()) {
      if (['node_modules', '.git', 'charts/app/charts'].includes(path)) continue;
      yield* walk(full, root);
    } else if (entry.isFile()) {
      yield full;
    }
  }
}
