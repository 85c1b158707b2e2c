// `create-iot-platform lint` through the built bin, in generated projects: clean, a platform-owned file
// edited or deleted, edits of shared and user files (allowed), an invalid manifest, a broken lock, and
// outside a project. Exit codes and the exact lines.
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';
import { renderToDir } from './helpers/render.ts';

const REAPPLY = 'restore it with npx create-iot-platform upgrade --reapply';
const EDITED = `platform-owned file edited by hand; ${REAPPLY} and move the change to iot-platform.yaml or a shared file`;
const COMPOSE_EDITED = `platform-owned file edited by hand; ${REAPPLY} and put your setting in compose.override.yaml (docker compose merges it) or .env`;
const DELETED = `platform-owned file deleted; ${REAPPLY}, or turn the component off in iot-platform.yaml`;

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function project(): string {
  const dir = renderToDir({ components: ['redis', 'api', 'dbt'] });
  dirs.push(dir);
  return dir;
}

function platformFiles(dir: string): string[] {
  const lock = JSON.parse(readFileSync(join(dir, '.iot-platform/lock.json'), 'utf8'));
  return Object.entries(lock.files as Record<string, { ownership: string }>)
    .filter(([, f]) => f.ownership === 'platform')
    .map(([path]) => path);
}

describe('create-iot-platform lint', () => {
  it('clean project: exit 0, one summary line', () => {
    const dir = project();
    const count = platformFiles(dir).length;
    expect(count).toBeGreaterThan(10);
    const result = runCli(['lint'], dir);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`iot-platform.yaml is valid; ${count} platform-owned files match .iot-platform/lock.json\n`);
    expect(result.code).toBe(0);
  });

  it('an edited platform-owned file: one line naming it, exit 1', () => {
    const dir = project();
    appendFileSync(join(dir, 'compose.yaml'), '# my tweak\n');
    const result = runCli(['lint'], dir);
    expect(result.stdout).toBe(`compose.yaml: ${COMPOSE_EDITED}\n`);
    expect(result.stderr).toBe('create-iot-platform lint: 1 problem\n');
    expect(result.code).toBe(1);
  });

  it('a JSON platform-owned file (no header) and a CI caller are checked by hash too; CRLF line endings are not edits', () => {
    const dir = project();
    const renovate = join(dir, 'renovate.json');
    writeFileSync(renovate, readFileSync(renovate, 'utf8').replace('"dependencies"', '"deps"'));
    const ci = join(dir, '.github/workflows/ci.yml');
    writeFileSync(ci, readFileSync(ci, 'utf8').replace('branches: [main]', 'branches: [main, dev]'));
    const compose = join(dir, 'compose.yaml');
    writeFileSync(compose, readFileSync(compose, 'utf8').replaceAll('\n', '\r\n'));
    const result = runCli(['lint'], dir);
    expect(result.stdout).toBe(`.github/workflows/ci.yml: ${EDITED}\nrenovate.json: ${EDITED}\n`);
    expect(result.code).toBe(1);
  });

  it('a deleted platform-owned file: its own message, exit 1', () => {
    const dir = project();
    rmSync(join(dir, 'postgres/init/00-roles.sh'));
    const result = runCli(['lint'], dir);
    expect(result.stdout).toBe(`postgres/init/00-roles.sh: ${DELETED}\n`);
    expect(result.code).toBe(1);
  });

  it('edits of shared and user files are the user’s business: exit 0', () => {
    const dir = project();
    appendFileSync(join(dir, 'README.md'), '\nMore docs.\n');
    appendFileSync(join(dir, 'flink/sql/20-enrichment.sql'), '\n-- tuned\n');
    appendFileSync(join(dir, 'iot-platform.yaml'), '# comment\n');
    const result = runCli(['lint'], dir);
    expect(result.code).toBe(0);
  });

  it('an invalid manifest: the field and the fix, exit 1 (and the lock is still checked)', () => {
    const dir = project();
    const manifest = join(dir, 'iot-platform.yaml');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('timeZone: UTC', 'timeZone: UTC\n  colour: blue'));
    appendFileSync(join(dir, 'compose.yaml'), '# tweak\n');
    const result = runCli(['lint'], dir);
    expect(result.stdout).toBe(
      `iot-platform.yaml: project: unknown key "colour"; remove or rename it\ncompose.yaml: ${COMPOSE_EDITED}\n`,
    );
    expect(result.stderr).toBe('create-iot-platform lint: 2 problems\n');
    expect(result.code).toBe(1);
  });

  it('a manifest that is not YAML, and one whose platform.version was changed by hand', () => {
    const dir = project();
    const manifest = join(dir, 'iot-platform.yaml');
    const text = readFileSync(manifest, 'utf8');
    writeFileSync(manifest, `${text}components: [redis\n`);
    let result = runCli(['lint'], dir);
    expect(result.stdout).toMatch(/^iot-platform\.yaml:\d+: not valid YAML \(.*\); fix the syntax\n$/);
    expect(result.code).toBe(1);
    writeFileSync(manifest, text.replace(/version: 0\.\d+\.\d+/, 'version: 9.9.9'));
    result = runCli(['lint'], dir);
    expect(result.stdout).toMatch(/^iot-platform\.yaml: platform\.version: 9\.9\.9 differs from \d+\.\d+\.\d+ in \.iot-platform\/lock\.json; change versions with create-iot-platform upgrade, not by hand\n$/);
    expect(result.code).toBe(1);
  });

  it('a missing or broken lock file', () => {
    const dir = project();
    writeFileSync(join(dir, '.iot-platform/lock.json'), '{ nope');
    let result = runCli(['lint'], dir);
    expect(result.stdout).toMatch(/^\.iot-platform\/lock\.json: not valid JSON \(.*\); restore it from git\n$/);
    expect(result.code).toBe(1);
    rmSync(join(dir, '.iot-platform/lock.json'));
    result = runCli(['lint'], dir);
    expect(result.stdout).toBe(
      '.iot-platform/lock.json: not found; it records what the platform generated: restore it from git (or re-run create-iot-platform upgrade)\n',
    );
    expect(result.code).toBe(1);
  });

  it('outside a generated project: one error line, exit 1', () => {
    const result = runCli(['lint']);
    expect(result.stderr).toMatch(/^error: iot-platform\.yaml: not found in .+; run create-iot-platform lint in the root of a generated project\n$/);
    expect(result.code).toBe(1);
  });

  it('the generated package.json runs it after tsc', () => {
    const dir = project();
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(pkg.scripts.lint).toBe('tsc --noEmit && create-iot-platform lint');
  });
});
