// A red run is red: scripts/ci/run-suite.ts runs each fixture suite of test/fixtures/ci-summary/ through vitest
// with the summary reporter, and its exit status, closing line and summary file count unhandled errors, failed
// setups, failing tests and unexpected skips as failures. scripts/test-summary.ts sums the summaries.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SuiteSummary } from '../scripts/ci/summary.ts';
import { REPO_ROOT } from './helpers/cli.ts';

const FIXTURE_CONFIG = 'test/fixtures/ci-summary/vitest.config.ts';
const FIXTURES = ['unhandled-rejection', 'failing-before-all', 'failing-test', 'clean', 'collection-error', 'dynamic-skip'];

interface Run {
  code: number | null;
  lines: string[];
  summaryFile: string;
  summary: SuiteSummary;
}

// The nested vitest must not think it runs inside this worker.
const env = {
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && !key.startsWith('CI_SUMMARY'))),
  NO_COLOR: '1',
  FORCE_COLOR: '0',
};

function node(args: string[]): { code: number | null; lines: string[] } {
  const result = spawnSync(process.execPath, args, { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, lines: result.stdout.trimEnd().split('\n') };
}

const reports = mkdtempSync(join(tmpdir(), 'iotp-ci-summary-'));
const runs = new Map<string, Run>();

function runSuite(name: string, config: string, filter: string[]): Run {
  const { code, lines } = node(['scripts/ci/run-suite.ts', name, '--config', config, '--reports', reports, ...filter]);
  const summaryFile = join(reports, `${name}.summary.json`);
  return { code, lines, summaryFile, summary: JSON.parse(readFileSync(summaryFile, 'utf8')) as SuiteSummary };
}

function run(name: string): Run {
  const found = runs.get(name);
  if (!found) throw new Error(`fixture ${name} did not run`);
  return found;
}

const kinds = (name: string) => run(name).summary.failures.map((failure) => failure.kind);

beforeAll(() => {
  for (const name of FIXTURES) runs.set(name, runSuite(name, FIXTURE_CONFIG, [`${name}.fixture.ts`]));
  runs.set('no-vitest-config', runSuite('no-vitest-config', 'test/fixtures/ci-summary/absent.config.ts', []));
});
afterAll(() => rmSync(reports, { recursive: true, force: true }));

describe('scripts/ci/run-suite.ts', () => {
  it('fails a run whose tests pass but which left an unhandled rejection', () => {
    expect(run('unhandled-rejection').code).toBe(1);
    expect(run('unhandled-rejection').lines.at(-1)).toBe('1 passed, 1 failed, 0 skipped');
    expect(kinds('unhandled-rejection')).toEqual(['unhandled-error']);
    expect(run('unhandled-rejection').summary.failures[0].message).toBe('Error: fixture: nobody handles this rejection');
    expect(run('unhandled-rejection').summary.unhandledErrors).toBe(1);
  });

  it('counts every test of a file whose beforeAll failed as failed, not skipped', () => {
    expect(run('failing-before-all').code).toBe(1);
    expect(run('failing-before-all').lines.at(-1)).toBe('0 passed, 3 failed, 0 skipped');
    expect(kinds('failing-before-all')).toEqual(['broken-suite', 'broken-suite', 'broken-suite']);
    expect(run('failing-before-all').summary.failures.map((failure) => failure.name)).toEqual([
      'failing-before-all.fixture.ts > after a failed setup > one',
      'failing-before-all.fixture.ts > after a failed setup > two',
      'failing-before-all.fixture.ts > after a failed setup > three',
    ]);
  });

  it('counts a failing test', () => {
    expect(run('failing-test').code).toBe(1);
    expect(run('failing-test').lines.at(-1)).toBe('1 passed, 1 failed, 0 skipped');
    expect(run('failing-test').summary.failures).toEqual([
      { kind: 'failed-test', name: 'failing-test.fixture.ts > fails its assertion', message: 'expected 2 to be 3 // Object.is equality' },
    ]);
  });

  it('passes a clean run and counts its declared skip as skipped', () => {
    expect(run('clean').code).toBe(0);
    expect(run('clean').lines.at(-1)).toBe('2 passed, 0 failed, 1 skipped');
    expect(run('clean').summary).toEqual({
      suite: 'clean',
      passed: 2,
      failed: 0,
      skipped: 1,
      reason: 'passed',
      unhandledErrors: 0,
      failures: [],
      vitestExitCode: 0,
    });
  });

  it('counts a file that fails to collect as one failure', () => {
    expect(run('collection-error').code).toBe(1);
    expect(run('collection-error').lines.at(-1)).toBe('0 passed, 1 failed, 0 skipped');
    expect(run('collection-error').summary.failures).toEqual([
      { kind: 'broken-file', name: 'collection-error.fixture.ts', message: 'fixture: the cases could not be loaded' },
    ]);
  });

  it('counts a test that skipped itself at run time as failed', () => {
    expect(run('dynamic-skip').code).toBe(1);
    expect(run('dynamic-skip').lines.at(-1)).toBe('1 passed, 1 failed, 0 skipped');
    expect(kinds('dynamic-skip')).toEqual(['unexpected-skip']);
  });

  it('fails a suite whose vitest never wrote a summary, keeping vitest\'s exit status', () => {
    expect(run('no-vitest-config').code).toBe(1);
    expect(run('no-vitest-config').lines.at(-1)).toBe('0 passed, 1 failed, 0 skipped');
    expect(run('no-vitest-config').summary.reason).toBe('missing');
    expect(kinds('no-vitest-config')).toEqual(['run-failed']);
    expect(run('no-vitest-config').summary.vitestExitCode).toBe(1);
  });
});

describe('scripts/test-summary.ts', () => {
  it('sums the suites and exits 0 only when nothing failed', () => {
    expect(node(['scripts/test-summary.ts', run('clean').summaryFile])).toEqual({ code: 0, lines: ['2 passed, 0 failed, 1 skipped'] });
    expect(node(['scripts/test-summary.ts', run('clean').summaryFile, run('failing-before-all').summaryFile, run('failing-test').summaryFile])).toEqual({
      code: 1,
      lines: ['3 passed, 4 failed, 1 skipped'],
    });
  });

  it('counts a missing or unfinalized summary as a failed suite', () => {
    const unfinalized = join(reports, 'unfinalized.summary.json');
    writeFileSync(unfinalized, JSON.stringify({ ...run('clean').summary, vitestExitCode: null }));
    const missing = join(reports, 'never-ran.summary.json');
    expect(node(['scripts/test-summary.ts', run('clean').summaryFile, missing, unfinalized])).toEqual({
      code: 1,
      lines: ['2 passed, 2 failed, 1 skipped'],
    });
    expect(node(['scripts/test-summary.ts'])).toEqual({ code: 1, lines: ['0 passed, 1 failed, 0 skipped'] });
  });
});
