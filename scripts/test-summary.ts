// Prints the closing line CI reads, `N passed, N failed, N skipped`, summed over vitest JSON reports.
// A missing report, a run that failed outside its tests or ran none, and a test file that failed to
// load each count as a failure. Exits 1 on any failure.
import { existsSync, readFileSync } from 'node:fs';

interface Report {
  success: boolean;
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults: { status: string; assertionResults: unknown[] }[];
}

const totals = { passed: 0, failed: 0, skipped: 0 };
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    totals.failed += 1; // the suite could not run
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8')) as Report;
  const brokenFiles = report.testResults.filter((r) => r.status === 'failed' && r.assertionResults.length === 0).length;
  totals.passed += report.numPassedTests;
  // A run that failed outside any test (global setup, unhandled errors) or ran nothing is a failed suite.
  const suiteFailed = (!report.success || report.numTotalTests === 0) && report.numFailedTests + brokenFiles === 0 ? 1 : 0;
  totals.failed += report.numFailedTests + brokenFiles + suiteFailed;
  totals.skipped += report.numPendingTests + report.numTodoTests;
}
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 ? 1 : 0);
