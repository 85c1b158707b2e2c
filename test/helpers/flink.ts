// Validates Flink SQL with the platform's runner (runtime/flink-sql-runner) on real Flink, no cluster:
// DDL runs against an in-memory catalog and every INSERT is planned; nothing connects to Kafka/Postgres.
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { flinkProjectArgs } from '../../stack/native/flink.ts';

const ENSURE = fileURLToPath(new URL('../../scripts/ensure-flink-runner.sh', import.meta.url));

export interface FlinkValidation {
  /** 0: every statement planned (or every job finished); 1: a statement or job failed; 2: usage. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** `file:statement#N: message` and `file: missing environment variable …` lines. */
  errors: string[];
}

let prefix: string | undefined;

/** Builds the runner if its sources changed and returns the `java … SqlRunner` command prefix. */
export function flinkRunnerCommand(): string {
  prefix ??= execFileSync('bash', [ENSURE], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 900_000,
  }).trim();
  return prefix;
}

/**
 * Runs `SqlRunner --validate` once over all paths (files or directories, and options such as `--tables`). Only `env` (plus PATH, HOME
 * and JAVA_HOME to find Java) reaches the scripts' `${VAR}` substitution, so results do not depend on the
 * caller's shell.
 */
export function validateFlinkSql(paths: string[], env: Record<string, string> = {}): FlinkValidation {
  return runner(['--validate', ...paths], env, 300_000);
}

/** Validates a generated project's jobs on its shared tables, with the arguments the native stack runs them with. */
export function validateProjectFlinkSql(projectDir: string, env: Record<string, string> = {}): FlinkValidation {
  return validateFlinkSql(flinkProjectArgs(projectDir), env);
}

/**
 * Runs the scripts as jobs in a local MiniCluster (one job per file) and waits for them to end: for bounded
 * scripts (VALUES, datagen with number-of-rows, or SET 'execution.runtime-mode' = 'batch').
 */
export function runFlinkSql(paths: string[], env: Record<string, string> = {}, timeoutMs = 300_000): FlinkValidation {
  return runner(paths, env, timeoutMs);
}

function runner(args: string[], env: Record<string, string>, timeout: number): FlinkValidation {
  // C1-only JIT: these are short-lived JVMs, it starts faster.
  const command = flinkRunnerCommand().replace(/^java /, 'java -XX:TieredStopAtLevel=1 ');
  const inherited = Object.fromEntries(
    ['PATH', 'HOME', 'JAVA_HOME'].flatMap((k) => (process.env[k] ? [[k, process.env[k] as string]] : [])),
  );
  const result = spawnSync('bash', ['-c', `${command} "$@"`, 'flink-sql-runner', ...args], {
    encoding: 'utf8',
    env: { ...inherited, ...env },
    timeout,
    maxBuffer: 1 << 28, // a job's print sinks can write many rows to stdout
  });
  const errors = result.stderr
    .split('\n')
    .filter((line) => /:statement#\d+: |: missing environment variable /.test(line));
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, errors };
}
