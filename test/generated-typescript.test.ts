// The TypeScript of generated repositories (services, simulator, e2e tests) compiles with the generated
// package.json and tsconfig.json: one real `npm install` from the registry (proving the pinned versions
// resolve), then `tsc --noEmit` for several component sets (nothing may import a file that a component
// switch leaves out).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPONENTS } from '../manifest/schema.ts';
import { renderToDir } from './helpers/render.ts';

const repoRoot = resolve(import.meta.dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const work = mkdtempSync(join(tmpdir(), 'iotp-ts-'));

function run(command: string, args: string[], cwd: string) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}`, ms: Date.now() - started };
}

const SETS: Record<string, string[]> = {
  none: [],
  redis: ['redis'],
  'redis,api': ['redis', 'api'],
};

let full: string;

beforeAll(() => {
  // The platform package itself as a local tarball, so the create-iot-platform devDependency resolves
  // without publishing (scripts off: no build into the working tree).
  const pack = run(npm, ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], repoRoot);
  if (pack.status !== 0) throw new Error(`npm pack failed:\n${pack.output}`);
  const tarball = join(work, pack.output.trim().split('\n').pop()!.trim());
  full = renderToDir({ components: [...COMPONENTS] }, mkdtempSync(join(work, 'full-')), { platformDependency: `file:${tarball}` });
  const install = run(npm, ['install', '--no-audit', '--no-fund', '--loglevel=error'], full);
  console.log(`npm install in the generated repo: ${install.ms} ms`);
  if (install.status !== 0) throw new Error(`npm install failed in ${full}:\n${install.output}`);
}, 600_000);

afterAll(() => {
  if (process.env.KEEP_GENERATED) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
});

describe('generated TypeScript', () => {
  it('typechecks with every component', () => {
    const tsc = run(npm, ['exec', '--no', '--', 'tsc', '--noEmit', '-p', '.'], full);
    console.log(`tsc (all components): ${tsc.ms} ms`);
    expect(tsc.status, tsc.output).toBe(0);
  }, 120_000);

  it.each(Object.entries(SETS))('typechecks with components: %s', (_label, components) => {
    const dir = renderToDir({ components }, mkdtempSync(join(work, 'set-')));
    symlinkSync(join(full, 'node_modules'), join(dir, 'node_modules'), 'dir');
    const tsc = run(npm, ['exec', '--no', '--', 'tsc', '--noEmit', '-p', '.'], dir);
    expect(tsc.status, tsc.output).toBe(0);
  }, 120_000);

  it('declares every runtime dependency the services import', () => {
    const check = run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "for (const m of ['kafkajs','mqtt','ioredis','pg','yaml','zod','fastify','@fastify/swagger','@fastify/swagger-ui','@fastify/rate-limit','fastify-type-provider-zod']) await import(m);",
      ],
      full,
    );
    expect(check.status, check.output).toBe(0);
  }, 60_000);
});
