// `create-iot-platform upgrade` end to end, against a real older platform version: test/helpers/platform-fixture.ts
// builds 0.0.9 (this tree with some templates rewound) as a tagged git repository, `upgrade` obtains it from there
// (IOT_PLATFORM_SOURCE), builds it, renders the project's answers with its own CLI, and merges towards the running
// version. One corpus of (user edit × template change) cases is applied to one project; a second project gets
// only the edits that do not collide with a template change.
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from './helpers/cli.ts';
import { commitAll, git, GIT_ENV, gitStatus } from './helpers/git.ts';
import {
  buildOlderPlatform,
  CURRENT_LINES,
  currentHeaderCode,
  editTemplateLine,
  OLD_CHECKPOINT,
  OLD_QUEUE,
  OLD_TTL,
  OLD_VERSION,
  tagNextVersion,
  TEMPLATE_CHANGES,
  type PlatformFixture,
} from './helpers/platform-fixture.ts';
import { obtainVersion, type ObtainedVersion } from '../upgrade/obtain.ts';
import { formatReport, upgradeProject, type FileStatus } from '../upgrade/index.ts';
import { loadManifest } from '../manifest/load.ts';
import { renderProject } from '../renderer/render.ts';
import { platformVersion } from '../renderer/package-root.ts';
import { LOCK_FILE } from '../renderer/render.ts';
import { headerLine } from '../renderer/ownership.ts';

const NEW_VERSION = platformVersion();
const SPEC = 'file:/opt/create-iot-platform'; // fixed, so package.json does not differ between the versions
const work = mkdtempSync(join(tmpdir(), 'iotp-upgrade-test-'));
const env = { IOT_PLATFORM_SOURCE: '', IOT_PLATFORM_CACHE: join(work, 'cache'), ...GIT_ENV };
let platform: PlatformFixture;
let old: ObtainedVersion;
let pristine: string;
const timings: Record<string, number> = {};

const read = (dir: string, path: string) => (existsSync(join(dir, path)) ? readFileSync(join(dir, path), 'utf8') : undefined);
const edit = (path: string, from: string | RegExp, to: string) => (dir: string) => {
  const text = read(dir, path)!;
  if (typeof from === 'string' ? !text.includes(from) : !from.test(text)) throw new Error(`${path}: no ${String(from)}`);
  writeFileSync(join(dir, path), text.replace(from, to));
};
const append = (path: string, text: string) => (dir: string) => appendFileSync(join(dir, path), text);
const remove = (path: string) => (dir: string) => rmSync(join(dir, path));
const create = (path: string, text: string) => (dir: string) => {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
};

/** What the current platform renders for a project (after its upgrade: manifest at NEW_VERSION). */
function newRender(dir: string): Map<string, string> {
  return new Map(renderProject(loadManifest(join(dir, 'iot-platform.yaml')), { platformDependency: SPEC }).map((f) => [f.path, f.content]));
}

interface Ctx {
  dir: string;
  text: string | undefined;
  expected: Map<string, string>;
}

interface Case {
  path: string;
  ownership: 'platform' | 'shared' | 'user' | '-';
  template: string;
  user: string;
  apply?: (dir: string) => void;
  /** The user edit collides with the template change: left out of the clean project. */
  collides?: boolean;
  status: FileStatus | 'absent';
  /** Status in the clean project, when the case collides (no user edit there). */
  cleanStatus?: FileStatus;
  check: (ctx: Ctx) => void;
}

const HEADER_OLD = `Managed by create-iot-platform ${OLD_VERSION}.`; // headers of the old version carried it
const HEADER_NEW = headerLine('vitest.config.ts')!;
const conflictMarkers = (text: string | undefined) => {
  expect(text).toContain('<<<<<<< your version');
  expect(text).toContain(`||||||| platform ${OLD_VERSION}`);
  expect(text).toContain(`>>>>>>> platform ${NEW_VERSION}`);
};
const isNewRender = (path: string) => (c: Ctx) => expect(c.text).toBe(c.expected.get(path));

