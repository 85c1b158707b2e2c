// Test helper: a real OLDER platform version, taken from this repository's own git history. A bare clone of this
// repository (sharing its objects, so nothing is copied or written here) gets one commit on top of OLD_COMMIT that
// only sets package.json's version to OLD_VERSION, tagged v<version>. IOT_PLATFORM_SOURCE=<dir> then makes
// `upgrade` obtain it the way it obtains any version (upgrade/obtain.ts): git archive of the tag, npm ci, that
// version's own build, that version's own CLI to render.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from './cli.ts';
import { git, GIT_ENV } from './git.ts';

/**
 * The older platform version of the upgrade tests: 6ee5c98 "One ensureTool test helper runs scripts/ensure-*.sh",
 * the last commit before the platform runtime moved into the package (ce70e5b). That version
 * - copied the platform runtime into every project, platform-owned: services/ingest-gateway/**, services/lib/**,
 *   services/redis-sink/** (redis) and services/api/kit/** (api);
 * - wrote its version into the header of platform-owned files (`Managed by create-iot-platform 0.0.9. Do not edit…`);
 * - declared each Flink table in every job that reads or writes it (CREATE TEMPORARY TABLE … 'properties.group.id'),
 *   where today's projects have flink/tables/<table>.sql and OPTIONS hints;
 * - derived compose.yaml, .env.example and the chart values from templates (today: the component catalog);
 * - kept the dbt generic tests and the e2e helpers in blueprints/sensors (today blueprints/base: same project paths);
 * - had a manifest schema without poll sources, gtfs-rt / fixed-width formats and layouts.
 * Its package.json says 0.1.0 like today's; the fixture calls it OLD_VERSION.
 */
export const OLD_COMMIT = '6ee5c98d93949de9b04eab23f983006bce5c3bd5';
export const OLD_VERSION = '0.0.9';

/**
 * A later version, the target of `upgrade --to`: bea5378 "Chart sample project carries the catalog's services", the
 * last commit before flink/tables (28135aa). The runtime is in the package (no services/ingest-gateway/** …), headers
 * carry no version, compose comes from the component catalog, but each Flink job still declares its own tables.
 * Its package-lock.json is today's, so obtaining it reuses this checkout's node_modules.
 */
export const NEXT_COMMIT = 'bea5378740a53d69d637ca5467c156b3065778c8';
export const NEXT_VERSION = '0.0.10';

/**
 * A line of flink/sql/30-summary.sql that OLD_COMMIT renders and today's platform removed (the per-job DDL of
 * enriched moved to flink/tables/): a user edit of it collides with the upgrade.
 */
export const SKEWED_LINE = {
  path: 'flink/sql/30-summary.sql',
  old: "  'properties.group.id' = 'flink-sensors-summary',\n  'scan.startup.mode' = 'group-offsets',",
  edited: "  'properties.group.id' = 'our-summary-group',\n  'scan.startup.mode' = 'group-offsets',",
} as const;

export interface PlatformFixture {
  /** A bare git repository of the platform (objects shared with this checkout) with the tag v<version>. */
  dir: string;
  version: string;
  /** The tagged commit: `source` with package.json at `version`. */
  commit: string;
  /** The commit of this repository's history that the version is. */
  source: string;
}

/** Fails with the fix when this checkout lacks a commit of its history (a shallow clone, or no git at all). */
export function requireCommit(commit: string, what: string): void {
  try {
    git(REPO_ROOT, 'cat-file', '-e', `${commit}^{commit}`);
    return;
  } catch {
    // explained below
  }
  let shallow: boolean | undefined;
  try {
    shallow = git(REPO_ROOT, 'rev-parse', '--is-shallow-repository').trim() === 'true';
  } catch {
    shallow = undefined; // not a git checkout
  }
  const why =
    shallow === undefined
      ? `${REPO_ROOT} is not a git checkout, and the upgrade tests build older platform versions from its history; clone the repository`
      : shallow
        ? `${REPO_ROOT} is a shallow clone, and the upgrade tests build older platform versions from its history; run git fetch --unshallow (CI must clone the whole history: actions/checkout with fetch-depth: 0)`
        : `${REPO_ROOT} has no such commit in its history; fetch the repository's main branch (git fetch origin main)`;
  throw new Error(`platform fixture: commit ${commit} (${what}) is missing: ${why}`);
}

/** A bare clone of this repository that borrows its objects: tags and commits made there stay there. */
export function platformRepository(): string {
  const dir = mkdtempSync(join(tmpdir(), 'iotp-platform-'));
  try {
    git(tmpdir(), 'clone', '--quiet', '--bare', '--shared', '--no-tags', REPO_ROOT, dir);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return dir;
}

/**
 * Tags `source` (a commit of this repository's history) as platform `version` in the fixture repository `dir`: one
 * commit on top of it whose only change is package.json's version (the CLI records it in the projects it renders).
 */
export function tagVersion(dir: string, source: string, version: string): PlatformFixture {
  requireCommit(source, `platform ${version} of the upgrade tests`);
  const pkgText = git(dir, 'show', `${source}:package.json`);
  const pkg = JSON.parse(pkgText) as { version: string };
  const next = pkgText.replace(`"version": ${JSON.stringify(pkg.version)}`, `"version": ${JSON.stringify(version)}`);
  if (JSON.parse(next).version !== version) throw new Error(`platform fixture: cannot set the version in ${source}:package.json`);
  const run = (args: string[], input?: string, env: Record<string, string> = {}) =>
    execFileSync('git', args, { cwd: dir, input, encoding: 'utf8', env: { ...process.env, ...gitEnv(), ...env } }).trim();
  const index = join(dir, `index-${version}`);
  const blob = run(['hash-object', '-w', '--stdin'], next);
  run(['read-tree', source], undefined, { GIT_INDEX_FILE: index });
  run(['update-index', '--cacheinfo', `100644,${blob},package.json`], undefined, { GIT_INDEX_FILE: index });
  const tree = run(['write-tree'], undefined, { GIT_INDEX_FILE: index });
  rmSync(index, { force: true });
  const commit = run(['commit-tree', tree, '-p', source, '-m', `create-iot-platform ${version} (test fixture: ${source.slice(0, 12)} with package.json ${version})`]);
  run(['tag', `v${version}`, commit]);
  return { dir, version, commit, source };
}

/** Fixed dates too: the same source and version give the same commit (and obtain's cache entry) every run. */
const gitEnv = () => ({ ...GIT_ENV, GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z' });

/** The older platform version: OLD_COMMIT tagged v<OLD_VERSION> in a fresh fixture repository. */
export function buildOlderPlatform(version = OLD_VERSION): PlatformFixture {
  requireCommit(OLD_COMMIT, `platform ${version} of the upgrade tests`);
  const dir = platformRepository();
  try {
    return tagVersion(dir, OLD_COMMIT, version);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
