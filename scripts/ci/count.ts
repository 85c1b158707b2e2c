// Counts a finished vitest run the way CI reads it. Every test lands in exactly one bucket:
//   skipped  declared skip/todo (options.mode 'skip' or 'todo', including `skipIf`/`runIf` and `describe.skip`)
//   failed   its state is 'failed'; or it sits in a suite or file with errors of its own (a failing
//            beforeAll/afterAll, a collection error) or in a file that never finished; or it was meant to
//            run (mode 'run'/'only') and ended 'skipped' or 'pending' (an unexpected skip)
//   passed   otherwise (state 'passed')
// Each broken suite or file with no test counted failed under it adds one failure, each unhandled error one,
// and a run that passed no test and failed none, or that vitest ended as failed with nothing counted, one.
import type { SerializedError, TestCase, TestModule, TestRunEndReason, TestSuite } from 'vitest/node';
import { addFailure, type SuiteSummary } from './summary.ts';

type Container = TestModule | TestSuite;

function containerName(container: Container): string {
  return container.type === 'module' ? container.relativeModuleId : `${container.module.relativeModuleId} > ${container.fullName}`;
}

function testName(test: TestCase): string {
  return `${test.module.relativeModuleId} > ${test.fullName}`;
}

/** Why a suite or file is broken on its own account, or undefined when it is not. */
function brokenBecause(container: Container): string | undefined {
  const errors = container.errors();
  if (errors.length > 0) return errors.map((error) => error.message).join('; ');
  if (container.type === 'module') {
    const state = container.state();
    if (state === 'queued' || state === 'pending') return `the file never finished (state ${state})`;
  }
  return undefined;
}

function countContainer(container: Container, inherited: string | undefined, summary: SuiteSummary): void {
  const own = brokenBecause(container);
  const broken = own ?? inherited;
  const failedBefore = summary.failed;
  for (const child of container.children) {
    if (child.type === 'suite') {
      countContainer(child, broken, summary);
      continue;
    }
    countTest(child, broken, summary);
  }
  if (own !== undefined && summary.failed === failedBefore) {
    addFailure(summary, { kind: 'broken-file', name: containerName(container), message: own });
  }
}

function countTest(test: TestCase, broken: string | undefined, summary: SuiteSummary): void {
  const mode = test.options.mode;
  const result = test.result();
  if (mode === 'skip' || mode === 'todo') {
    summary.skipped += 1;
  } else if (result.state === 'failed') {
    addFailure(summary, { kind: 'failed-test', name: testName(test), message: result.errors[0]?.message });
  } else if (broken !== undefined) {
    addFailure(summary, { kind: 'broken-suite', name: testName(test), message: broken });
  } else if (result.state === 'passed') {
    summary.passed += 1;
  } else {
    addFailure(summary, { kind: 'unexpected-skip', name: testName(test), message: `mode ${mode}, state ${result.state}` });
  }
}

export function countRun(
  suite: string,
  testModules: ReadonlyArray<TestModule>,
  unhandledErrors: ReadonlyArray<SerializedError>,
  reason: TestRunEndReason,
): SuiteSummary {
  const summary: SuiteSummary = {
    suite,
    passed: 0,
    failed: 0,
    skipped: 0,
    reason,
    unhandledErrors: unhandledErrors.length,
    failures: [],
    vitestExitCode: null,
  };
  for (const testModule of testModules) countContainer(testModule, undefined, summary);
  for (const error of unhandledErrors) {
    const where = typeof error.VITEST_TEST_PATH === 'string' ? error.VITEST_TEST_PATH : suite;
    addFailure(summary, { kind: 'unhandled-error', name: where, message: `${error.name ?? 'Error'}: ${error.message}` });
  }
  if (summary.passed === 0 && summary.failed === 0) {
    addFailure(summary, { kind: 'empty-run', name: suite, message: 'no test ran' });
  }
  if (reason !== 'passed' && summary.failed === 0) {
    addFailure(summary, { kind: 'run-failed', name: suite, message: `vitest ended the run as ${reason}` });
  }
  return summary;
}