const CORPUS: Case[] = [
  { path: 'compose.yaml', ownership: 'platform', template: TEMPLATE_CHANGES['compose.yaml']!.change, user: 'none', status: 'updated', check: isNewRender('compose.yaml') },
  {
    path: 'config/mosquitto/mosquitto.conf',
    ownership: 'platform',
    template: TEMPLATE_CHANGES['config/mosquitto/mosquitto.conf']!.change,
    user: 'edit the same line (1234 → 5000)',
    apply: edit('config/mosquitto/mosquitto.conf', OLD_QUEUE, 'max_queued_messages 5000'),
    collides: true,
    status: 'conflict',
    cleanStatus: 'updated',
    check: ({ text }) => {
      conflictMarkers(text);
      expect(text).toContain('max_queued_messages 5000');
      expect(text).toContain(CURRENT_LINES['config/mosquitto/mosquitto.conf']);
    },
  },
  {
    path: 'vitest.config.ts',
    ownership: 'platform',
    template: 'header loses the version',
    user: 'append a TS line',
    apply: append('vitest.config.ts', 'export const MY_LOG_TAG = "mine";\n'),
    status: 'updated',
    check: ({ text }) => {
      expect(text).toContain('export const MY_LOG_TAG = "mine";');
      expect(text!.split('\n')[0]).toBe(HEADER_NEW);
    },
  },
  { path: 'renovate.json', ownership: 'platform', template: 'none', user: 'delete', apply: remove('renovate.json'), status: 'kept-deleted', check: ({ text }) => expect(text).toBeUndefined() },
  { path: 'flink/sql/10-measurement.sql', ownership: 'shared', template: TEMPLATE_CHANGES['flink/sql/10-measurement.sql']!.change, user: 'none', status: 'updated', check: isNewRender('flink/sql/10-measurement.sql') },
  {
    path: 'flink/sql/20-enrichment.sql',
    ownership: 'shared',
    template: TEMPLATE_CHANGES['flink/sql/20-enrichment.sql']!.change,
    user: "edit the same line ('1 d' → '14 d')",
    apply: edit('flink/sql/20-enrichment.sql', OLD_TTL, "SET 'table.exec.state.ttl' = '14 d';"),
    collides: true,
    status: 'conflict',
    cleanStatus: 'updated',
    check: ({ text }) => {
      conflictMarkers(text);
      expect(text).toContain("SET 'table.exec.state.ttl' = '14 d';");
      expect(text).toContain(CURRENT_LINES['flink/sql/20-enrichment.sql']);
    },
  },
  {
    path: 'flink/sql/30-summary.sql',
    ownership: 'shared',
    template: TEMPLATE_CHANGES['flink/sql/30-summary.sql']!.change,
    user: 'append a SQL comment at the end',
    apply: append('flink/sql/30-summary.sql', '-- my tuning notes: keep the 10-minute window\n'),
    status: 'merged',
    check: ({ text }) => {
      expect(text).toContain('-- my tuning notes: keep the 10-minute window');
      expect(text).toContain(CURRENT_LINES['flink/sql/30-summary.sql']);
      expect(text).not.toContain(OLD_CHECKPOINT);
      expect(text).not.toContain('<<<<<<<');
    },
  },
  { path: 'flink/sql/40-history.sql', ownership: 'shared', template: TEMPLATE_CHANGES['flink/sql/40-history.sql']!.change, user: 'delete', apply: remove('flink/sql/40-history.sql'), status: 'kept-deleted', check: ({ text }) => expect(text).toBeUndefined() },
  {
    path: 'services/api/routes/devices.ts',
    ownership: 'shared',
    template: 'none',
    user: 'edit a TS line',
    apply: edit('services/api/routes/devices.ts', "  deviceId: z.string(),", "  deviceId: z.string().min(1), // mine"),
    status: 'unchanged',
    check: ({ text }) => expect(text).toContain('deviceId: z.string().min(1), // mine'),
  },
  {
    path: 'dbt/models/marts/device_daily.sql',
    ownership: 'shared',
    template: TEMPLATE_CHANGES['dbt/models/marts/device_daily.sql']!.change,
    user: 'edit the model at its old path',
    apply: edit('dbt/models/marts/daily_device.sql', '    count(*) as readings,', '    count(*) as readings,\n    count(distinct device_id) as my_devices,'),
    status: 'merged',
    check: ({ dir, text }) => {
      expect(text).toContain('count(distinct device_id) as my_devices,');
      expect(read(dir, 'dbt/models/marts/daily_device.sql')).toBeUndefined();
    },
  },
  {
    path: 'dbt/models/marts/daily_device.sql',
    ownership: 'shared',
    template: 'renamed away (see device_daily.sql)',
    user: 'edit (moved by the upgrade)',
    status: 'deleted',
    check: ({ text }) => expect(text).toBeUndefined(),
  },
  {
    path: 'dbt/models/marts/device_daily.yml',
    ownership: 'shared',
    template: TEMPLATE_CHANGES['dbt/models/marts/device_daily.yml']!.change,
    user: 'none',
    status: 'new',
    check: (c) => {
      isNewRender('dbt/models/marts/device_daily.yml')(c);
      expect(read(c.dir, 'dbt/models/marts/daily_device.yml')).toBeUndefined();
    },
  },
  { path: 'dbt/tests/assert_dry_streak_consistent.sql', ownership: 'shared', template: 'add a file', user: 'none', status: 'new', check: isNewRender('dbt/tests/assert_dry_streak_consistent.sql') },
  {
    path: 'dbt/tests/generic/accepted_range.sql',
    ownership: 'shared',
    template: 'add a file',
    user: 'add a different file at the same path',
    apply: create('dbt/tests/generic/accepted_range.sql', '{% test accepted_range(model, column_name) %}\nselect 1 where false -- mine\n{% endtest %}\n'),
    collides: true,
    status: 'conflict',
    cleanStatus: 'new',
    check: ({ text }) => {
      expect(text).toContain('<<<<<<< your version');
      expect(text).toContain('select 1 where false -- mine');
    },
  },
  { path: 'flink/sql/90-legacy.sql', ownership: 'shared', template: 'delete a file', user: 'none', status: 'deleted', check: ({ text }) => expect(text).toBeUndefined() },
  {
    path: 'dbt/models/marts/legacy_report.sql',
    ownership: 'shared',
    template: 'delete a file',
    user: 'edit',
    apply: append('dbt/models/marts/legacy_report.sql', '-- still used by our finance dashboard\n'),
    status: 'kept-removed',
    check: ({ text }) => expect(text).toContain('-- still used by our finance dashboard'),
  },
  { path: 'config/legacy/legacy.conf', ownership: 'platform', template: 'delete a file', user: 'none', status: 'deleted', check: ({ text }) => expect(text).toBeUndefined() },
  {
    path: 'iot-platform.yaml',
    ownership: 'user',
    template: 'platform.version',
    user: 'edit the description, add a comment (YAML)',
    apply: (dir) => {
      edit('iot-platform.yaml', /^  description: .*$/m, '  description: Soil sensors of the north field')(dir);
      edit('iot-platform.yaml', /^blueprint: sensors$/m, '# our fork of the sensors blueprint\nblueprint: sensors')(dir);
    },
    status: 'updated',
    check: ({ text }) => {
      expect(text).toContain('  description: Soil sensors of the north field');
      expect(text).toContain('# our fork of the sensors blueprint');
      expect(text).toMatch(new RegExp(`platform:\\n  version: ${NEW_VERSION.replaceAll('.', '\\.')}\\n`));
    },
  },
  {
    path: 'scenarios/sensors/messages.jsonl',
    ownership: 'user',
    template: 'none',
    user: 'append a message',
    apply: append('scenarios/sensors/messages.jsonl', '{"order": 999999, "tick": 0, "topic": "mine", "payload": "mine"}\n'),
    status: 'kept-user',
    check: ({ text }) => expect(text).toContain('"topic": "mine"'),
  },
  {
    path: 'README.md',
    ownership: 'shared',
    template: 'platform version in a line',
    user: 'append a section',
    apply: append('README.md', '\n## Our field notes\n\nThe north field sensors are calibrated monthly.\n'),
    status: 'merged',
    check: ({ text }) => {
      expect(text).toContain('## Our field notes');
      expect(text).toContain(`) ${NEW_VERSION}.`);
    },
  },
  {
    path: 'notes/todo.md',
    ownership: '-',
    template: 'not in the template',
    user: 'add a file',
    apply: create('notes/todo.md', '- calibrate\n'),
    status: 'absent',
    check: ({ text }) => expect(text).toBe('- calibrate\n'),
  },
];

