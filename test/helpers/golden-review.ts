// "A golden change without a source change fails review": which paths can change a golden tree, and a check
// over the git history (every commit since REVIEW_START) and over the working tree (what differs from HEAD).
//
// A change under test/__golden__/<blueprint>/ needs, in the same commit, a change to something that generates it:
//   blueprints/base/, blueprints/<blueprint>/, scenarios/<blueprint>/  the templates and the shipped scenario
//   renderer/, manifest/, generators/                                   rendering, the manifest, the generator
//   test/helpers/golden.ts                                              what the goldens hold and their format
//   package-lock.json                                                   the libraries that render (ejs, yaml)
//   package.json, when its version or repository changes               the platform version and repository
// A golden file directly under test/__golden__/ (no blueprint) needs any of them. Not sources: charts/ (no golden
// holds platform chart content: the project chart comes from the blueprints), schemas/ (an export of manifest/,
// the project's schema is rendered from manifest/ itself), runtime/ (never copied into projects), other tests.
//
// Merge commits are not judged (their changes are judged in the commits they merge). A commit whose golden
// change was reviewed and accepted anyway is listed in ACCEPTED with the reason: a visible, reviewed exception,
// since history cannot be rewritten.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The first commit not judged: the history before it re-blessed goldens from the code's own output. */
export const REVIEW_START = 'e0d17f0d3e0f973150e47076c7bacc74546e5e2b';

/** Commits (full hash) whose golden change without a source change was reviewed and accepted, with why. */
export const ACCEPTED: Readonly<Record<string, string>> = {
  '3b84c1e9b58bd3ec2d80f1317f5dba48122692f0': 'goldens of 9dc2e75, 3ca2fe7 and 280448c, whose engineers were told not to re-bless them; checked against those commits',
  '8ae8c8d03671917f64cdfbd942373e4dd3e9b7a3': 'goldens of the rich dbt, API and display sources a helper committed just before it on its branch; regenerated from them again in their merge (0184685) and reviewed there',
};

export const GOLDEN_ROOT = 'test/__golden__/';
const SHARED_SOURCES = ['renderer/', 'manifest/', 'generators/'];
const SOURCE_FILES = ['test/helpers/golden.ts', 'package-lock.json'];

/** The blueprint a golden path belongs to (`*` for a file directly under test/__golden__/), or undefined. */
export function goldenBlueprint(path: string): string | undefined {
  if (!path.startsWith(GOLDEN_ROOT)) return undefined;
  const rest = path.slice(GOLDEN_ROOT.length).split('/');
  return rest.length > 1 ? rest[0] : '*';
}

/** Whether a changed path can change the goldens of a blueprint (`*`: of any blueprint). */
export function generatesGoldens(path: string, blueprint: string, packageJsonRenders: boolean): boolean {
  if (path === 'package.json') return packageJsonRenders;
  if (SOURCE_FILES.includes(path) || SHARED_SOURCES.some((dir) => path.startsWith(dir))) return true;
  if (path.startsWith('blueprints/base/')) return true;
  const own = /^(?:blueprints|scenarios)\/([^/]+)\//.exec(path)?.[1];
  return own !== undefined && (blueprint === '*' || own === blueprint);
}

/** The fields of package.json a generated project reads (renderer/package-root.ts): version and repository. */
export function packageJsonRenders(before: string | undefined, after: string | undefined): boolean {
  const fields = (text: string | undefined) => {
    if (text === undefined) return undefined;
    try {
      const pkg = JSON.parse(text) as { version?: unknown; repository?: unknown };
      return JSON.stringify([pkg.version, pkg.repository]);
    } catch {
      return `unparsable: ${text}`;
    }
  };
  return fields(before) !== fields(after);
}

export interface Change {
  /** A commit (short hash and subject) or "the working tree". */
  what: string;
  paths: string[];
  packageJsonRenders: boolean;
}

/** What is wrong with a change: one line per blueprint whose goldens changed without a source of theirs. */
export function judge(change: Change): string[] {
  const goldens = new Map<string, string[]>();
  for (const path of change.paths) {
    const blueprint = goldenBlueprint(path);
    if (blueprint) goldens.set(blueprint, [...(goldens.get(blueprint) ?? []), path]);
  }
  const problems: string[] = [];
  for (const [blueprint, paths] of goldens) {
    if (change.paths.some((p) => generatesGoldens(p, blueprint, change.packageJsonRenders))) continue;
    const where = blueprint === '*' ? GOLDEN_ROOT : `${GOLDEN_ROOT}${blueprint}/`;
    problems.push(
      `${change.what}: changes ${paths.length} golden file${paths.length === 1 ? '' : 's'} under ${where} (${paths[0]}${paths.length > 1 ? ', …' : ''}) ` +
        `but no source that generates them (${sourcesOf(blueprint)})`,
    );
  }
  return problems;
}

