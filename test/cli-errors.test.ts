// Bad input: every message is one clear line naming what is wrong (the flag, or the file and field) and the
// fix, with exit code 1, and nothing is written. Also: partial answers files, dry runs on a non-empty folder,
// the next steps and the exit codes of --help.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../cli/errors.ts';
import { createManifest } from '../manifest/create.ts';
import { parseManifest } from '../manifest/load.ts';
import { blueprints } from '../renderer/catalog.ts';
import { EXIT_CONFLICTS } from '../upgrade/command.ts';
import { runCli, tempDir } from './helpers/cli.ts';
import { renderSensors, renderToDir } from './helpers/render.ts';

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
    const { cwd } = expectUserError(['out', '--blueprint', 'buses', '--yes'], /^error: unknown blueprint "buses"; choose one of: rich, sensors, transport \(--blueprint NAME\)$/);
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

  it.each([
    [['--time-zone', 'Mars/Base'], 'error: invalid time zone "Mars/Base": use an IANA time zone such as UTC or Europe/Stockholm (--time-zone)'],
    [['--owner', 'two words'], 'error: invalid owner "two words": use a team or user name (--owner)'],
  ])('names the flag of a bad setting, also next to --answers: %s', (flag, message) => {
    expectUserError(['out', '--blueprint', 'sensors', '--yes', ...flag], message);
    const cwd = tempDir();
    writeFileSync(join(cwd, 'answers.yaml'), 'components: [redis]\n');
    expectUserError(['out', '--answers', 'answers.yaml', ...flag], message, cwd);
    expect(existsSync(join(cwd, 'out'))).toBe(false);
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

    it('reports malformed YAML with the file and the line where the problem starts', () => {
      // The parser gives up after the end of the file (line 3 of 2); the "[" that is never closed is on line 2.
      const cwd = answers('apiVersion: iot-platform/v1\nproject: [unclosed\n');
      expectUserError(['out', '--answers', 'iot-platform.yaml', '--yes'], /^error: \/.*iot-platform\.yaml:2: not valid YAML \(the "\[" opened here is never closed\); fix the syntax$/, cwd);
    });

    it.each([
      ['a quote', 'blueprint: sensors\nproject:\n  name: "x\ncomponents: [redis]\n', 3, 'the double quote opened here is never closed'],
      ['a nested flow list', 'deploy:\n  targets: [compose, [native]\ncomponents: []\n', 2, 'the "[" opened here is never closed'],
      ['a flow mapping', 'project: {name: x\n\ncomponents: []\n', 1, 'the "{" opened here is never closed'],
      ['a duplicate key', 'blueprint: sensors\nblueprint: sensors\n', 2, 'Map keys must be unique'],
      ['a bad indent', 'project:\n  name: x\n owner: y\n', 3, 'All mapping items must start at the same column'],
    ])('names the right line for %s', (_case, content, line, reason) => {
      const cwd = answers(content);
      expectUserError(['out', '--answers', 'iot-platform.yaml'], `error: ${cwd}/iot-platform.yaml:${line}: not valid YAML (${reason}); fix the syntax`, cwd);
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
      expect(result.stderr).toMatch(/iot-platform\.yaml: events\.humidity\.format: must be one of "csv", "json", "gtfs-rt", "gtfs-rt-trip-updates", "fixed-width"; got "xml"/);
      expect(existsSync(join(cwd, 'second'))).toBe(false);
    });
  });
});

describe('subcommands: unknown flags', () => {
  it.each([
    [['stack', 'up', '--nativ'], "error: stack: Unknown option '--nativ'; see create-iot-platform stack --help"],
    [['stack', '--nativ', 'up'], "error: stack: Unknown option '--nativ'; see create-iot-platform stack --help"],
    [['stack', 'down', '--purg'], "error: stack: Unknown option '--purg'; see create-iot-platform stack --help"],
    [['lint', '--fix'], "error: lint: Unknown option '--fix'; see create-iot-platform lint --help"],
    [['upgrade', '--frobnicate'], /^error: Unknown option '--frobnicate'; usage: create-iot-platform upgrade /],
    [['sync', '--org', 'acme', '--frobnicate'], "error: sync: Unknown option '--frobnicate'; see create-iot-platform sync --help"],
  ])('%j: exit 1 naming the flag, nothing run', (args, message) => {
    // In a generated project: without the check, `stack up --nativ` would start the compose stack.
    const project = renderToDir({ components: ['redis'] });
    const result = runCli(args, project);
    expect(result.stderr.trim()).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(1);
  });

  it('stack dbt passes its flags on to dbt; stack --help prints the usage', () => {
    const project = renderToDir({ components: ['redis', 'dbt'] });
    const dbt = runCli(['stack', 'dbt', 'build', '--select', 'marts', '--native'], project);
    expect(dbt.stderr.trim()).toBe('error: the native stack is not running; start it with: npm run stack -- up --native');
    const help = runCli(['stack', '--help'], project);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: create-iot-platform stack <command>/);
  });
});

