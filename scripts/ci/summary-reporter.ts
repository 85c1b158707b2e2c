// A vitest reporter that writes the run's CI summary (see count.ts for the rules) to $CI_SUMMARY_FILE,
// for the suite named $CI_SUMMARY_SUITE. scripts/ci/run-suite.ts sets both and finalizes the file.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Reporter, SerializedError, TestModule, TestRunEndReason } from 'vitest/node';
import { countRun } from './count.ts';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>, reason: TestRunEndReason): void {
    const file = process.env.CI_SUMMARY_FILE;
    if (!file) throw new Error('summary-reporter: CI_SUMMARY_FILE is not set (run the suite with scripts/ci/run-suite.ts)');
    const summary = countRun(process.env.CI_SUMMARY_SUITE ?? 'vitest', testModules, unhandledErrors, reason);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  }
}
