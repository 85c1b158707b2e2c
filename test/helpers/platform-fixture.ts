// Test helper: a real OLDER platform version. Copies this repository's working tree (tracked and untracked
// files, as `git ls-files` lists them) into a temporary git repository, rewinds a few templates to how they
// looked "before" (TEMPLATE_CHANGES: what the platform changed between that version and this one), sets the
// package version and tags it v<version>. IOT_PLATFORM_SOURCE=<dir> then lets `upgrade` obtain it for real.
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './cli.ts';
import { commitAll, git, initRepo } from './git.ts';

export const OLD_VERSION = '0.0.9';

const BASE = 'blueprints/base/files';
const SENSORS = 'blueprints/sensors/files';

export interface TemplateChange {
  /** What the platform changed from the old version to the current one (as the upgrade sees it). */
  change: string;
  /** Turns the current template into the old one, in the fixture's working tree. */
  rewind: (dir: string) => void;
}

/** Lines the current templates have where the old version had another (filled by buildOlderPlatform). */
export const CURRENT_LINES: Record<string, string> = {};

/** Rewinds the first line matching `pattern` (the current template, whatever its value today) to `old`. */
function editLine(file: string, pattern: RegExp, old: string, key = file): (dir: string) => void {
  return (dir) => {
    const path = join(dir, file);
    const text = readFileSync(path, 'utf8');
    const match = new RegExp(pattern.source, 'm').exec(text);
    if (!match) throw new Error(`platform fixture: ${file} has no line like ${pattern}; update test/helpers/platform-fixture.ts`);
    if (match[0] === old) throw new Error(`platform fixture: ${file} already has ${JSON.stringify(old)}; pick another old value`);
    CURRENT_LINES[key] = match[0];
    writeFileSync(path, text.replace(match[0], old));
  };
}

const move = (from: string, to: string) => (dir: string) => renameSync(join(dir, from), join(dir, to));
const remove = (file: string) => (dir: string) => {
  if (!existsSync(join(dir, file))) throw new Error(`platform fixture: ${file} is gone; update test/helpers/platform-fixture.ts`);
  rmSync(join(dir, file));
};
const add = (file: string, content: string) => (dir: string) => {
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), content);
};

export const LEGACY_SQL = `-- Job 9 — legacy: an early copy of the measurements for a dashboard that no longer exists.
SET 'pipeline.name' = 'sensors-90-legacy';
SET 'execution.checkpointing.interval' = '10s';

CREATE TEMPORARY VIEW legacy_measurements AS
SELECT device_id, humidity, temperature
FROM measurements;
`;

export const LEGACY_REPORT = `-- An early daily report, replaced by device_daily.
select
    device_id,
    date_trunc('day', measured_at) as day,
    count(*) as readings
from {{ ref('stg_sensor_readings') }}
group by 1, 2
`;

export const LEGACY_CONF = `# Settings of a component the platform no longer ships.
legacy.enabled=true
legacy.interval=60
`;

/** Keyed by the generated path they concern. */
const CHECKPOINT = /^SET 'execution\.checkpointing\.interval' = '[^']*';$/;
export const OLD_CHECKPOINT = "SET 'execution.checkpointing.interval' = '61s';";
export const OLD_TTL = "SET 'table.exec.state.ttl' = '1 d';";
export const OLD_QUEUE = 'max_queued_messages 1234';

/** Keyed by the generated path they concern. */
export const TEMPLATE_CHANGES: Record<string, TemplateChange> = {
  'compose.yaml': { change: 'edit a line (a healthcheck interval, 37s before)', rewind: editLine(`${BASE}/compose.yaml.ejs`, /^ {6}interval: \S+$/, '      interval: 37s', 'compose.yaml') },
  'config/mosquitto/mosquitto.conf': {
    change: 'edit a line (max_queued_messages, 1234 before)',
    rewind: editLine(`${BASE}/config/mosquitto/mosquitto.conf`, /^max_queued_messages .*$/, OLD_QUEUE, 'config/mosquitto/mosquitto.conf'),
  },
  'flink/sql/10-measurement.sql': {
    change: 'edit a line (checkpoint interval, 61s before)',
    rewind: editLine(`${SENSORS}/flink/sql/10-measurement.sql`, CHECKPOINT, OLD_CHECKPOINT, 'flink/sql/10-measurement.sql'),
  },
  'flink/sql/20-enrichment.sql': {
    change: "edit a line (state TTL, '1 d' before)",
    rewind: editLine(`${SENSORS}/flink/sql/20-enrichment.sql`, /^SET 'table\.exec\.state\.ttl' = '[^']*';$/, OLD_TTL, 'flink/sql/20-enrichment.sql'),
  },
  'flink/sql/30-summary.sql': {
    change: 'edit a line near the top (checkpoint interval, 61s before)',
    rewind: editLine(`${SENSORS}/flink/sql/30-summary.sql`, CHECKPOINT, OLD_CHECKPOINT, 'flink/sql/30-summary.sql'),
  },
  'flink/sql/40-history.sql': {
    change: 'edit a line (checkpoint interval, 61s before)',
    rewind: editLine(`${SENSORS}/flink/sql/40-history.sql`, CHECKPOINT, OLD_CHECKPOINT, 'flink/sql/40-history.sql'),
  },
  'dbt/models/marts/device_daily.sql': {
    change: 'rename dbt model daily_device.sql → device_daily.sql',
    rewind: move(`${SENSORS}/dbt/models/marts/device_daily.sql`, `${SENSORS}/dbt/models/marts/daily_device.sql`),
  },
  'dbt/models/marts/device_daily.yml': {
    change: 'rename daily_device.yml → device_daily.yml',
    rewind: move(`${SENSORS}/dbt/models/marts/device_daily.yml`, `${SENSORS}/dbt/models/marts/daily_device.yml`),
  },
  'dbt/tests/assert_dry_streak_consistent.sql': { change: 'add a file', rewind: remove(`${SENSORS}/dbt/tests/assert_dry_streak_consistent.sql`) },
  'dbt/tests/generic/accepted_range.sql': { change: 'add a file', rewind: remove(`${BASE}/dbt/tests/generic/accepted_range.sql`) },
  'flink/sql/90-legacy.sql': { change: 'delete a file', rewind: add(`${SENSORS}/flink/sql/90-legacy.sql`, LEGACY_SQL) },
  'dbt/models/marts/legacy_report.sql': { change: 'delete a file', rewind: add(`${SENSORS}/dbt/models/marts/legacy_report.sql`, LEGACY_REPORT) },
  // config/** is platform-owned in the base blueprint.
  'config/legacy/legacy.conf': { change: 'delete a platform-owned file', rewind: add(`${BASE}/config/legacy/legacy.conf`, LEGACY_CONF) },
};