describe('create: informational flags', () => {
  it('prints help and the version with exit code 0', () => {
    const help = runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--blueprint NAME');
    expect(help.stdout).toContain('sensors');
    // Every exit code of the CLI and its subcommands, upgrade's "applied with conflicts" included.
    const codes = help.stdout.split('Exit codes\n')[1]!.split('\n\n')[0]!.split('\n').map((line) => Number(line.trim().split(/\s+/)[0]));
    expect(codes).toEqual([...new Set([...Object.values(EXIT), EXIT_CONFLICTS])].sort());
    expect(help.stdout).toMatch(/^ {2}3 +upgrade applied with conflicts to resolve$/m);
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
    expect(result.stdout).toMatch(/^ {2}shared {3}flink\/sql\/20-enrichment\.sql$/m);
    expect(result.stdout).toMatch(/^ {2}user {5}iot-platform\.yaml$/m);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('--dry-run works on a non-empty folder: the plan, and what the real run would need and overwrite', () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'existing'));
    writeFileSync(join(cwd, 'existing', 'compose.yaml'), 'mine');
    writeFileSync(join(cwd, 'existing', 'notes.txt'), 'mine');
    const result = runCli(['existing', '--blueprint', 'sensors', '--yes', '--dry-run'], cwd);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Dry run: would write \d+ files into existing \(nothing written\)$/m);
    expect(result.stdout.trim().split('\n').at(-1)).toBe('existing is not empty (2 entries): the real run needs --force and overwrites 1 file (compose.yaml)');
    expect(readdirSync(join(cwd, 'existing')).sort()).toEqual(['compose.yaml', 'notes.txt']);
    expect(readFileSync(join(cwd, 'existing', 'compose.yaml'), 'utf8')).toBe('mine');
    // With --force the note goes: the real run would go ahead.
    const forced = runCli(['existing', '--blueprint', 'sensors', '--yes', '--dry-run', '--force'], cwd);
    expect(forced.code).toBe(0);
    expect(forced.stdout).not.toContain('is not empty');
  });

  it('the next steps quote the folder for the shell', () => {
    const cwd = tempDir();
    const result = runCli(["it's my sensors", '--blueprint', 'sensors', '--name', 'my-sensors', '--yes', ...BASE], cwd);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`\n  cd 'it'\\''s my sensors'\n`);
    expect(execFileSync('sh', ['-c', `cd 'it'\\''s my sensors' && pwd`], { cwd, encoding: 'utf8' }).trim()).toBe(join(cwd, "it's my sensors"));
    const plain = runCli(['plain-name', '--blueprint', 'sensors', '--yes', ...BASE], cwd);
    expect(plain.stdout).toContain('\n  cd plain-name\n');
  });

  it('--variant makes the blueprint\'s variant: RICH trackless has no tracks event nor topic, and its ring job finds rings in the hits', () => {
    const cwd = tempDir();
    const result = runCli(['rings', '--blueprint', 'rich', '--variant', 'trackless', '--yes', ...BASE], cwd);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const manifest = parseManifest(readFileSync(join(cwd, 'rings', 'iot-platform.yaml'), 'utf8'), 'iot-platform.yaml');
    expect(Object.keys(manifest.events)).toEqual(['hits']);
    expect(manifest.topics.map((t) => t.name)).not.toContain('rich.tracks.v1');
    expect(manifest.topics.map((t) => t.name)).toContain('rich.hits.v1');
    const job = readFileSync(join(cwd, 'rings', 'flink', 'sql', '10-rings.sql'), 'utf8');
    expect(job).toContain('FIND_RICH_RINGS(');
    expect(job).not.toContain('LABEL_RICH_HITS(');
    expect(existsSync(join(cwd, 'rings', 'flink', 'tables', 'tracks.sql'))).toBe(false);
    // every variant names events and topics its blueprint has
    for (const blueprint of blueprints().values()) {
      const full = createManifest({ blueprint: blueprint.name, name: 'x', components: [], deploy: ['native'] });
      for (const variant of Object.values(blueprint.variants)) {
        for (const event of variant.without.events) expect(Object.keys(full.events), `${blueprint.name}: ${event}`).toContain(event);
        for (const topic of variant.without.topics) expect(full.topics.map((t) => t.name), `${blueprint.name}: ${topic}`).toContain(topic);
      }
    }
    expectUserError(['out', '--blueprint', 'rich', '--variant', 'ringless', '--yes'], 'error: blueprint rich has no variant "ringless"; its variants: trackless (--variant NAME)');
    expectUserError(['out', '--blueprint', 'sensors', '--variant', 'trackless', '--yes'], 'error: blueprint sensors has no variant "trackless"; it has none (--variant NAME)');
    expectUserError(['out', '--blueprint', 'rich', '--variant', 'constructor', '--yes'], 'error: blueprint rich has no variant "constructor"; its variants: trackless (--variant NAME)');
  });

  it('--answers takes a partial file: defaults fill the rest, without --yes or prompts', () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'answers.yaml'), 'blueprint: sensors\ncomponents: [redis]\nproject:\n  timeZone: Europe/Stockholm\n');
    const result = runCli(['partial', '--answers', 'answers.yaml', ...BASE], cwd);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const manifest = parseManifest(readFileSync(join(cwd, 'partial', 'iot-platform.yaml'), 'utf8'), 'iot-platform.yaml');
    expect(manifest.project).toMatchObject({ name: 'partial', timeZone: 'Europe/Stockholm', owner: 'platform-team' });
    expect(manifest.components).toEqual(['redis']);
    expect(manifest.deploy.targets).toEqual(['compose', 'native', 'kubernetes']);
    expect(Object.keys(manifest.events)).toEqual(Object.keys(renderSensors().manifest.events));
    // Without a folder, the project name of the file names it.
    writeFileSync(join(cwd, 'named.yaml'), 'project:\n  name: field-kit\ndeploy:\n  targets: [compose]\n');
    const named = runCli(['--answers', 'named.yaml', ...BASE], cwd);
    expect(named.code).toBe(0);
    expect(named.stdout).toContain('Created field-kit (sensors blueprint');
    expect(existsSync(join(cwd, 'field-kit', 'charts'))).toBe(false);
  });

  it.each([
    ['components: [api]\n', 'components: component "api" needs "redis"; add "redis" or drop "api"'],
    ['components: redis\n', 'components: expected a list of component names, e.g. [redis, api]'],
    ['blueprint: buses\n', 'blueprint: unknown blueprint "buses"; choose one of: rich, sensors, transport'],
    ['project:\n  timeZone: Mars/Base\n', 'project.timeZone: invalid time zone "Mars/Base": use an IANA time zone such as UTC or Europe/Stockholm'],
    ['project:\n  name: My_Sensors\n', 'project.name: invalid project name "My_Sensors": use lower-case letters'],
    ['deploy:\n  targets: [nomad]\n', 'deploy.targets: unknown deploy target "nomad"; choose from: compose, native, kubernetes'],
    ['componets: [redis]\n', '(top level): unknown key "componets"; remove or rename it'],
  ])('a partial --answers file with %j: the file, the field and the fix', (content, message) => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'answers.yaml'), content);
    const result = runCli(['out', '--answers', 'answers.yaml', ...BASE], cwd);
    expect(result.stderr.trim()).toContain(`error: ${join(cwd, 'answers.yaml')}: ${message}`);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.code).toBe(1);
    expect(existsSync(join(cwd, 'out'))).toBe(false);
  });

  it('--answers replays a manifest, events and all; flags override its settings', () => {
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
    const overridden = runCli(['third', '--answers', first, '--name', 'third', '--time-zone', 'UTC', '--owner', 'field-team', ...BASE], cwd);
    expect(overridden.code).toBe(0);
    const third = parseManifest(readFileSync(join(cwd, 'third', 'iot-platform.yaml'), 'utf8'), 'iot-platform.yaml');
    expect(third.project).toMatchObject({ name: 'third', timeZone: 'UTC', owner: 'field-team', description: parseManifest(readFileSync(first, 'utf8'), 'x').project.description });
  });
});
