// `create-iot-platform upgrade` end to end, against a real older platform version from this repository's own
// history: test/helpers/platform-fixture.ts tags OLD_COMMIT (6ee5c98, the platform before its runtime moved into
// the package) as 0.0.9 in a throwaway clone; `upgrade` obtains it like any version (git archive of the tag, npm ci,
// its own build), renders the project's answers with that version's CLI and merges towards the running code. The
// skew is the real one: runtime files leave projects, headers lose the version, each job's Flink DDL moves to
// flink/tables/, compose comes from the component catalog, generated code imports create-iot-platform/*.
// One corpus of (user edit × real template change) cases is applied to one project; a second project gets only the
// edits that do not collide; an untouched project must come out as today's render.
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from './helpers/cli.ts';
import { commitAll, git, GIT_ENV, gitStatus } from './helpers/git.ts';
import { buildOlderPlatform, NEXT_COMMIT, NEXT_VERSION, OLD_COMMIT, OLD_VERSION, tagVersion, type PlatformFixture } from './helpers/platform-fixture.ts';
import { lockSha, obtainVersion, type ObtainedVersion } from '../upgrade/obtain.ts';
import { formatReport, upgradeProject, type FileStatus } from '../upgrade/index.ts';
import { loadManifest } from '../manifest/load.ts';
import { renderProject } from '../renderer/render.ts';
import { packageRoot, platformVersion } from '../renderer/package-root.ts';
import { LOCK_FILE } from '../renderer/render.ts';
import { headerLine } from '../renderer/ownership.ts';

const NEW_VERSION = platformVersion();
const SPEC = 'file:/opt/create-iot-platform'; // fixed, so package.json does not differ between the versions
const work = mkdtempSync(join(tmpdir(), 'iotp-upgrade-test-'));
const env = { IOT_PLATFORM_SOURCE: '', IOT_PLATFORM_CACHE: join(work, 'cache'), ...GIT_ENV };
let platform: PlatformFixture;
let old: ObtainedVersion;
const obtainLog: string[] = [];
let pristine: string;
const timings: Record<string, number> = {};

/** 0.0.9 copied the platform runtime into projects (platform-owned); today's projects run it from the package. */
const RUNTIME_FILES = [
  'services/api/kit/auth.ts',
  'services/api/kit/build-app.ts',
  'services/api/kit/health.ts',
  'services/api/kit/pagination.ts',
  'services/ingest-gateway/dead-letter.ts',
  'services/ingest-gateway/kafka-batcher.ts',
  'services/ingest-gateway/main.ts',
  'services/ingest-gateway/mqtt-topics.ts',
  'services/ingest-gateway/parse.ts',
  'services/lib/env.ts',
  'services/lib/health-server.ts',
  'services/lib/log.ts',
  'services/lib/manifest.ts',
  'services/lib/shutdown.ts',
  'services/redis-sink/key-template.ts',
  'services/redis-sink/main.ts',
  'services/redis-sink/materialize.ts',
];
/**
 * Files of 0.0.9 that today's platform no longer writes: the runtime, the file ACL of Mosquitto, and the measurement
 * job (its pairing joined 20-enrichment.sql).
 */
const REMOVED_FILES = [...RUNTIME_FILES, 'config/mosquitto/acl', 'flink/sql/10-measurement.sql'].sort();
/** 0.0.9 declared each table in every job that used it; today each is declared once (default components). */
const FLINK_TABLES = [
  'device_state_latest',
  'drought_streak',
  'enriched',
  'enriched_history',
  'humidity_readings',
  'recent_summary',
  'sensor_readings',
  'temperature_readings',
].map((t) => `flink/tables/${t}.sql`);
const OVERRIDE = 'services:\n  kafka:\n    environment:\n      KAFKA_HEAP_OPTS: -Xms1g -Xmx2g\n';
const KEPT_USER_DETAIL = 'user-owned; the platform template changed, yours is kept';

const read = (dir: string, path: string) => (existsSync(join(dir, path)) ? readFileSync(join(dir, path), 'utf8') : undefined);
/** Replaces `from` (which must be there, once) by `to`. */
const replaced = (text: string | undefined, from: string, to: string, what = 'text') => {
  if (text === undefined || text.split(from).length !== 2) throw new Error(`${what} has ${text === undefined ? 'no file' : `${text.split(from).length - 1} × ${JSON.stringify(from)}`}`);
  return text.replace(from, () => to);
};
const edit = (path: string, from: string, to: string) => (dir: string) => writeFileSync(join(dir, path), replaced(read(dir, path), from, to, path));
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

/** Every file of a project (no .git, no .env) → whether it is executable. */
function projectFiles(dir: string): Map<string, boolean> {
  const files = new Map<string, boolean>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = relative(dir, join(entry.parentPath, entry.name));
    if (!entry.isFile() || path === '.env' || path.split('/')[0] === '.git') continue;
    files.set(path, (statSync(join(dir, path)).mode & 0o100) !== 0);
  }
  return files;
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
  /** The detail column of the report, exactly. */
  detail?: string;
  /** Status in the clean project, when the case collides (no user edit there). */
  cleanStatus?: FileStatus;
  check: (ctx: Ctx) => void;
}