function upgradeCli(dir: string, ...args: string[]): CliResult {
  Object.assign(process.env, env);
  return runCli(['upgrade', ...args], dir);
}

function copyProject(name: string): string {
  const dir = join(work, name);
  execFileSync('cp', ['-a', pristine, dir]);
  return dir;
}

function projectWith(name: string, cases: Case[]): { dir: string; head: string } {
  const dir = copyProject(name);
  for (const c of cases) c.apply?.(dir);
  return { dir, head: commitAll(dir, 'my edits') };
}

const statusesOf = (stdout: string) =>
  Object.fromEntries([...stdout.matchAll(/^\| ([a-z-]+) \| `([^`]+)` \|/gm)].map((m) => [m[2]!, m[1]!]));

beforeAll(() => {
  let start = performance.now();
  platform = buildOlderPlatform();
  timings.fixture = Math.round(performance.now() - start);
  env.IOT_PLATFORM_SOURCE = platform.dir;
  Object.assign(process.env, env);
  start = performance.now();
  old = obtainVersion(OLD_VERSION);
  timings.obtain = Math.round(performance.now() - start);
  start = performance.now();
  const out = execFileSync(process.execPath, [join(old.dir, 'bin', 'create-iot-platform.js'), 'pristine', '--blueprint', 'sensors', '--yes', '--skip-install', '--platform-dependency', SPEC], {
    cwd: work,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  timings.generate = Math.round(performance.now() - start);
  expect(out).toContain('Created pristine');
  pristine = join(work, 'pristine');
  process.stdout.write(`upgrade fixture: build ${OLD_VERSION} ${timings.fixture} ms; obtain (export ${old.timings.export} ms, deps ${old.timings.dependencies} ms, build ${old.timings.build} ms) ${timings.obtain} ms; generate ${timings.generate} ms\n`);
}, 300_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  if (platform) rmSync(platform.dir, { recursive: true, force: true });
});

// Each upgrade spawns the old version's CLI; on a loaded machine that alone can take tens of seconds.
describe(`upgrade ${OLD_VERSION} → current`, { timeout: 300_000 }, () => {
  it('obtained the old version from the tagged git repository and built it once', () => {
    expect(old.source).toBe(platform.dir);
    expect(old.dir).toContain(join('versions', `${OLD_VERSION}-${platform.commit.slice(0, 12)}`));
    expect(existsSync(join(old.dir, 'dist', 'cli', 'main.js'))).toBe(true);
    expect(obtainVersion(OLD_VERSION).cached).toBe(true);
    expect(read(pristine, 'iot-platform.yaml')).toContain(`version: ${OLD_VERSION}`);
    expect(read(pristine, 'dbt/models/marts/daily_device.sql')).toBeDefined();
  });

  describe('with edits that collide with the template changes', () => {
    let dir: string;
    let head: string;
    let result: CliResult;
    let expected: Map<string, string>;
    beforeAll(() => {
      ({ dir, head } = projectWith('conflicts', CORPUS));
      const start = performance.now();
      result = upgradeCli(dir);
      timings.upgrade = Math.round(performance.now() - start);
      expected = newRender(dir);
    }, 300_000);

    it('exits 3 and lists the conflicts', () => {
      expect(result.stderr).toBe('');
      expect(result.code).toBe(3);
      const conflicts = CORPUS.filter((c) => c.status === 'conflict').map((c) => c.path).sort();
      expect(result.stdout).toContain(`with ${conflicts.length} conflict(s); resolve the <<<<<<< markers in:\n${conflicts.map((p) => `  ${p}`).join('\n')}\n`);
      expect(result.stdout).toContain('review with `git diff`');
    });

    it.each(CORPUS.map((c) => [`${c.ownership} ${c.path}: template ${c.template} × user ${c.user} → ${c.status}`, c] as const))('%s', (_, c) => {
      const statuses = statusesOf(result.stdout);
      if (c.status === 'absent') expect(statuses[c.path]).toBeUndefined();
      else if (c.status === 'unchanged') expect([undefined, 'unchanged']).toContain(statuses[c.path]);
      else expect(statuses[c.path]).toBe(c.status);
      c.check({ dir, text: read(dir, c.path), expected });
    });

    it('updates the lock to the new render and commits nothing', () => {
      expect(read(dir, LOCK_FILE)).toBe(expected.get(LOCK_FILE));
      expect(JSON.parse(read(dir, LOCK_FILE)!).platformVersion).toBe(NEW_VERSION);
      expect(git(dir, 'rev-parse', 'HEAD').trim()).toBe(head);
      expect(gitStatus(dir)).toEqual(expect.arrayContaining([' M compose.yaml', ' M iot-platform.yaml', ` M ${LOCK_FILE}`, ' D flink/sql/90-legacy.sql']));
    });

    it('regenerates every platform-owned file the user did not edit', () => {
      const lock = JSON.parse(expected.get(LOCK_FILE)!) as { files: Record<string, { ownership: string }> };
      const edited = new Set(CORPUS.filter((c) => c.apply).map((c) => c.path));
      for (const [path, { ownership }] of Object.entries(lock.files)) {
        if (ownership !== 'platform' || edited.has(path) || path === LOCK_FILE) continue;
        expect(read(dir, path), path).toBe(expected.get(path));
      }
    });

    it('replaces the old version\'s headers without counting them as edits or conflicts', () => {
      expect(read(pristine, 'compose.yaml')!.split('\n')[0]).toBe(`# ${HEADER_OLD} Do not edit: upgrades regenerate this file and lint flags hand edits.`);
      const statuses = statusesOf(result.stdout);
      const headed = [...expected.keys()].filter((path) => read(pristine, path)?.includes(HEADER_OLD));
      expect(headed.length).toBeGreaterThan(15);
      for (const path of headed) {
        expect(read(dir, path), path).not.toContain(HEADER_OLD);
        if (path !== 'config/mosquitto/mosquitto.conf') expect(statuses[path], path).toBe('updated'); // the one real conflict
      }
    });
  });

  describe('with edits that do not collide', () => {
    let dir: string;
    let result: CliResult;
    let expected: Map<string, string>;
    beforeAll(() => {
      ({ dir } = projectWith('clean', CORPUS.filter((c) => !c.collides)));
      result = upgradeCli(dir);
      expected = newRender(dir);
    }, 300_000);

    it('exits 0 with every user edit merged or kept', () => {
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Upgraded to platform ${NEW_VERSION}. Nothing is committed`);
      const statuses = statusesOf(result.stdout);
      for (const c of CORPUS) {
        const status = c.collides ? c.cleanStatus! : c.status;
        if (status === 'absent') expect(statuses[c.path], c.path).toBeUndefined();
        else if (status !== 'unchanged') expect(statuses[c.path], c.path).toBe(status);
        if (!c.collides) c.check({ dir, text: read(dir, c.path), expected });
        else expect(read(dir, c.path), c.path).toBe(expected.get(c.path));
      }
      expect(Object.values(statuses)).not.toContain('conflict');
    });

    it('is already at the version afterwards (exit 0)', () => {
      commitAll(dir, 'upgrade');
      const again = upgradeCli(dir);
      expect(again.code).toBe(0);
      expect(again.stdout).toBe(`Already at platform ${NEW_VERSION}: nothing to do.\n`);
    });
  });

  describe('guards and dry run', () => {
    it('--dry-run prints the classification and writes nothing', () => {
      const { dir, head } = projectWith('dry-run', CORPUS);
      const result = upgradeCli(dir, '--dry-run');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('| status | file | detail |');
      expect(result.stdout).toContain('| conflict | `flink/sql/20-enrichment.sql` |');
      expect(result.stdout).toContain('Dry run: nothing written. 3 file(s) would get conflict markers.');
      expect(gitStatus(dir)).toEqual([]);
      expect(git(dir, 'rev-parse', 'HEAD').trim()).toBe(head);
    });

    it('refuses a dirty work tree (exit 1) with the fix', () => {
      const dir = copyProject('dirty');
      appendFileSync(join(dir, 'README.md'), 'uncommitted\n');
      const result = upgradeCli(dir);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe('error: the working tree has uncommitted changes (1 file, e.g. README.md); commit or stash your changes and retry\n');
      expect(read(dir, 'iot-platform.yaml')).toContain(`version: ${OLD_VERSION}`);
    });

    it('refuses a folder outside a generated repository, a downgrade and an unknown version', () => {
      expect(upgradeCli(work)).toMatchObject({ code: 1, stderr: expect.stringMatching(/is not inside a generated repository \(no iot-platform\.yaml here or above\); run upgrade in the project's folder/) });
      const dir = copyProject('guards');
      expect(upgradeCli(dir, '--to', '0.0.1')).toMatchObject({ code: 1, stderr: expect.stringMatching(/--to 0\.0\.1 is older than this project's platform 0\.0\.9: downgrades are not supported; pass --to 0\.0\.9 or later/) });
      expect(upgradeCli(dir, '--to', OLD_VERSION)).toMatchObject({ code: 0, stdout: `Already at platform ${OLD_VERSION}: nothing to do.\n` });
      const unknown = upgradeCli(dir, '--to', '0.0.10');
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/cannot obtain create-iot-platform 0\.0\.10 \(no tag v0\.0\.10 in .*\); set IOT_PLATFORM_SOURCE/);
      expect(upgradeCli(dir, '--bogus')).toMatchObject({ code: 1, stderr: expect.stringMatching(/Unknown option '--bogus'; usage: create-iot-platform upgrade/) });
    }, 240_000); // the unknown version is also asked of the npm registry

    it('runs from a subfolder of the project', () => {
      const dir = copyProject('subfolder');
      const result = upgradeCli(join(dir, 'flink', 'sql'), '--dry-run');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Platform ${OLD_VERSION} → ${NEW_VERSION}`);
    });
  });

  describe('the programmatic API (org-wide sync)', () => {
    it('returns the report and the markdown table; dryRun writes nothing', async () => {
      const { dir } = projectWith('api', CORPUS);
      const lines: string[] = [];
      const report = await upgradeProject({ projectDir: dir, dryRun: true, log: (l) => lines.push(l) });
      expect(report).toMatchObject({ from: OLD_VERSION, to: NEW_VERSION, changed: true });
      expect(report.conflicts).toEqual(['config/mosquitto/mosquitto.conf', 'dbt/tests/generic/accepted_range.sql', 'flink/sql/20-enrichment.sql']);
      expect(report.files.find((f) => f.path === 'dbt/models/marts/legacy_report.sql')).toEqual({
        path: 'dbt/models/marts/legacy_report.sql',
        status: 'kept-removed',
        detail: 'removed from the platform; kept because you changed it',
      });
      expect(formatReport(report)).toMatch(/^Platform 0\.0\.9 → .*\n\n\| status \| file \| detail \|/);
      expect(lines.join('\n')).toContain(`Platform ${OLD_VERSION}: cached in`);
      expect(gitStatus(dir)).toEqual([]);
      // requireCleanGit: false lets a caller upgrade a tree it manages itself.
      appendFileSync(join(dir, 'notes.md'), 'x\n');
      await expect(upgradeProject({ projectDir: dir, dryRun: true })).rejects.toThrow(/commit or stash your changes and retry/);
      await expect(upgradeProject({ projectDir: dir, dryRun: true, requireCleanGit: false })).resolves.toMatchObject({ changed: true });
    });
  });

  describe('a project whose manifest is at an older apiVersion', () => {
    it('renders both versions and saves the migrated manifest', () => {
      const dir = copyProject('migrate');
      const manifest = read(dir, 'iot-platform.yaml')!;
      const components = /^components:\n((?: {2}- .*\n)+)/m.exec(manifest)![1]!.split('\n').filter(Boolean).map((l) => l.replace('  - ', ''));
      writeFileSync(
        join(dir, 'iot-platform.yaml'),
        manifest
          .replace('apiVersion: iot-platform/v1', 'apiVersion: iot-platform/v1alpha1')
          .replace(/^components:\n(?: {2}- .*\n)+/m, `components:\n${['redis', 'api', 'dbt', 'history', 'observability'].map((c) => `  ${c}: ${components.includes(c)}\n`).join('')}`),
      );
      commitAll(dir, 'manifest as v1alpha1');
      const result = upgradeCli(dir);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('migrated apiVersion iot-platform/v1alpha1 → iot-platform/v1');
      expect(result.stdout).toMatch(/\| updated \| `iot-platform\.yaml` \| platform\.version 0\.0\.9 → .*; apiVersion migrated to iot-platform\/v1/);
      const saved = loadManifest(join(dir, 'iot-platform.yaml'));
      expect(saved.apiVersion).toBe('iot-platform/v1');
      expect(saved.components).toEqual(components);
      expect(saved.platform.version).toBe(NEW_VERSION);
    });
  });

  describe('--to a version other than the running one', () => {
    it('renders the target with that version\'s own CLI', () => {
      // 0.0.10 is the first version whose headers carry no version.
      const next = tagNextVersion(platform, '0.0.10', (fixture) => {
        editTemplateLine('blueprints/sensors/files/flink/sql/10-measurement.sql', OLD_CHECKPOINT, "SET 'execution.checkpointing.interval' = '30s';")(fixture);
        currentHeaderCode(fixture);
      });
      const start = performance.now();
      const obtained = obtainVersion(next.version); // built here, so the CLI run below finds it cached
      timings.obtainTarget = Math.round(performance.now() - start);
      expect(obtained.dir).toContain(`0.0.10-${next.commit.slice(0, 12)}`);
      const { dir } = projectWith('to-next', CORPUS.filter((c) => !c.collides));
      const result = upgradeCli(dir, '--to', '0.0.10');
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const statuses = statusesOf(result.stdout);
      expect(statuses).toMatchObject({ 'flink/sql/10-measurement.sql': 'updated', 'compose.yaml': 'updated', 'vitest.config.ts': 'updated', 'flink/sql/30-summary.sql': 'unchanged' });
      expect(statuses['dbt/models/marts/device_daily.sql']).toBeUndefined(); // 0.0.10 still has daily_device.sql
      expect(read(dir, 'flink/sql/10-measurement.sql')).toContain("SET 'execution.checkpointing.interval' = '30s';");
      expect(read(dir, 'compose.yaml')!.split('\n')[0]).toBe(headerLine('compose.yaml'));
      expect(read(dir, 'vitest.config.ts')).toBe(`${HEADER_NEW}\n${read(pristine, 'vitest.config.ts')!.split('\n').slice(1).join('\n')}export const MY_LOG_TAG = "mine";\n`);
      expect(read(dir, 'flink/sql/30-summary.sql')).toContain('-- my tuning notes');
      expect(loadManifest(join(dir, 'iot-platform.yaml')).platform.version).toBe('0.0.10');
      expect(JSON.parse(read(dir, LOCK_FILE)!).platformVersion).toBe('0.0.10');
    }, 600_000);
  });

  afterAll(() => {
    process.stdout.write(`upgrade timings (ms): ${JSON.stringify(timings)}\n`);
  });
});

