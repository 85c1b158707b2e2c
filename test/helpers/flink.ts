// Validates Flink SQL with the platform's runner (runtime/flink-sql-runner) on real Flink, no cluster:
// DDL runs against an in-memory catalog and every INSERT is planned; nothing connects to Kafka/Postgres.
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ENSURE = fileURLToPath(new URL('../../scripts/ensure-flink-runner.sh', import.meta.url));

export interface FlinkValidation {
  /** 0: every statement plans; 1: a statement failed; 2: usage. */
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
 * Runs `SqlRunner --validate` once over all paths (files or directories). Only `env` (plus PATH, HOME
 * and JAVA_HOME to find Java) reaches the scripts' `${VAR}` substitution, so results do not depend on the
 * caller's shell.
 */
export function validateFlinkSql(paths: string[], env: Record<string, string> = {}): FlinkValidation {
  // C1-only JIT: a validation is a short-lived JVM, this starts faster.
  const command = flinkRunnerCommand().replace(/^java /, 'java -XX:TieredStopAtLevel=1 ');
  const inherited = Object.fromEntries(
    ['PATH', 'HOME', 'JAVA_HOME'].flatMap((k) => (process.env[k] ? [[k, process.env[k] as string]] : [])),
  );
  const result = spawnSync('bash', ['-c', `${command} --validate "$@"`, 'validate-flink-sql', ...paths], {
    encoding: 'utf8',
    env: { ...inherited, ...env },
    timeout: 300_000,
  });
  const errors = result.stderr
    .split('\n')
    .filter((line) => /:statement#\d+: |: missing environment variable /.test(line));
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, errors };
}