const OLD_HEADER = `Managed by create-iot-platform ${OLD_VERSION}.`; // headers of the old version carried it
const PLATFORM_MERGED = 'platform-owned file you edited: merged, not overwritten';
const conflictMarkers = (text: string | undefined) => {
  expect(text).toContain('<<<<<<< your version');
  expect(text).toContain(`||||||| platform ${OLD_VERSION}`);
  expect(text).toContain(`>>>>>>> platform ${NEW_VERSION}`);
};
const isNewRender = (path: string) => (c: Ctx) => expect(c.text).toBe(c.expected.get(path));
/** Today's render with the user's edit: what a clean merge of an edit apart from the template change gives. */
const isNewRenderWith = (path: string, from: string, to: string) => (c: Ctx) => expect(c.text).toBe(replaced(c.expected.get(path), from, to, `today's ${path}`));

const KAFKA_TIMEOUT = 'kafka-broker-api-versions.sh --bootstrap-server kafka:9092 > /dev/null 2>&1"]\n      interval: 10s\n      timeout: 20s';
const OLD_CMD = 'CMD ["node", "services/ingest-gateway/main.ts"]';
const MY_CMD = 'CMD ["node", "--max-old-space-size=256", "services/ingest-gateway/main.ts"]';
const MY_TABLE = '-- Our own shared humidity table, factored out of the jobs before the platform did.\nCREATE TABLE humidity_readings (deviceId STRING, humidity DOUBLE) WITH (\'connector\' = \'kafka\');\n';
const MY_PARSE_LINE = '// ours: topics of the legacy firmware are accepted too\n';

