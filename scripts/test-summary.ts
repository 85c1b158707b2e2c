// Prints the closing line CI reads, `N passed, N failed, N skipped`, summed over the suite summaries that
// scripts/ci/run-suite.ts writes (reports/<suite>.summary.json; counting rules in scripts/ci/count.ts).
// A summary that is missing, unreadable or not finalized with vitest's exit status counts as one failure (its
// counts are not trusted).
// Exits 1 on any failure.
import { closingLine, readSummary } from './ci/summary.ts';

const totals = { passed: 0, failed: 0, skipped: 0 };
for (const file of process.argv.slice(2)) {
  const summary = readSummary(file);
  if (typeof summary === 'string') {
    console.error(`test-summary: ${summary}; counted as 1 failure`);
    totals.failed += 1;
    continue;
  }
  totals.passed += summary.passed;
  totals.failed += summary.failed;
  totals.skipped += summary.skipped;
}
if (process.argv.length <= 2) {
  console.error('test-summary: no summary files given; counted as 1 failure');
  totals.failed += 1;
}
console.log(closingLine(totals));
process.exit(totals.failed > 0 ? 1 : 0);
