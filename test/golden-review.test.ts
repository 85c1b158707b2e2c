// A golden change without a source change fails review: every commit since REVIEW_START, and the working tree,
// change test/__golden__/<blueprint>/ only together with something that generates it (test/helpers/golden-review.ts).
// The rule is proven on fixture repositories and on this repository's own past, where it finds the commits that
// re-blessed the goldens from the code's own output.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitAll, git, initRepo } from './helpers/git.ts';
import {
  commitsSince,
  HistoryUnavailable,
  judge,
  REVIEW_START,
  reviewHistory,
  reviewWorkingTree,
} from './helpers/golden-review.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('this repository', () => {
  it(`every commit since ${REVIEW_START.slice(0, 7)} that changes goldens changes a source that generates them`, () => {
    // Fails (never skips) in a clone without that history: see HistoryUnavailable in commitsSince.
    expect(reviewHistory(root)).toEqual([]);
  });

  it('the working tree changes goldens only together with a source that generates them', () => {
    expect(reviewWorkingTree(root)).toEqual([]);
  });

  it('the rule finds the commits of its own past that re-blessed goldens without a source change', () => {
    // From the commit that introduced the golden trees (2c8f7e2) to REVIEW_START: the four re-blessings, two of
    // them named in issue 9 (4879c7a, 1c2b89d). Every other commit touching goldens changed their sources too.
    const flagged = commitsSince(root, '2c8f7e2daa9ab630cd54c33325e52ba70d0931c6', {}, REVIEW_START)
      .filter((change) => judge(change).length > 0)
      .map((change) => change.hash);
    expect(flagged).toEqual([
      '174bf2dede5954175c655c495e6cabbdd8df7bf3',
      '1c2b89dc37ab3b704fff073e048c9c8c908b0d5e',
      '4879c7a08c6a64631ad2e00a74d2ab68ce228704',
      'b43cca5bf7b9f7cb3111ff468b33f2a7b39e03be',
    ]);
  });
});