const CORPUS: Case[] = [
  {
    path: 'compose.yaml',
    ownership: 'platform',
    template: 'rewritten (services from the component catalog, SQL runner --tables, pinned images, header)',
    user: 'raise the Kafka healthcheck timeout, a line the template kept',
    apply: edit('compose.yaml', KAFKA_TIMEOUT, KAFKA_TIMEOUT.replace('20s', '45s')),
    status: 'merged',
    detail: PLATFORM_MERGED,
    check: isNewRenderWith('compose.yaml', KAFKA_TIMEOUT, KAFKA_TIMEOUT.replace('20s', '45s')),
  },
  {
    path: 'services/Dockerfile',
    ownership: 'platform',
    template: 'runs the gateway from the package (CMD), header',
    user: 'edit the CMD line',
    apply: edit('services/Dockerfile', OLD_CMD, MY_CMD),
    collides: true,
    status: 'conflict',
    detail: `${PLATFORM_MERGED}; 1 conflict marked`,
    cleanStatus: 'updated',
    check: ({ text }) => {
      conflictMarkers(text);
      expect(text).toContain(MY_CMD);
      expect(text).toContain('CMD ["node", "node_modules/create-iot-platform/bin/iot-ingest-gateway.js"]');
      expect(text!.split('\n')[0]).toBe(headerLine('services/Dockerfile'));
    },
  },
  {
    path: 'vitest.config.ts',
    ownership: 'platform',
    template: 'header loses the version; the e2e setup checks kafkajs reads read_committed first',
    user: 'append a TS line',
    apply: append('vitest.config.ts', 'export const MY_LOG_TAG = "mine";\n'),
    status: 'merged',
    detail: PLATFORM_MERGED,
    check: ({ text, expected }) => expect(text).toBe(`${expected.get('vitest.config.ts')}export const MY_LOG_TAG = "mine";\n`),
  },
  {
    path: 'renovate.json',
    ownership: 'platform',
    template: 'only the npm package is bumped by Renovate (upgrade moves the workflow refs and images)',
    user: 'delete',
    apply: remove('renovate.json'),
    status: 'kept-deleted',
    detail: 'you had deleted it; the platform changed it',
    check: ({ text }) => expect(text).toBeUndefined(),
  },
  {
    path: 'services/ingest-gateway/parse.ts',
    ownership: 'platform',
    template: 'removed (the gateway runs from the package)',
    user: 'edit',
    apply: (dir) => {
      const [header, ...rest] = read(dir, 'services/ingest-gateway/parse.ts')!.split('\n');
      writeFileSync(join(dir, 'services/ingest-gateway/parse.ts'), [header, MY_PARSE_LINE.trimEnd(), ...rest].join('\n'));
    },
    status: 'kept-removed',
    detail: 'removed from the platform; kept because you changed it, without the "Managed by create-iot-platform" header (nothing regenerates it now)',
    check: ({ text }) => expect(text).toBe(`${MY_PARSE_LINE}${read(pristine, 'services/ingest-gateway/parse.ts')!.split('\n').slice(1).join('\n')}`),
  },
  {
    path: 'services/ingest-gateway/main.ts',
    ownership: 'platform',
    template: 'removed (the gateway runs from the package)',
    user: 'none',
    status: 'deleted',
    detail: 'removed from the platform',
    check: ({ text }) => expect(text).toBeUndefined(),
  },
  {
    path: 'services/api/kit/auth.ts',
    ownership: 'platform',
    template: 'removed (create-iot-platform/api-kit)',
    user: 'delete',
    apply: remove('services/api/kit/auth.ts'),
    status: 'absent',
    check: ({ text }) => expect(text).toBeUndefined(),
  },
  {
    path: 'flink/sql/10-measurement.sql',
    ownership: 'shared',
    template: 'removed (its pairing joined 20-enrichment.sql)',
    user: 'reword the first comment line',
    apply: edit('flink/sql/10-measurement.sql', '-- Job 1 — measurement:', '-- Job 1 (ours) — measurement:'),
    status: 'kept-removed',
    detail: 'removed from the platform; kept because you changed it',
    check: ({ text }) => expect(text).toBe(replaced(read(pristine, 'flink/sql/10-measurement.sql'), '-- Job 1 — measurement:', '-- Job 1 (ours) — measurement:', "0.0.9's 10-measurement.sql")),
  },
  {
    path: 'flink/sql/20-enrichment.sql',
    ownership: 'shared',
    template: 'table DDL moved to flink/tables/, consumer group as an OPTIONS hint',
    user: "change the consumer group in the job's own DDL, which the template removed",
    apply: (dir) => {
      const text = read(dir, 'flink/sql/20-enrichment.sql')!;
      const line = "  'properties.group.id' = 'flink-sensors-enrichment',";
      if (!text.includes(line)) throw new Error(`0.0.9's 20-enrichment.sql has no ${line}`);
      writeFileSync(join(dir, 'flink/sql/20-enrichment.sql'), text.replace(line, "  'properties.group.id' = 'our-enrichment',"));
    },
    collides: true,
    status: 'conflict',
    detail: '1 conflict marked',
    cleanStatus: 'updated',
    check: ({ text }) => {
      conflictMarkers(text);
      expect(text).toContain("'properties.group.id' = 'our-enrichment',");
      expect(text).toContain("FROM humidity_readings /*+ OPTIONS('properties.group.id' = 'flink-sensors-enrichment') */");
    },
  },
  {
    path: 'flink/sql/30-summary.sql',
    ownership: 'shared',
    template: 'table DDL moved to flink/tables/',
    user: 'delete',
    apply: remove('flink/sql/30-summary.sql'),
    status: 'kept-deleted',
    detail: 'you had deleted it; the platform changed it',
    check: ({ text }) => expect(text).toBeUndefined(),
  },
  { path: 'flink/sql/40-history.sql', ownership: 'shared', template: 'table DDL moved to flink/tables/', user: 'none', status: 'updated', check: isNewRender('flink/sql/40-history.sql') },
  { path: 'flink/tables/enriched.sql', ownership: 'shared', template: 'added', user: 'none', status: 'new', check: isNewRender('flink/tables/enriched.sql') },
  {
    path: 'flink/tables/humidity_readings.sql',
    ownership: 'shared',
    template: 'added',
    user: 'had a different file at that path',
    apply: create('flink/tables/humidity_readings.sql', MY_TABLE),
    collides: true,
    status: 'conflict',
    detail: 'new in the platform; you already had a file here; 1 conflict marked',
    cleanStatus: 'new',
    check: ({ text }) => {
      expect(text).toMatch(/^<<<<<<< your version\n/);
      expect(text).toContain(MY_TABLE);
      expect(text).toContain("'topic' = 'sensors.humidity.v1'");
    },
  },
  {
    path: 'test/e2e/helpers/clients.ts',
    ownership: 'shared',
    template: 'imports the service kit from the package (its template moved to the base blueprint)',
    user: 'append an export',
    apply: append('test/e2e/helpers/clients.ts', '\nexport const OUR_TIMEOUT_MS = 5_000;\n'),
    status: 'merged',
    check: ({ text, expected }) => expect(text).toBe(`${expected.get('test/e2e/helpers/clients.ts')}\nexport const OUR_TIMEOUT_MS = 5_000;\n`),
  },
  {
    path: 'dbt/tests/generic/accepted_range.sql',
    ownership: 'shared',
    template: 'none (moved to the base blueprint, same text)',
    user: 'edit a line',
    apply: edit('dbt/tests/generic/accepted_range.sql', 'where {{ column_name }} is not null', 'where {{ column_name }} is not null -- ours'),
    status: 'unchanged',
    detail: 'your edits kept',
    check: isNewRenderWith('dbt/tests/generic/accepted_range.sql', 'where {{ column_name }} is not null', 'where {{ column_name }} is not null -- ours'),
  },
  {
    path: 'dbt/tests/generic/unique_combination_of_columns.sql',
    ownership: 'shared',
    template: 'none (moved to the base blueprint, same text)',
    user: 'none',
    status: 'unchanged', // its row must be there (upgrade --all), not merely missing
    check: isNewRender('dbt/tests/generic/unique_combination_of_columns.sql'),
  },
  {
    path: 'package.json',
    ownership: 'shared',
    template: 'runtime dependencies and scripts → the package and its bins',
    user: 'add a devDependency',
    apply: edit('package.json', '"devDependencies": {\n', '"devDependencies": {\n    "left-pad": "^1.3.0",\n'),
    status: 'merged',
    check: isNewRenderWith('package.json', '"devDependencies": {\n', '"devDependencies": {\n    "left-pad": "^1.3.0",\n'),
  },
  {
    path: 'services/api/routes/devices.ts',
    ownership: 'shared',
    template: 'imports the API kit from create-iot-platform/api-kit',
    user: 'edit a TS line apart',
    apply: edit('services/api/routes/devices.ts', '  deviceId: z.string(),', '  deviceId: z.string().min(1), // mine'),
    status: 'merged',
    check: isNewRenderWith('services/api/routes/devices.ts', '  deviceId: z.string(),', '  deviceId: z.string().min(1), // mine'),
  },
  {
    path: 'README.md',
    ownership: 'shared',
    template: 'platform version, flink/tables',
    user: 'append a section',
    apply: append('README.md', '\n## Our field notes\n\nThe north field sensors are calibrated monthly.\n'),
    status: 'merged',
    check: ({ text, expected }) => expect(text).toBe(`${expected.get('README.md')}\n## Our field notes\n\nThe north field sensors are calibrated monthly.\n`),
  },
  {
    path: 'iot-platform.yaml',
    ownership: 'user',
    template: 'platform.version',
    // Comments only: answers changed since the last render would reach the old render too (reported separately).
    user: 'add comments (YAML)',
    apply: (dir) => {
      const text = read(dir, 'iot-platform.yaml')!;
      if (!/^blueprint: sensors$/m.test(text)) throw new Error('0.0.9 manifest layout changed');
      writeFileSync(join(dir, 'iot-platform.yaml'), `# North field\n${text.replace(/^blueprint: sensors$/m, 'blueprint: sensors # our fork of the sensors blueprint')}`);
    },
    status: 'updated',
    detail: `platform.version ${OLD_VERSION} → ${NEW_VERSION}`,
    check: ({ dir, text }) => {
      expect(text).toBe(
        `# North field\n${read(pristine, 'iot-platform.yaml')!
          .replace(/^blueprint: sensors$/m, 'blueprint: sensors # our fork of the sensors blueprint')
          .replace(`platform:\n  version: ${OLD_VERSION}\n`, `platform:\n  version: ${NEW_VERSION}\n`)}`,
      );
      expect(loadManifest(join(dir, 'iot-platform.yaml')).platform.version).toBe(NEW_VERSION);
    },
  },
  {
    path: 'scenarios/sensors/messages.jsonl',
    ownership: 'user',
    template: 'the scenario reworked (no pacer ticks)',
    user: 'append a message',
    apply: append('scenarios/sensors/messages.jsonl', '{"order": 999999, "tick": 0, "topic": "mine", "payload": "mine"}\n'),
    status: 'kept-user',
    detail: 'user-owned; the platform template changed, yours is kept',
    check: ({ text }) => expect(text).toBe(`${read(pristine, 'scenarios/sensors/messages.jsonl')}{"order": 999999, "tick": 0, "topic": "mine", "payload": "mine"}\n`),
  },
  {
    path: 'scenarios/sensors/expected.json',
    ownership: 'user',
    template: 'dead-letter reasons name the event',
    user: 'none',
    status: 'kept-user',
    detail: KEPT_USER_DETAIL,
    check: ({ text, expected }) => {
      expect(text).toBe(read(pristine, 'scenarios/sensors/expected.json'));
      expect(text).toContain('"reason": "^payload is not valid UTF-8$"');
      expect(expected.get('scenarios/sensors/expected.json')).toContain('"reason": "^humidity: payload is not valid UTF-8$"');
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

/** The report's rows (upgrade --all lists every file): path → status and detail. */
const rowsOf = (stdout: string) =>
  Object.fromEntries([...stdout.matchAll(/^\| ([a-z-]+) \| `([^`]+)` \| (.*) \|$/gm)].map((m) => [m[2]!, { status: m[1]!, detail: m[3]!.replaceAll('\\|', '|') }]));

/** Ownership of each file of a render, from its lock. */
const ownershipOf = (render: Map<string, string>) => (path: string) =>
  (JSON.parse(render.get(LOCK_FILE)!) as { files: Record<string, { ownership: string } | undefined> }).files[path]?.ownership;

/**
 * User-owned files 0.0.9 wrote and today's platform writes differently: upgrade keeps 0.0.9's (scenarios/sensors/
 * expected.json, whose dead-letter reasons today's gateway prefixes with the event, and whatever else changed since).
 */
const keptUserFiles = (expected: Map<string, string>) =>
  [...expected.keys()].filter((path) => path !== 'iot-platform.yaml' && path !== '.env' && ownershipOf(expected)(path) === 'user' && read(pristine, path) !== undefined && read(pristine, path) !== expected.get(path)).sort();

/**
 * The project after a clean upgrade: today's files (each case's own check where the user edited it, 0.0.9's text of
 * user-owned files, today's render elsewhere), with today's executable bits, plus the files the user keeps.
 */
function expectTodaysTree(dir: string, cases: Case[], expected: Map<string, string>): void {
  const files = projectFiles(dir);
  const byPath = new Map(cases.map((c) => [c.path, c]));
  const planned = new Map(renderProject(loadManifest(join(dir, 'iot-platform.yaml')), { platformDependency: SPEC }).map((f) => [f.path, f.executable]));
  const kept = new Set(keptUserFiles(expected));
  for (const [path, content] of expected) {
    if (path === '.env') continue;
    const c = byPath.get(path);
    if (c?.apply) c.check({ dir, text: read(dir, path), expected });
    else if (kept.has(path)) expect(read(dir, path), path).toBe(read(pristine, path));
    else expect(read(dir, path), path).toBe(content);
    if (files.has(path)) expect(files.get(path), `${path} executable`).toBe(planned.get(path));
  }
  const extra = [...files.keys()].filter((path) => !expected.has(path)).sort();
  expect(extra).toEqual(cases.filter((c) => c.apply && (c.status === 'kept-removed' || c.status === 'absent') && read(dir, c.path) !== undefined).map((c) => c.path).sort());
}

beforeAll(() => {
  let start = performance.now();
  platform = buildOlderPlatform();
  timings.fixture = Math.round(performance.now() - start);
  env.IOT_PLATFORM_SOURCE = platform.dir;
  Object.assign(process.env, env);
  start = performance.now();
  old = obtainVersion(OLD_VERSION, (line) => obtainLog.push(line));
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
  process.stdout.write(`upgrade fixture: tag ${OLD_COMMIT.slice(0, 7)} as ${OLD_VERSION} ${timings.fixture} ms; obtain (export ${old.timings.export} ms, npm ci ${old.timings.dependencies} ms, build ${old.timings.build} ms) ${timings.obtain} ms; generate ${timings.generate} ms\n`);
}, 600_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  if (platform) rmSync(platform.dir, { recursive: true, force: true });
});

// Each upgrade spawns the old version's CLI; on a loaded machine that alone can take tens of seconds.
describe(`upgrade ${OLD_VERSION} (${OLD_COMMIT.slice(0, 7)}) → current`, { timeout: 300_000 }, () => {
  it(`obtained ${OLD_COMMIT.slice(0, 7)} from the tagged clone, installed its own dependencies and built it once`, () => {
    expect(git(platform.dir, 'rev-parse', `v${OLD_VERSION}^{commit}`).trim()).toBe(platform.commit);
    expect(git(platform.dir, 'rev-parse', `v${OLD_VERSION}^`).trim()).toBe(OLD_COMMIT);
    expect(git(platform.dir, 'diff', '--name-only', OLD_COMMIT, `v${OLD_VERSION}`).trim()).toBe('package.json');
    expect(old.source).toBe(platform.dir);
    expect(old.dir).toBe(join(work, 'cache', 'versions', `${OLD_VERSION}-${platform.commit.slice(0, 12)}`));
    expect(existsSync(join(old.dir, 'dist', 'cli', 'main.js'))).toBe(true);
    expect(obtainLog).toEqual([
      `Platform ${OLD_VERSION}: exporting tag v${OLD_VERSION} (${platform.commit.slice(0, 12)}) from ${platform.dir}`,
      `Platform ${OLD_VERSION}: dependencies installed in ${old.timings.dependencies} ms`, // its package-lock.json is not today's
      `Platform ${OLD_VERSION}: built in ${old.timings.build} ms`, // no "the build reported errors"
    ]);
    expect(obtainVersion(OLD_VERSION).cached).toBe(true);
    expect(read(pristine, 'iot-platform.yaml')).toContain(`platform:\n  version: ${OLD_VERSION}\n`);
    // The old code, not today's: the runtime copied into the project, versioned headers, no flink/tables/.
    for (const path of RUNTIME_FILES) expect(read(pristine, path)?.split('\n')[0], path).toBe(`// ${OLD_HEADER} Do not edit: upgrades regenerate this file and lint flags hand edits.`);
    expect(existsSync(join(pristine, 'flink', 'tables'))).toBe(false);
    expect(read(pristine, 'flink/sql/10-measurement.sql')).toContain('CREATE TEMPORARY TABLE humidity_readings (');
  });

  describe('an untouched project', () => {
    let dir: string;
    let result: CliResult;
    let expected: Map<string, string>;
    beforeAll(() => {
      dir = copyProject('untouched');
      result = upgradeCli(dir, '--all');
      expected = newRender(dir);
    }, 300_000);

    it("becomes today's render: runtime files deleted, flink/tables/ new, every header rewritten", () => {
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const rows = rowsOf(result.stdout);
      const with_ = (status: string) => Object.keys(rows).filter((path) => rows[path]!.status === status).sort();
      expect(with_('deleted')).toEqual(REMOVED_FILES);
      for (const path of REMOVED_FILES) expect(rows[path]!.detail, path).toBe('removed from the platform');
      // New: flink/tables/ and whatever else today's blueprints added since 0.0.9 (test/e2e/history.test.ts …).
      expect(with_('new')).toEqual([...expected.keys()].filter((path) => path !== '.env' && read(pristine, path) === undefined).sort());
      expect(with_('new')).toEqual(expect.arrayContaining(FLINK_TABLES));
      expect(with_('kept-user')).toEqual(keptUserFiles(expected));
      expect(with_('kept-user')).toContain('scenarios/sensors/expected.json');
      for (const path of with_('kept-user')) expect(rows[path]!.detail, path).toBe(KEPT_USER_DETAIL);
      expect(with_('conflict')).toEqual([]);
      expect(with_('merged')).toEqual([]);
      expect(Object.keys(rows).sort()).toEqual([...new Set([...expected.keys(), ...REMOVED_FILES])].filter((p) => p !== '.env').sort());
      expectTodaysTree(dir, [], expected);
      for (const gone of ['services/ingest-gateway', 'services/lib', 'services/redis-sink', 'services/api/kit']) expect(existsSync(join(dir, gone)), gone).toBe(false);
    });

    it('passes lint: every platform-owned file matches the new lock', () => {
      const lint = runCli(['lint'], dir);
      expect(lint.stderr).toBe('');
      const platformOwned = Object.values((JSON.parse(expected.get(LOCK_FILE)!) as { files: Record<string, { ownership: string }> }).files).filter((f) => f.ownership === 'platform').length;
      expect(lint.stdout).toBe(`iot-platform.yaml is valid; ${platformOwned} platform-owned files match ${LOCK_FILE}\n`);
      expect(lint.code).toBe(0);
    });
  });

  describe('with edits that collide with the template changes', () => {
    let dir: string;
    let head: string;
    let result: CliResult;
    let expected: Map<string, string>;
    beforeAll(() => {
      ({ dir, head } = projectWith('conflicts', CORPUS));
      const start = performance.now();
      result = upgradeCli(dir, '--all');
      timings.upgrade = Math.round(performance.now() - start);
      expected = newRender(dir);
    }, 300_000);

    it('exits 3 and lists the conflicts', () => {
      expect(result.stderr).toBe('');
      expect(result.code).toBe(3);
      const conflicts = CORPUS.filter((c) => c.status === 'conflict').map((c) => c.path).sort();
      expect(conflicts).toHaveLength(3);
      expect(result.stdout).toContain(`with ${conflicts.length} conflict(s); resolve the <<<<<<< markers in:\n${conflicts.map((p) => `  ${p}`).join('\n')}\n`);
      expect(result.stdout).toContain('review with `git diff`');
    });

    it.each(CORPUS.map((c) => [`${c.ownership} ${c.path}: template ${c.template} × user ${c.user} → ${c.status}`, c] as const))('%s', (_, c) => {
      const row = rowsOf(result.stdout)[c.path];
      if (c.status === 'absent') expect(row).toBeUndefined();
      else expect(row).toEqual({ status: c.status, detail: c.detail ?? '' }); // a missing row is a failure
      c.check({ dir, text: read(dir, c.path), expected });
    });

    it('updates the lock to the new render and commits nothing', () => {
      expect(read(dir, LOCK_FILE)).toBe(expected.get(LOCK_FILE));
      expect(JSON.parse(read(dir, LOCK_FILE)!).platformVersion).toBe(NEW_VERSION);
      expect(git(dir, 'rev-parse', 'HEAD').trim()).toBe(head);
      expect(gitStatus(dir)).toEqual(
        expect.arrayContaining([' M compose.yaml', ' M iot-platform.yaml', ` M ${LOCK_FILE}`, ' D services/ingest-gateway/main.ts', ' M services/ingest-gateway/parse.ts', '?? flink/tables/enriched.sql']),
      );
    });

    it('regenerates every platform-owned file the user did not edit', () => {
      const lock = JSON.parse(expected.get(LOCK_FILE)!) as { files: Record<string, { ownership: string }> };
      const edited = new Set(CORPUS.filter((c) => c.apply).map((c) => c.path));
      let regenerated = 0;
      for (const [path, { ownership }] of Object.entries(lock.files)) {
        if (ownership !== 'platform' || edited.has(path) || path === LOCK_FILE) continue;
        expect(read(dir, path), path).toBe(expected.get(path));
        regenerated++;
      }
      expect(regenerated).toBeGreaterThanOrEqual(15);
    });

    it("replaces the old version's headers without counting them as edits or conflicts", () => {
      expect(read(pristine, 'compose.yaml')!.split('\n')[0]).toBe(`# ${OLD_HEADER} Do not edit: upgrades regenerate this file and lint flags hand edits.`);
      const rows = rowsOf(result.stdout);
      const headed = [...expected.keys()].filter((path) => read(pristine, path)?.includes(OLD_HEADER));
      expect(headed.length).toBeGreaterThan(15);
      const edited = new Set(CORPUS.filter((c) => c.apply).map((c) => c.path));
      for (const path of headed) {
        if (read(dir, path) !== undefined) expect(read(dir, path), path).not.toContain(OLD_HEADER);
        if (!edited.has(path)) expect(rows[path]?.status, path).toBe('updated');
      }
    });
  });

  describe('with edits that do not collide', () => {
    let dir: string;
    let result: CliResult;
    let expected: Map<string, string>;
    const cases = CORPUS.filter((c) => !c.collides);
    beforeAll(() => {
      ({ dir } = projectWith('clean', cases));
      result = upgradeCli(dir, '--all');
      expected = newRender(dir);
    }, 300_000);

    it("exits 0: today's files with every user edit merged or kept", () => {
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Upgraded to platform ${NEW_VERSION}. Nothing is committed`);
      const rows = rowsOf(result.stdout);
      for (const c of CORPUS) {
        const status = c.collides ? c.cleanStatus! : c.status;
        if (status === 'absent') expect(rows[c.path], c.path).toBeUndefined();
        else expect(rows[c.path]?.status, c.path).toBe(status);
        if (c.collides) expect(read(dir, c.path), c.path).toBe(expected.get(c.path));
      }
      expect(Object.values(rows).map((r) => r.status)).not.toContain('conflict');
      expectTodaysTree(dir, cases, expected);
    });

    it('is already at the version afterwards (exit 0)', () => {
      commitAll(dir, 'upgrade');
      const again = upgradeCli(dir);
      expect(again.code).toBe(0);
      expect(again.stdout).toBe(`Already at platform ${NEW_VERSION}, and every generated file matches iot-platform.yaml: nothing to do.\n`);
    });
  });

  describe('guards and dry run', () => {
    it('--dry-run prints the classification and writes nothing', () => {
      const { dir, head } = projectWith('dry-run', CORPUS);
      const result = upgradeCli(dir, '--dry-run');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('| status | file | detail |');
      expect(result.stdout).toContain('| conflict | `flink/sql/20-enrichment.sql` | 1 conflict marked |');
      expect(result.stdout).toContain('Dry run: nothing written. 3 file(s) would get conflict markers.');
      // A unified diff per file: changed, new and deleted ones, conflict markers included.
      expect(result.stdout).toMatch(/^diff --git a\/compose\.yaml b\/compose\.yaml\n/m);
      expect(result.stdout).toMatch(/^diff --git b\/flink\/tables\/enriched\.sql b\/flink\/tables\/enriched\.sql\nnew file mode/m);
      expect(result.stdout).toMatch(/^diff --git a\/services\/lib\/env\.ts a\/services\/lib\/env\.ts\ndeleted file mode/m);
      expect(result.stdout).toMatch(/^\+<<<<<<< your version$/m);
      expect(gitStatus(dir)).toEqual([]);
      expect(git(dir, 'rev-parse', 'HEAD').trim()).toBe(head);
    });

    it('Renovate: only the bump of create-iot-platform is uncommitted; upgrade --yes finishes it and keeps compose.override.yaml', () => {
      const dir = copyProject('renovate');
      const pin = (spec: string) => `"create-iot-platform": "${spec}"`;
      edit('package.json', pin(SPEC), pin(`~${OLD_VERSION}`))(dir);
      create('compose.override.yaml', OVERRIDE)(dir);
      const head = commitAll(dir, 'create-iot-platform ~0.0.9; our Kafka heap in compose.override.yaml');
      // What Renovate leaves before its postUpgradeTasks (renovate.json) run `upgrade --yes`.
      edit('package.json', pin(`~${OLD_VERSION}`), pin(`~${NEW_VERSION}`))(dir);
      create('package-lock.json', '{ "lockfileVersion": 3 }\n')(dir);
      const renovate = JSON.parse(newRender(dir).get('renovate.json')!) as { packageRules: { postUpgradeTasks?: { commands: string[] } }[] };
      expect(renovate.packageRules.flatMap((r) => r.postUpgradeTasks?.commands ?? [])).toEqual(['npx --yes create-iot-platform@{{{newVersion}}} upgrade --yes']);

      const result = upgradeCli(dir, '--yes', '--all');
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Upgraded to platform ${NEW_VERSION}. Nothing is committed`);
      expect(rowsOf(result.stdout)['package.json']?.status).toBe('updated');
      expect(rowsOf(result.stdout)['compose.override.yaml']).toEqual({ status: 'kept-user', detail: '' });
      const today = new Map(renderProject(loadManifest(join(dir, 'iot-platform.yaml')), { platformDependency: `~${NEW_VERSION}` }).map((f) => [f.path, f.content]));
      expect(read(dir, 'package.json')).toBe(today.get('package.json'));
      expect(read(dir, 'compose.override.yaml')).toBe(OVERRIDE);
      expect(read(dir, 'package-lock.json')).toBe('{ "lockfileVersion": 3 }\n');
      expect(loadManifest(join(dir, 'iot-platform.yaml')).platform.version).toBe(NEW_VERSION);
      expect(git(dir, 'rev-parse', 'HEAD').trim()).toBe(head);
      expect(runCli(['lint'], dir)).toMatchObject({ code: 0, stderr: '' });

      // Anything else uncommitted next to the bump is still refused.
      const other = copyProject('renovate-and-more');
      edit('package.json', pin(SPEC), pin(`~${OLD_VERSION}`))(other);
      commitAll(other, 'create-iot-platform ~0.0.9');
      edit('package.json', pin(`~${OLD_VERSION}`), pin(`~${NEW_VERSION}`))(other);
      appendFileSync(join(other, 'README.md'), 'uncommitted\n');
      expect(upgradeCli(other, '--yes')).toMatchObject({ code: 1, stderr: 'error: the working tree has uncommitted changes (2 files, e.g. README.md); commit or stash your changes and retry\n' });
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
      expect(upgradeCli(dir, '--to', OLD_VERSION)).toEqual({ code: 0, stdout: `Already at platform ${OLD_VERSION}: nothing to do.\n`, stderr: '' });
      const unknown = upgradeCli(dir, '--to', '0.0.11');
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/cannot obtain create-iot-platform 0\.0\.11 \(no tag v0\.0\.11 in .*\); set IOT_PLATFORM_SOURCE/);
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
      expect(report.conflicts).toEqual(['flink/sql/20-enrichment.sql', 'flink/tables/humidity_readings.sql', 'services/Dockerfile']);
      expect(report.files.find((f) => f.path === 'services/ingest-gateway/parse.ts')).toEqual({
        path: 'services/ingest-gateway/parse.ts',
        status: 'kept-removed',
        detail: 'removed from the platform; kept because you changed it, without the "Managed by create-iot-platform" header (nothing regenerates it now)',
      });
      expect(formatReport(report)).toMatch(/^Platform 0\.0\.9 → .*\n\n\| status \| file \| detail \|/);
      expect(lines).toEqual([`Platform ${OLD_VERSION}: cached in ${old.dir}`]);
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
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('migrated apiVersion iot-platform/v1alpha1 → iot-platform/v1');
      expect(result.stdout).toMatch(/\| updated \| `iot-platform\.yaml` \| platform\.version 0\.0\.9 → .*; apiVersion migrated to iot-platform\/v1/);
      const saved = loadManifest(join(dir, 'iot-platform.yaml'));
      expect(saved.apiVersion).toBe('iot-platform/v1');
      expect(saved.components).toEqual(components);
      expect(saved.platform.version).toBe(NEW_VERSION);
    });
  });

  describe(`--to ${NEXT_VERSION} (${NEXT_COMMIT.slice(0, 7)}), then on to the running version`, () => {
    it("renders the target with that version's own CLI; two steps end where one does", () => {
      const next = tagVersion(platform.dir, NEXT_COMMIT, NEXT_VERSION);
      const lines: string[] = [];
      const start = performance.now();
      const obtained = obtainVersion(NEXT_VERSION, (line) => lines.push(line)); // built here, so the CLI run below finds it cached
      timings.obtainTarget = Math.round(performance.now() - start);
      expect(obtained.dir).toBe(join(work, 'cache', 'versions', `${NEXT_VERSION}-${next.commit.slice(0, 12)}`));
      // Its node_modules are today's when its package-lock.json lists the same packages, else installed afresh.
      const lockDir = mkdtempSync(join(tmpdir(), 'next-lock-'));
      writeFileSync(join(lockDir, 'package-lock.json'), git(platform.dir, 'show', `${NEXT_COMMIT}:package-lock.json`));
      const dependencies = lockSha(lockDir) === lockSha(packageRoot()) ? 'reused (same packages in package-lock.json)' : 'installed';
      rmSync(lockDir, { recursive: true, force: true });
      expect(lines[1]).toBe(`Platform ${NEXT_VERSION}: dependencies ${dependencies} in ${obtained.timings.dependencies} ms`);
      expect(lines[2]).toBe(`Platform ${NEXT_VERSION}: built in ${obtained.timings.build} ms`);

      const cases = CORPUS.filter((c) => !c.collides);
      const { dir } = projectWith('to-next', cases);
      const first = upgradeCli(dir, '--to', NEXT_VERSION, '--all');
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      const rows = rowsOf(first.stdout);
      // 0.0.10 already runs the runtime from the package and writes headers without the version ...
      for (const path of RUNTIME_FILES) {
        if (path === 'services/ingest-gateway/parse.ts') expect(rows[path]?.status).toBe('kept-removed');
        else if (path !== 'services/api/kit/auth.ts') expect(rows[path], path).toEqual({ status: 'deleted', detail: 'removed from the platform' });
      }
      expect(rows['vitest.config.ts']?.status).toBe('updated');
      expect(read(dir, 'compose.yaml')!.split('\n')[0]).toBe(headerLine('compose.yaml'));
      // ... but each job still declares its tables.
      expect(Object.keys(rows).filter((path) => path.startsWith('flink/tables/'))).toEqual([]);
      expect(existsSync(join(dir, 'flink', 'tables'))).toBe(false);
      expect(rows['flink/sql/10-measurement.sql']).toEqual({ status: 'unchanged', detail: 'your edits kept' });
      expect(read(dir, 'flink/sql/10-measurement.sql')).toContain('CREATE TEMPORARY TABLE humidity_readings (');
      expect(loadManifest(join(dir, 'iot-platform.yaml')).platform.version).toBe(NEXT_VERSION);
      expect(JSON.parse(read(dir, LOCK_FILE)!).platformVersion).toBe(NEXT_VERSION);

      commitAll(dir, `upgrade to ${NEXT_VERSION}`);
      const before = projectFiles(dir);
      const second = upgradeCli(dir, '--all');
      expect(second.stderr).toBe('');
      expect(second.code).toBe(0);
      expect(second.stdout).toContain(`Platform ${NEXT_VERSION}: cached in ${obtained.dir}`);
      const then = rowsOf(second.stdout);
      const added = Object.keys(then).filter((path) => then[path]!.status === 'new');
      expect(added).toEqual(expect.arrayContaining(FLINK_TABLES));
      for (const path of added) expect(before.has(path), path).toBe(false);
      expect(then['flink/sql/10-measurement.sql']?.status).toBe('kept-removed');
      expectTodaysTree(dir, cases, newRender(dir));
    }, 600_000);
  });

  afterAll(() => {
    process.stdout.write(`upgrade timings (ms): ${JSON.stringify(timings)}\n`);
  });
});
