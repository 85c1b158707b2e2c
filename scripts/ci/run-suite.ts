// Runs one vitest suite for CI and keeps its verdict: `node scripts/ci/run-suite.ts <unit|e2e> [vitest args]`.
// Vitest runs with the default reporter and summary-reporter.ts; this script then records vitest's exit status
// in reports/<suite>.summary.json, prints what was counted as failed beyond failing tests, and ends with
// `N passed, N failed, N skipped`. Exits non-zero when vitest did or anything failed.
// Options (before or among the vitest args): --config FILE (default per suite), --reports DIR (default reports).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closingLine, finalize, type SuiteSummary } from './summary.ts';

const SUITE_CONFIGS: Record<string, string> = { unit: 'vitest.config.ts', e2e: 'vitest.e2e.config.ts' };
const REPORTER = fileURLToPath(new URL('./summary-reporter.ts', import.meta.url));
const VITEST = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
const LISTED_KINDS_LIMIT = 40;

interface Options {
  suite: string;
  config: string;
  reports: string;
  vitestArgs: string[];
}

function usage(message: string): never {
  console.error(`run-suite: ${message}\nusage: node scripts/ci/run-suite.ts <${Object.keys(SUITE_CONFIGS).join('|')}|NAME --config FILE> [--reports DIR] [vitest args]`);
  process.exit(2);
}

function parseArgs(argv: string[]): Options {
  const [suite, ...rest] = argv;
  if (!suite || suite.startsWith('-') || !/^[\w.-]+$/.test(suite)) usage('the first argument names the suite');
  let config = SUITE_CONFIGS[suite];
  let reports = 'reports';
  const vitestArgs: string[] = [];
  for (let i = 0; i < rest.length; i += 1) {
    const arg = rest[i];
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag !== '--config' && flag !== '--reports') {
      vitestArgs.push(arg);
      continue;
    }
    const value = inline ?? rest[++i];
    if (!value) usage(`${flag} needs a value`);
    if (flag === '--config') config = value;
    else reports = value;
  }
  if (!config) usage(`no vitest config for suite "${suite}" (pass --config FILE)`);
  return { suite, config, reports, vitestArgs };
}

function runVitest(options: Options, summaryFile: string): Promise<{ code: number | null; signal: string | null }> {
  const args = [VITEST, 'run', '--config', options.config, '--reporter=default', `--reporter=${REPORTER}`, ...options.vitestArgs];
  const child = spawn(process.execPath, args, {
    stdio: 'inherit',
    env: { ...process.env, CI_SUMMARY_FILE: summaryFile, CI_SUMMARY_SUITE: options.suite },
  });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt).on('SIGTERM', onTerm);
  return new Promise((done) => {
    child.on('error', (error) => {
      console.error(`run-suite: could not start vitest: ${error.message}`);
      done({ code: 1, signal: null });
    });
    child.on('close', (code, signal) => {
      process.off('SIGINT', onInt).off('SIGTERM', onTerm);
      done({ code, signal });
    });
  });
}

function readReported(file: string): SuiteSummary | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SuiteSummary;
  } catch {
    return undefined;
  }
}

function printCounted(summary: SuiteSummary): void {
  const beyondTests = summary.failures.filter((failure) => failure.kind !== 'failed-test');
  if (beyondTests.length === 0) return;
  console.log(`\n${summary.suite}: counted as failed besides failing tests:`);
  for (const failure of beyondTests.slice(0, LISTED_KINDS_LIMIT)) {
    console.log(`  ${failure.kind}: ${failure.name}${failure.message ? ` (${failure.message.split('\n')[0]})` : ''}`);
  }
  if (beyondTests.length > LISTED_KINDS_LIMIT) console.log(`  … and ${beyondTests.length - LISTED_KINDS_LIMIT} more`);
}

const options = parseArgs(process.argv.slice(2));
const summaryFile = resolve(options.reports, `${options.suite}.summary.json`);
mkdirSync(dirname(summaryFile), { recursive: true });
rmSync(summaryFile, { force: true }); // never read a previous run's summary
const { code, signal } = await runVitest(options, summaryFile);
const summary = finalize(readReported(summaryFile), options.suite, code, signal);
writeFileSync(summaryFile, `${JSON.stringify(summary, null, 2)}\n`);
printCounted(summary);
console.log(closingLine(summary));
const status = summary.vitestExitCode ?? 1;
process.exit(status !== 0 ? status : summary.failed > 0 ? 1 : 0);