describe('the rule on a fixture repository', () => {
  let dir = '';
  let start = '';
  const hashes: Record<string, string> = {};
  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  };
  const commit = (message: string, files: Record<string, string>) => {
    for (const [path, content] of Object.entries(files)) write(path, content);
    hashes[message] = commitAll(dir, message);
    return hashes[message];
  };
  const pkg = (version: string, description: string) => `${JSON.stringify({ name: 'create-iot-platform', version, description }, null, 2)}\n`;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'iotp-golden-review-'));
    initRepo(dir);
    commit('before the start', { 'README.md': 'x\n', 'test/__golden__/sensors/none.txt': 'old\n' });
    git(dir, 'tag', 'before-start');
    start = commit('start', {
      'package.json': pkg('1.0.0', 'one'),
      'blueprints/base/files/README.md.ejs': 'base\n',
      'blueprints/sensors/files/compose.yaml.ejs': 'services: {}\n',
      'blueprints/transport/files/compose.yaml.ejs': 'services: {}\n',
      'test/__golden__/sensors/none.txt': 'v1\n',
      'test/__golden__/transport/none.txt': 'v1\n',
    });
    commit('template and its golden', { 'blueprints/sensors/files/compose.yaml.ejs': 'services: { a: {} }\n', 'test/__golden__/sensors/none.txt': 'v2\n' });
    commit('golden alone', { 'test/__golden__/sensors/none.txt': 'v3\n' });
    commit('another blueprint', {
      'blueprints/transport/files/compose.yaml.ejs': 'services: { b: {} }\n',
      'test/__golden__/transport/none.txt': 'v2\n',
      'test/__golden__/sensors/none.txt': 'v4\n',
      'test/__golden__/sensors/files/compose.yaml.golden': 'v4\n',
    });
    commit('package description', { 'package.json': pkg('1.0.0', 'two'), 'test/__golden__/sensors/none.txt': 'v5\n' });
    commit('package version', { 'package.json': pkg('1.1.0', 'two'), 'test/__golden__/sensors/none.txt': 'v6\n' });
    commit('golden format', { 'test/helpers/golden.ts': 'export {};\n', 'test/__golden__/sensors/none.txt': 'v7\n' });
    commit('renderer', { 'renderer/render.ts': 'export {};\n', 'test/__golden__/transport/none.txt': 'v3\n' });
    commit('base template', { 'blueprints/base/files/README.md.ejs': 'base 2\n', 'test/__golden__/sensors/none.txt': 'v8\n' });
    commit('source alone', { 'blueprints/sensors/files/compose.yaml.ejs': 'services: { c: {} }\n' });
    // A branch merged with a merge commit: the branch's commits are judged, the merge is not.
    git(dir, 'checkout', '--quiet', '-b', 'topic');
    commit('topic: golden alone', { 'test/__golden__/transport/none.txt': 'v4\n' });
    git(dir, 'checkout', '--quiet', 'main');
    commit('main: scenario', { 'scenarios/sensors/expected.json': '{}\n', 'test/__golden__/sensors/none.txt': 'v9\n' });
    git(dir, 'merge', '--quiet', '--no-ff', '-m', 'merge topic', 'topic');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('flags exactly the commits that change goldens of a blueprint without a source of it', () => {
    const flagged = commitsSince(dir, start, {})
      .filter((change) => judge(change).length > 0)
      .map((change) => change.hash);
    expect(flagged.sort()).toEqual(
      [hashes['golden alone'], hashes['another blueprint'], hashes['package description'], hashes['topic: golden alone']].sort(),
    );
    expect(commitsSince(dir, start, {}).map((c) => c.hash)).not.toContain(start);
  });

  it('says which commit, which goldens and what would have generated them, one line per blueprint', () => {
    const problems = reviewHistory(dir, start, {});
    const short = git(dir, 'rev-parse', '--short', hashes['another blueprint']!).trim();
    expect(problems).toContain(
      `commit ${short} another blueprint: changes 2 golden files under test/__golden__/sensors/ (test/__golden__/sensors/files/compose.yaml.golden, …) ` +
        'but no source that generates them (blueprints/base/, blueprints/sensors/, scenarios/sensors/, renderer/, manifest/, generators/, ' +
        'test/helpers/golden.ts, package-lock.json, package.json version or repository)',
    );
    expect(problems).toHaveLength(4);
  });

  it('an accepted commit (ACCEPTED, with its reason) is not judged again', () => {
    const accepted = { [hashes['golden alone']!]: 'reviewed: fixture' };
    expect(reviewHistory(dir, start, accepted)).toHaveLength(3);
  });

  it('the working tree: a golden changed alone fails with what to do; with its source, or a version bump, it passes', () => {
    expect(reviewWorkingTree(dir)).toEqual([]);
    write('test/__golden__/sensors/none.txt', 'hand edit\n');
    write('test/__golden__/sensors/new.semantic.yaml', 'untracked\n');
    expect(reviewWorkingTree(dir)).toEqual([
      'the working tree: changes 2 golden files under test/__golden__/sensors/ (test/__golden__/sensors/new.semantic.yaml, …) but no source that ' +
        'generates them (blueprints/base/, blueprints/sensors/, scenarios/sensors/, renderer/, manifest/, generators/, test/helpers/golden.ts, ' +
        'package-lock.json, package.json version or repository): commit the goldens with the change that caused them, or restore them ' +
        '(git checkout HEAD -- test/__golden__/ && git clean -fd -- test/__golden__/)',
    ]);
    write('package.json', pkg('1.1.0', 'three'));
    expect(reviewWorkingTree(dir)).toHaveLength(1);
    write('package.json', pkg('1.2.0', 'three'));
    expect(reviewWorkingTree(dir)).toEqual([]);
    git(dir, 'checkout', '--quiet', 'HEAD', '--', 'package.json');
    write('blueprints/sensors/files/compose.yaml.ejs', 'services: { d: {} }\n');
    git(dir, 'add', 'blueprints/sensors/files/compose.yaml.ejs'); // staged counts as well
    expect(reviewWorkingTree(dir)).toEqual([]);
    git(dir, 'reset', '--quiet', '--hard', 'HEAD');
    git(dir, 'clean', '-fdq');
    expect(reviewWorkingTree(dir)).toEqual([]);
  });

  it('a shallow clone without the history since the start fails, saying how to get it', () => {
    const shallow = mkdtempSync(join(tmpdir(), 'iotp-golden-shallow-'));
    try {
      git(tmpdir(), 'clone', '--quiet', '--depth', '1', `file://${dir}`, shallow);
      expect(() => reviewHistory(shallow, start, {})).toThrow(HistoryUnavailable);
      expect(() => reviewHistory(shallow, start, {})).toThrow(
        `shallow clone: the commits since ${start.slice(0, 12)} are not all here, so the golden review cannot judge them; run \`git fetch --unshallow\` (CI checks out the full history)`,
      );
      // Deepened until the start is in it (still shallow: the commit before the start is missing), it judges.
      git(shallow, 'fetch', '--quiet', '--shallow-exclude=before-start', 'origin', 'main');
      git(shallow, 'reset', '--quiet', '--hard', 'FETCH_HEAD');
      expect(git(shallow, 'rev-parse', '--is-shallow-repository').trim()).toBe('true');
      expect(reviewHistory(shallow, start, {})).toHaveLength(4);
    } finally {
      rmSync(shallow, { recursive: true, force: true });
    }
  });

  it('fails outside a git checkout and when HEAD does not descend from the start', () => {
    const plain = mkdtempSync(join(tmpdir(), 'iotp-golden-plain-'));
    try {
      expect(() => reviewHistory(plain, start, {})).toThrow(`${plain} is not a git checkout: the golden review needs this repository's history`);
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
    git(dir, 'checkout', '--quiet', '--orphan', 'rewritten');
    commitAll(dir, 'rewritten history');
    try {
      expect(() => reviewHistory(dir, start, {})).toThrow(`HEAD does not descend from ${start.slice(0, 12)} (REVIEW_START of test/helpers/golden-review.ts)`);
    } finally {
      git(dir, 'checkout', '--quiet', '--force', 'main');
    }
  });
});
