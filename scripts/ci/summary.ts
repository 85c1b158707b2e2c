// The per-run summary file shared by the reporter (writes it), the suite runner (finalizes it with vitest's
// exit status) and scripts/test-summary.ts (sums the suites). One `failures` entry per counted failure.
import { existsSync, readFileSync } from 'node:fs';

export type FailureKind =
  | 'failed-test' // a test that ran and failed
  | 'unexpected-skip' // a test meant to run (mode run/only) that was skipped or never finished
  | 'broken-suite' // a test of a suite or file whose setup, teardown or collection failed
  | 'broken-file' // such a suite or file that holds no test to carry the failure
  | 'unhandled-error' // an error vitest caught outside every test
  | 'empty-run' // a run that passed no test and failed none
  | 'run-failed'; // the run failed (vitest's reason or exit status) with nothing else counted

export interface Failure {
  kind: FailureKind;
  name: string;
  message?: string;
}

export interface SuiteSummary {
  suite: string;
  passed: number;
  failed: number;
  skipped: number;
  reason: 'passed' | 'failed' | 'interrupted' | 'missing';
  unhandledErrors: number;
  failures: Failure[];
  /** Set by the runner once vitest has exited; null while the run is not finalized. */
  vitestExitCode: number | null;
}

export function closingLine(totals: { passed: number; failed: number; skipped: number }): string {
  return `${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`;
}

/** Adds a failure and keeps `failed` equal to the number of entries. */
export function addFailure(summary: SuiteSummary, failure: Failure): void {
  summary.failures.push(failure);
  summary.failed = summary.failures.length;
}

/** Applies vitest's exit status: a non-zero status is a failure even if no test was counted as failed. */
export function finalize(summary: SuiteSummary | undefined, suite: string, exitCode: number | null, signal: string | null): SuiteSummary {
  const result: SuiteSummary = summary ?? {
    suite,
    passed: 0,
    failed: 0,
    skipped: 0,
    reason: 'missing',
    unhandledErrors: 0,
    failures: [],
    vitestExitCode: null,
  };
  if (summary === undefined) {
    addFailure(result, { kind: 'run-failed', name: suite, message: 'vitest wrote no summary (it crashed or never ran its tests)' });
  }
  const status = exitCode ?? 1;
  if (status !== 0 && result.failed === 0) {
    const how = signal === null ? `exited with status ${status}` : `was killed by ${signal}`;
    addFailure(result, { kind: 'run-failed', name: suite, message: `vitest ${how}` });
  }
  result.vitestExitCode = status;
  return result;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** Reads a summary file; returns the reason it cannot be trusted instead when it is missing or incomplete. */
export function readSummary(file: string): SuiteSummary | string {
  if (!existsSync(file)) return `${file}: missing (the suite did not run to its end)`;
  let data: Partial<SuiteSummary>;
  try {
    data = JSON.parse(readFileSync(file, 'utf8')) as Partial<SuiteSummary>;
  } catch (error) {
    return `${file}: not JSON (${(error as Error).message})`;
  }
  if (!isCount(data.passed) || !isCount(data.failed) || !isCount(data.skipped) || !Array.isArray(data.failures)) {
    return `${file}: not a suite summary`;
  }
  if (data.failed !== data.failures.length) return `${file}: failed ${data.failed} but ${data.failures.length} failures listed`;
  if (!isCount(data.vitestExitCode)) return `${file}: not finalized (the runner did not record vitest's exit status)`;
  return data as SuiteSummary;
}
