// The upgrade loop at the project's own platform version, through the built bin in a git repository: a hand edit of a
// platform-owned file → lint names the command and the override point → that command restores the file → lint is
// clean; an edit of iot-platform.yaml reaches the generated files (the merge base is rendered from the answers the
// lock recorded, as Copier's answers file); an override in compose.override.yaml survives; --dry-run prints a diff
// per file and writes nothing; --yes is accepted; what the README's steps create is git-ignored.
// Upgrades across platform versions (and Renovate's uncommitted bump) are in upgrade.test.ts.
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';
import { commitAll, git, gitStatus, initRepo } from './helpers/git.ts';
import { renderToDir } from './helpers/render.ts';
import { platformVersion } from '../renderer/package-root.ts';

const VERSION = platformVersion();
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A generated project (compose, native and kubernetes targets), committed in its own git repository. */
function project(): string {
  const dir = renderToDir({ components: ['redis', 'api', 'dbt'] });
  dirs.push(dir);
  initRepo(dir);
  commitAll(dir, 'generated');
  return dir;
}

const read = (dir: string, path: string) => readFileSync(join(dir, path), 'utf8');
const edit = (dir: string, path: string, from: string, to: string) => {
  const text = read(dir, path);
  expect(text.split(from), `${path} has ${from} once`).toHaveLength(2);
  writeFileSync(join(dir, path), text.replace(from, to));
};
const HEAP = 'KAFKA_HEAP_OPTS: -Xms512m -Xmx1g';

/** The command a lint line tells the user to run (`npx create-iot-platform <args>`), as arguments of the bin. */
function commandOf(line: string): string[] {
  const match = /restore it with npx create-iot-platform ([a-z -]+?)(?: and |,|$)/.exec(line);
  expect(match, line).not.toBeNull();
  return match![1]!.trim().split(' ');
}