/** Platform code of the old version: its headers carried the version ("… create-iot-platform 0.0.9. Do not edit"). */
const HEADER_CODE = 'renderer/ownership.ts';
const HEADER_TEXT = /^const HEADER_TEXT = `\$\{HEADER_MARK\}\. Do not edit: .*$/m;

function rewindHeader(dir: string, version: string): void {
  const text = readFileSync(join(dir, HEADER_CODE), 'utf8');
  const match = HEADER_TEXT.exec(text);
  if (!match) throw new Error(`platform fixture: ${HEADER_CODE} has no line like ${HEADER_TEXT}; update test/helpers/platform-fixture.ts`);
  const old = match[0].replace('${HEADER_MARK}.', () => `\${HEADER_MARK} ${version}.`);
  writeFileSync(join(dir, HEADER_CODE), text.replace(match[0], () => old));
}

/** A later fixture version's platform code writes today's headers again (for tagNextVersion). */
export const currentHeaderCode = (dir: string) => copyFileSync(join(REPO_ROOT, HEADER_CODE), join(dir, HEADER_CODE));

export interface PlatformFixture {
  /** A git repository of the platform with the tag v<version>. */
  dir: string;
  version: string;
  commit: string;
}

export function buildOlderPlatform(version = OLD_VERSION): PlatformFixture {
  const dir = mkdtempSync(join(tmpdir(), `iotp-platform-${version}-`));
  const listed = git(REPO_ROOT, 'ls-files', '-z', '--cached', '--others', '--exclude-standard').split('\0').filter(Boolean);
  for (const file of new Set(listed)) {
    const from = join(REPO_ROOT, file);
    if (!existsSync(from) || !statSync(from).isFile()) continue; // deleted in the working tree
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    copyFileSync(from, join(dir, file));
    chmodSync(join(dir, file), statSync(from).mode & 0o777);
  }
  try {
    for (const { rewind } of Object.values(TEMPLATE_CHANGES)) rewind(dir);
    rewindHeader(dir, version);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const pkgFile = join(dir, 'package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { version: string };
  pkg.version = version;
  writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);
  initRepo(dir);
  const commit = commitAll(dir, `create-iot-platform ${version} (test fixture)`);
  git(dir, 'tag', `v${version}`);
  return { dir, version, commit };
}

/**
 * Adds a later version on top of the fixture (so that `upgrade --to <version>` renders a target other than the
 * running package, with that version's own CLI): `change` edits its working tree, then commit and tag.
 */
export function tagNextVersion(fixture: PlatformFixture, version: string, change: (dir: string) => void): PlatformFixture {
  change(fixture.dir);
  const pkgFile = join(fixture.dir, 'package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { version: string };
  pkg.version = version;
  writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);
  const commit = commitAll(fixture.dir, `create-iot-platform ${version} (test fixture)`);
  git(fixture.dir, 'tag', `v${version}`);
  return { dir: fixture.dir, version, commit };
}

/** Replaces one line of a template in a fixture's working tree (for tagNextVersion). */
export const editTemplateLine = (file: string, current: string, next: string) => (dir: string) => {
  const text = readFileSync(join(dir, file), 'utf8');
  if (!text.includes(current)) throw new Error(`platform fixture: ${file} has no ${JSON.stringify(current)}`);
  writeFileSync(join(dir, file), text.replace(current, next));
};
