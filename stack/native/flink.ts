// Flink natively: the platform's SQL runner with one local MiniCluster that runs every flink/sql/*.sql
// file as its own job, on the shared table definitions of flink/tables/ — the same jar and scripts that run as
// FlinkDeployments on Kubernetes and as a job cluster in compose. One JVM pays Flink's fixed cost once, not
// once per job.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { NativeComponent } from './component.ts';
import { databaseName, secret, type NativeContext } from './context.ts';
import { startProcess } from './processes.ts';
import { WaitAborted, waitFor } from '../wait.ts';
import { packageRoot } from '../../renderer/package-root.ts';

let runnerCommand: string[] | undefined;

/** Builds the runner if needed and returns its java command (the ensure script prints it shell-quoted). */
function runner(): string[] {
  if (runnerCommand) return runnerCommand;
  const script = join(packageRoot(), 'scripts', 'ensure-flink-runner.sh');
  const result = spawnSync('bash', ['-c', `set -e; eval "set -- $("${script}")"; printf '%s\\0' "$@"`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (result.status !== 0) throw new Error('could not build the Flink SQL runner (see the output above)');
  return (runnerCommand = result.stdout.split('\0').filter(Boolean));
}

const sqlDir = (ctx: NativeContext) => join(ctx.projectDir, 'flink', 'sql');

/** The runner's arguments for a project's jobs: its shared tables (a missing folder is none), then its jobs. */
export const flinkProjectArgs = (projectDir: string): string[] => [
  '--tables',
  join(projectDir, 'flink', 'tables'),
  join(projectDir, 'flink', 'sql'),
];
const jobCount = (ctx: NativeContext) => readdirSync(sqlDir(ctx)).filter((f) => f.endsWith('.sql')).length;

export function flinkEnv(ctx: NativeContext): Record<string, string> {
  return {
    KAFKA_BROKERS: `127.0.0.1:${ctx.ports.kafka}`,
    POSTGRES_JDBC_URL: `jdbc:postgresql://127.0.0.1:${ctx.ports.postgres}/${databaseName(ctx.manifest)}`,
    POSTGRES_FLINK_USER: 'flink_writer',
    POSTGRES_FLINK_PASSWORD: secret(ctx, 'POSTGRES_FLINK_PASSWORD'),
    S3_HISTORY_PATH: `file://${join(ctx.stateDir, 'data', 'history')}`,
    FLINK_REST_PORT: String(ctx.ports.flink),
    FLINK_CHECKPOINT_DIR: `file://${join(ctx.stateDir, 'data', 'flink-checkpoints')}`,
    // The JDBC sink writes TIMESTAMP(3) values that hold UTC: the JVM must not shift them.
    JAVA_TOOL_OPTIONS: `-Duser.timezone=UTC -Xmx${process.env.FLINK_HEAP ?? '1536m'}`,
  };
}

export const flink: NativeComponent = {
  name: 'flink',
  prerequisites: [
    { command: 'java', install: 'apt-get install openjdk-17-jdk-headless' },
    { command: 'mvn', install: 'apt-get install maven' },
  ],
  enabled: (ctx) => existsSync(sqlDir(ctx)) && jobCount(ctx) > 0,
  ports: () => ['flink'],

  async install() {
    runner();
  },

  async start(ctx) {
    mkdirSync(join(ctx.stateDir, 'data', 'history'), { recursive: true });
    const [command, ...args] = runner();
    return [
      startProcess({
        command: command!,
        args: [...args, ...flinkProjectArgs(ctx.projectDir)],
        cwd: ctx.projectDir,
        env: flinkEnv(ctx),
        log: join(ctx.stateDir, 'logs', 'flink.log'),
      }),
    ];
  },

  async ready(ctx) {
    const expected = jobCount(ctx);
    await waitFor(
      `flink (${expected} jobs RUNNING)`,
      async () => {
        const response = await fetch(`http://127.0.0.1:${ctx.ports.flink}/jobs/overview`, { signal: AbortSignal.timeout(2000) });
        const { jobs } = (await response.json()) as { jobs: { name: string; state: string }[] };
        const failed = jobs.find((j) => j.state === 'FAILED');
        if (failed) throw new WaitAborted(`job ${failed.name} FAILED; see .stack/logs/flink.log`);
        return jobs.filter((j) => j.state === 'RUNNING').length >= expected;
      },
      { timeoutMs: 240_000, intervalMs: 500 },
    );
  },

  addresses(ctx) {
    return { FLINK_URL: `http://127.0.0.1:${ctx.ports.flink}` };
  },
};