const sourcesOf = (blueprint: string) =>
  [
    'blueprints/base/',
    blueprint === '*' ? 'blueprints/<name>/' : `blueprints/${blueprint}/`,
    blueprint === '*' ? 'scenarios/<name>/' : `scenarios/${blueprint}/`,
    ...SHARED_SOURCES,
    ...SOURCE_FILES,
    'package.json version or repository',
  ].join(', ');

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'core.quotePath=off', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
}

function gitOk(cwd: string, ...args: string[]): boolean {
  try {
    git(cwd, ...args);
    return true;
  } catch {
    return false;
  }
}

const fileAt = (cwd: string, rev: string, path: string): string | undefined => {
  try {
    return git(cwd, 'show', `${rev}:${path}`);
  } catch {
    return undefined;
  }
};

export class HistoryUnavailable extends Error {}

/**
 * Every non-merge commit after `start` up to `end` (HEAD), with the paths it changed. Needs those commits: in a shallow
 * clone that lacks them, and where HEAD does not descend from `start`, it throws HistoryUnavailable saying what to
 * do (a check that passes on missing history would prove nothing).
 */
export function commitsSince(
  cwd: string,
  start: string,
  accepted: Readonly<Record<string, string>> = ACCEPTED,
  end = 'HEAD',
): (Change & { hash: string })[] {
  if (!gitOk(cwd, 'rev-parse', '--git-dir')) throw new HistoryUnavailable(`${cwd} is not a git checkout: the golden review needs this repository's history`);
  if (!gitOk(cwd, 'merge-base', '--is-ancestor', start, end)) {
    const shallow = git(cwd, 'rev-parse', '--is-shallow-repository').trim() === 'true';
    throw new HistoryUnavailable(
      shallow
        ? `shallow clone: the commits since ${start.slice(0, 12)} are not all here, so the golden review cannot judge them; run \`git fetch --unshallow\` (CI checks out the full history)`
        : `${end} does not descend from ${start.slice(0, 12)} (REVIEW_START of test/helpers/golden-review.ts): history was rewritten or this is another repository`,
    );
  }
  const log = git(cwd, 'log', '--no-merges', '--no-renames', '--format=%x1e%H%x1f%h %s', '--name-only', `${start}..${end}`);
  return log
    .split('\x1e')
    .filter((entry) => entry.trim() !== '')
    .map((entry) => {
      const [head, ...rest] = entry.split('\n');
      const [hash, what] = head!.split('\x1f') as [string, string];
      const paths = rest.filter((line) => line !== '');
      const renders = paths.includes('package.json') && packageJsonRenders(fileAt(cwd, `${hash}^`, 'package.json'), fileAt(cwd, hash, 'package.json'));
      return { hash, what: `commit ${what}`, paths, packageJsonRenders: renders };
    })
    .filter((change) => !(change.hash in accepted));
}

/** The problems of every commit since `start` (exclusive), one line each. */
export function reviewHistory(cwd: string, start = REVIEW_START, accepted = ACCEPTED): string[] {
  return commitsSince(cwd, start, accepted).flatMap(judge);
}

/** The working tree against HEAD: changed, staged and untracked (not ignored) paths. */
export function workingTreeChange(cwd: string): Change {
  const changed = git(cwd, 'diff', '--name-only', '--no-renames', 'HEAD').split('\n');
  const untracked = git(cwd, 'ls-files', '--others', '--exclude-standard').split('\n');
  const paths = [...new Set([...changed, ...untracked])].filter((p) => p !== '').sort();
  const current = existsSync(join(cwd, 'package.json')) ? readFileSync(join(cwd, 'package.json'), 'utf8') : undefined;
  return { what: 'the working tree', paths, packageJsonRenders: paths.includes('package.json') && packageJsonRenders(fileAt(cwd, 'HEAD', 'package.json'), current) };
}

/** One line per blueprint whose goldens differ from HEAD while none of its sources does, saying what to do. */
export function reviewWorkingTree(cwd: string): string[] {
  return judge(workingTreeChange(cwd)).map(
    (problem) =>
      `${problem}: commit the goldens with the change that caused them, or restore them (git checkout HEAD -- ${GOLDEN_ROOT} && git clean -fd -- ${GOLDEN_ROOT})`,
  );
}