describe('upgrade at the same platform version', () => {
  it('edit a platform-owned file → lint names the command and the override point → it restores the file → lint is clean', () => {
    const dir = project();
    const pristine = read(dir, 'compose.yaml');
    edit(dir, 'compose.yaml', HEAP, 'KAFKA_HEAP_OPTS: -Xms1g -Xmx2g');
    rmSync(join(dir, 'postgres/init/00-roles.sh'));

    const lint = runCli(['lint'], dir);
    expect(lint.code).toBe(1);
    const lines = lint.stdout.trim().split('\n');
    expect(lines).toEqual([
      'compose.yaml: platform-owned file edited by hand; restore it with npx create-iot-platform upgrade --reapply and put your setting in compose.override.yaml (docker compose merges it) or .env',
      'postgres/init/00-roles.sh: platform-owned file deleted; restore it with npx create-iot-platform upgrade --reapply, or turn the component off in iot-platform.yaml',
    ]);
    // Uncommitted: the edited platform-owned files are exactly what --reapply replaces.
    const args = commandOf(lines[0]!);
    expect(args).toEqual(['upgrade', '--reapply']);
    const result = runCli(args, dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Platform ${VERSION} re-rendered from iot-platform.yaml: 2 restored`);
    expect(result.stdout).toContain('| restored | `compose.yaml` | platform-owned file you edited: your edit replaced by the render (--reapply) |');
    expect(result.stdout).toContain('| restored | `postgres/init/00-roles.sh` | platform-owned file you deleted: restored (--reapply) |');
    expect(read(dir, 'compose.yaml')).toBe(pristine);
    expect(gitStatus(dir)).toEqual([]);

    expect(runCli(['lint'], dir)).toMatchObject({ code: 0, stderr: '' });
  });

  it('without --reapply a platform-owned edit is kept (and a dirty tree refused); the other lint messages name their override point', () => {
    const dir = project();
    edit(dir, 'compose.yaml', HEAP, 'KAFKA_HEAP_OPTS: -Xms1g -Xmx2g');
    expect(runCli(['upgrade'], dir)).toMatchObject({ code: 1, stderr: 'error: the working tree has uncommitted changes (1 file, e.g. compose.yaml); commit or stash your changes and retry\n' });
    commitAll(dir, 'my heap');
    expect(runCli(['upgrade', '--yes'], dir)).toEqual({ code: 0, stdout: `Already at platform ${VERSION}, and every generated file matches iot-platform.yaml: nothing to do.\n`, stderr: '' });
    expect(read(dir, 'compose.yaml')).toContain('-Xms1g -Xmx2g');

    appendFileSync(join(dir, 'charts/app/values-dev.yaml'), '# mine\n');
    appendFileSync(join(dir, '.env.example'), '# mine\n');
    expect(runCli(['lint'], dir).stdout).toBe(
      [
        '.env.example: platform-owned file edited by hand; restore it with npx create-iot-platform upgrade --reapply and put your values in .env',
        'charts/app/values-dev.yaml: platform-owned file edited by hand; restore it with npx create-iot-platform upgrade --reapply and put your values in charts/values-<environment>.yaml (deploy) or charts/ci-values.yaml (e2e on kind)',
        'compose.yaml: platform-owned file edited by hand; restore it with npx create-iot-platform upgrade --reapply and put your setting in compose.override.yaml (docker compose merges it) or .env',
        '',
      ].join('\n'),
    );
  });

  it('applies an edit of iot-platform.yaml, keeps compose.override.yaml, and --dry-run first shows the diff per file', () => {
    const dir = project();
    expect(read(dir, 'compose.override.yaml')).toContain('services: {}');
    expect(JSON.parse(read(dir, '.iot-platform/lock.json')).files['compose.override.yaml'].ownership).toBe('user');
    writeFileSync(join(dir, 'compose.override.yaml'), 'services:\n  kafka:\n    environment:\n      KAFKA_HEAP_OPTS: -Xms1g -Xmx2g\n');
    commitAll(dir, 'my Kafka heap, the documented way');
    expect(runCli(['lint'], dir).code).toBe(0);

    edit(dir, 'iot-platform.yaml', '  - api\n  - dbt\n', '  - api\n');
    edit(dir, 'iot-platform.yaml', 'timeZone: UTC', 'timeZone: Europe/Prague');
    commitAll(dir, 'no dbt; local days in Prague');
    const head = git(dir, 'rev-parse', 'HEAD').trim();

    const dry = runCli(['upgrade', '--dry-run'], dir);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`Platform ${VERSION} re-rendered from iot-platform.yaml:`);
    expect(dry.stdout).toMatch(/^diff --git a\/compose\.yaml b\/compose\.yaml\n/m);
    expect(dry.stdout).toMatch(/^-  dbt:$/m); // the dbt service leaves compose.yaml
    expect(dry.stdout).toMatch(/^diff --git a\/dbt\/dbt_project\.yml a\/dbt\/dbt_project\.yml\ndeleted file mode/m);
    expect(dry.stdout).toMatch(/^\+ {4}timeZone: Europe\/Prague$/m); // charts/app/values.yaml
    expect(dry.stdout).not.toMatch(/^diff --git .*compose\.override\.yaml/m);
    expect(dry.stdout).toContain('Dry run: nothing written. It would apply cleanly.');
    expect(gitStatus(dir)).toEqual([]);
    expect(git(dir, 'rev-parse', 'HEAD').trim()).toBe(head);

    const result = runCli(['upgrade', '--yes'], dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Re-rendered platform ${VERSION}. Nothing is committed`);
    expect(result.stdout).toContain('| updated | `compose.yaml` |  |');
    expect(result.stdout).toContain('| deleted | `dbt/dbt_project.yml` | removed from the platform |');
    expect(read(dir, 'compose.yaml')).not.toMatch(/^ {2}dbt:$/m);
    expect(existsSync(join(dir, 'dbt'))).toBe(false);
    expect(read(dir, 'charts/app/values.yaml')).toContain('timeZone: Europe/Prague');
    expect(read(dir, 'compose.override.yaml')).toBe('services:\n  kafka:\n    environment:\n      KAFKA_HEAP_OPTS: -Xms1g -Xmx2g\n');
    expect(read(dir, 'iot-platform.yaml')).toBe(git(dir, 'show', 'HEAD:iot-platform.yaml'));
    expect(JSON.parse(read(dir, '.iot-platform/lock.json')).answers.components).toEqual(['redis', 'api']);
    expect(runCli(['lint'], dir)).toMatchObject({ code: 0, stderr: '' });

    commitAll(dir, 're-rendered');
    expect(runCli(['upgrade'], dir).stdout).toContain('nothing to do');
  });

  it('adds to .env what the new render lists in .env.example (a component added: its secrets), changing no line of it', () => {
    const dir = renderToDir({ components: ['redis', 'dbt'] });
    dirs.push(dir);
    initRepo(dir);
    commitAll(dir, 'generated');
    const before = read(dir, '.env');
    expect(before).not.toMatch(/^API_KEY=/m);
    edit(dir, 'iot-platform.yaml', '  - redis\n', '  - redis\n  - api\n');
    commitAll(dir, 'with the API');

    const result = runCli(['upgrade', '--yes'], dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Added to .env (git-ignored): OFFLINE_AFTER_SECONDS, POSTGRES_API_PASSWORD, REDIS_API_PASSWORD, API_KEY.');
    const after = read(dir, '.env');
    expect(after.startsWith(before)).toBe(true);
    expect(after).toMatch(/^API_KEY=[A-Za-z0-9_-]{32}$/m);
    expect(gitStatus(dir).filter((line) => line.endsWith(' .env'))).toEqual([]); // git-ignored
  });

  it('what the README\'s Kubernetes and native steps create is git-ignored, so upgrade accepts the tree', () => {
    const dir = project();
    const created = ['charts/app/Chart.lock', `charts/app/charts/iot-platform-${VERSION}.tgz`, 'charts/app/files/iot-platform.yaml', 'node_modules/x/index.js', '.venv/bin/python', 'dbt/target/manifest.json', '.stack/addresses.env', 'logs/kafka.log'];
    for (const path of created) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), 'x\n');
    }
    expect(gitStatus(dir)).toEqual([]);
    expect(runCli(['upgrade'], dir)).toMatchObject({ code: 0, stderr: '' });
  });

  it('--help lists the flags and every exit code; an unknown flag names itself', () => {
    const help = runCli(['upgrade', '--help']);
    expect(help.stdout).toContain('--reapply');
    expect(help.stdout).toContain('--yes, -y');
    expect(help.stdout).toContain('Exit codes: 0 upgraded cleanly (or nothing to do), 1 user error, 2 internal error, 3 upgraded with conflicts to resolve.');
    expect(runCli(['upgrade', '--reaply'], project())).toMatchObject({ code: 1, stderr: expect.stringMatching(/^error: Unknown option '--reaply'; usage: create-iot-platform upgrade/) });
  });
});
