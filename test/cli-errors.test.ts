// Bad input: every message is one clear line naming what is wrong and the fix, with exit code 1,
// and nothing is written.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli.ts';

const BASE = ['--skip-install', '--skip-git'];

function expectUserError(args: string[], message: string | RegExp, cwd = tempDir()) {
  const result = runCli([...args, ...BASE], cwd);
  expect(result.stderr.trim()).toMatch(message);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.code).toBe(1);
  return { cwd, result };
}

describe('create: bad input', () => {
  it('rejects an unknown blueprint, listing the available ones', () => {
    const { cwd } = expectUserError(['out', '--blueprint', 'buses', '--yes'], /^error: unknown blueprint "buses"; choose one of: sensors \(--blueprint NAME\)$/);
    expect(existsSync(join(cwd, 'out'))).toBe(false);
  });

  it.each([
    ['My_Sensors', 'use lower-case letters, digits and "-", starting with a letter and not ending with "-"'],
    ['1sensors', 'use lower-case letters, digits and "-", starting with a letter and not ending with "-"'],
    ['sensors-', 'use lower-case letters, digits and "-", starting with a letter and not ending with "-"'],
    ['a'.repeat(54), 'use at most 53 characters (a Helm release name limit)'],
  ])('rejects the project name %s', (name, reason) => {
    expectUserError(['out', '--blueprint', 'sensors', '--name', name, '--yes'], `error: invalid project name "${name}": ${reason} (--name)`);
  });

  it('rejects a folder name that makes an invalid default project name', () => {
    expectUserError(['___', '--blueprint', 'sensors', '--yes'], 'error: invalid project name "": must not be empty (--name)');
  });

  it('rejects an unknown component and an invalid combination', () => {
    expectUserError(['out', '--blueprint', 'sensors', '--components', 'kibana', '--yes'], /^error: unknown component "kibana"; choose from: redis, api, dbt, history, observability/);
    expectUserError(['out', '--blueprint', 'sensors', '--components', 'api,dbt', '--yes'], 'error: component "api" needs "redis"; add it (--components api,dbt,redis) or drop "api"');
  });

  it('rejects an unknown deploy target and an unknown flag', () => {
    expectUserError(['out', '--blueprint', 'sensors', '--deploy', 'nomad', '--yes'], 'error: unknown deploy target "nomad"; choose from: compose, native, kubernetes (--deploy a,b)');
    expectUserError(['out', '--blueprnt', 'sensors'], /^error: Unknown option '--blueprnt'; see create-iot-platform --help$/);
  });

  it('refuses a non-empty target without --force', () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'out'));
    writeFileSync(join(cwd, 'out', 'notes.txt'), 'mine');
    expectUserError(['out', '--blueprint', 'sensors', '--yes'], /^error: target folder .*\/out is not empty \(1 entries\); choose another folder or pass --force to overwrite$/, cwd);
    expect(readdirSync(join(cwd, 'out'))).toEqual(['notes.txt']);
  });

  it('fails without a terminal when answers are missing, naming the flags to pass', () => {
    const { cwd } = expectUserError(['out'], 'error: cannot prompt (not a terminal) and these answers are missing: --blueprint, --name, --components, --deploy; pass them as flags, or --yes to take the defaults');
    expect(existsSync(join(cwd, 'out'))).toBe(false);
    expectUserError([], /^error: cannot prompt \(not a terminal\) and these answers are missing: <folder>, --blueprint/);
  });

  describe('--answers with a bad manifest', () => {
    function answers(content: string) {
      const cwd = tempDir();
      writeFileSync(join(cwd, 'iot-platform.yaml'), content);
      return cwd;
    }

    it('reports malformed YAML with the file and line', () => {
      const cwd = answers('apiVersion: iot-platform/v1\nproject: [unclosed\n');
      expectUserError(['out', '--answers', 'iot-platform.yaml', '--yes'], /^error: \/.*iot-platform\.yaml:\d+: not valid YAML \(.+\); fix the syntax$/, cwd);
    });

    it('reports a wrong apiVersion with the fix', () => {
      const cwd = answers('apiVersion: v0\n');
      expectUserError(['out', '--answers', 'iot-platform.yaml', '--yes'], /iot-platform\.yaml: apiVersion: expected "iot-platform\/v1", got "v0"; set apiVersion: iot-platform\/v1$/, cwd);
    });

    it('reports an out-of-schema field by its path', () => {
      const cwd = tempDir();
      const generated = runCli(['gen', '--blueprint', 'sensors', '--yes', '--dry-run', ...BASE], cwd);
      expect(generated.code).toBe(0);
      const good = runCli(['first', '--blueprint', 'sensors', '--yes', ...BASE], cwd);
      expect(good.code).toBe(0);
      const manifest = join(cwd, 'first', 'iot-platform.yaml');
      writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('format: csv', 'format: xml'));
      const result = runCli(['second', '--answers', manifest, '--yes', ...BASE], cwd);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/iot-platform\.yaml: events\.humidity\.format: must be one of "csv", "json", "gtfs-rt", "fixed-width"; got "xml"/);
      expect(existsSync(join(cwd, 'second'))).toBe(false);
    });
  });
});

describe('create: informational flags', () => {
  it('prints help and the version with exit code 0', () => {
    const help = runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--blueprint NAME');
    expect(help.stdout).toContain('sensors');
    const version = runCli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('create: plan and replay', () => {
  it('--dry-run prints the plan with ownership and writes nothing', () => {
    const cwd = tempDir();
    const result = runCli(['planned', '--blueprint', 'sensors', '--yes', '--dry-run'], cwd);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Dry run: would write \d+ files into planned \(nothing written\)$/m);
    expect(result.stdout).toMatch(/^ {2}platform compose\.yaml$/m);
    expect(result.stdout).toMatch(/^ {2}shared {3}flink\/sql\/10-measurement\.sql$/m);
    expect(result.stdout).toMatch(/^ {2}user {5}iot-platform\.yaml$/m);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('--answers replays a manifest, events and all', () => {
    const cwd = tempDir();
    expect(runCli(['first', '--blueprint', 'sensors', '--components', 'redis', '--time-zone', 'Europe/Stockholm', '--yes', ...BASE], cwd).code).toBe(0);
    const first = join(cwd, 'first', 'iot-platform.yaml');
    writeFileSync(first, readFileSync(first, 'utf8').replace('description: Relative humidity in percent', 'description: Soil humidity in percent'));
    const replay = runCli(['second', '--answers', first, '--name', 'second', ...BASE], cwd);
    expect(replay.stderr).toBe('');
    expect(replay.code).toBe(0);
    const second = readFileSync(join(cwd, 'second', 'iot-platform.yaml'), 'utf8');
    expect(second).toBe(readFileSync(first, 'utf8').replace('name: first', 'name: second'));
    expect(second).toContain('Soil humidity in percent');
    expect(second).toContain('timeZone: Europe/Stockholm');
  });
});
