// Which create-iot-platform a generated project depends on: the released version by default, this checkout only
// with --link (and its next steps say so). Offline: --skip-install, nothing is fetched.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, tempDir } from './helpers/cli.ts';

const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const checkout = resolve(REPO_ROOT);
const BASE = ['--blueprint', 'sensors', '--yes', '--skip-install', '--skip-git'];
const dependencyOf = (project: string) =>
  (JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies['create-iot-platform'];

describe('the create-iot-platform dependency of a generated project', () => {
  it('is the released ~version by default, also from a checkout; the chart takes the platform chart from that package', () => {
    const cwd = tempDir();
    const result = runCli(['plain', ...BASE], cwd);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(dependencyOf(join(cwd, 'plain'))).toBe(`~${version}`);
    expect(result.stdout).not.toContain('--link');
    const chart = parse(readFileSync(join(cwd, 'plain/charts/app/Chart.yaml'), 'utf8')) as { dependencies: unknown[] };
    expect(chart.dependencies).toEqual([
      { name: 'iot-platform', version: `~${version}`, repository: 'file://../../node_modules/create-iot-platform/charts/iot-platform' },
    ]);
  });

  it('--link depends on this checkout and the next steps say the project installs on this machine only', () => {
    const cwd = tempDir();
    const result = runCli(['linked', ...BASE, '--link'], cwd);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(dependencyOf(join(cwd, 'linked'))).toBe(`file:${checkout}`);
    const lines = result.stdout.split('\n');
    const at = lines.indexOf(`Linked to this checkout (--link): package.json has "create-iot-platform": "file:${checkout}".`);
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1, at + 4)).toEqual([
      'The project installs only on this machine, next to this checkout: CI and other machines cannot install it.',
      `Generate without --link for a project that depends on the released create-iot-platform ~${version}.`,
      '',
    ]);
    expect(lines[at + 4]).toBe('Next steps:');
  });

  it('--link with --platform-dependency or --github is a user error naming both flags', () => {
    const both = runCli(['x', ...BASE, '--link', '--platform-dependency', '~1.0.0']);
    expect(both).toEqual({ code: 1, stdout: '', stderr: 'error: --link and --platform-dependency both set the create-iot-platform dependency; pass one of them\n' });
    const github = runCli(['x', ...BASE, '--link', '--github', 'acme/x']);
    expect(github).toEqual({ code: 1, stdout: '', stderr: 'error: --link makes a project that installs only on this machine, so its GitHub CI would fail; drop --link or --github\n' });
  });

  it('--help documents --link', () => {
    const help = runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('  --link                    Depend on this checkout of create-iot-platform (file:<checkout>) instead of the\n');
  });
});
