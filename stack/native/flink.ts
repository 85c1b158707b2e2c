// Flink natively: the platform's SQL runner in a local MiniCluster per job (flink/sql/NN-name.sql), the
// same jar and scripts that run as FlinkDeployments on Kubernetes and as job clusters in compose.
// A process per job keeps jobs isolated (one failing job does not stop the others), as on Kubernetes.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { NativeComponent } from './component.ts';
import { databaseName, secret, type NativeContext } from './context.ts';
import { startProcess } from './processes.ts';
import { waitFor } from '../wait.ts';
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
const jobs = (ctx: NativeContext) => readdirSync(sqlDir(ctx)).filter((f) => f.endsWith('.sql')).sort();
const jobName = (file: string) => basename(file, '.sql');
const portName = (file: string) => `flink:${jobName(file)}`;

export function flinkEnv(ctx: NativeContext): Record<string, string> {
  return {
    KAFKA_BROKERS: `127.0.0.1:${ctx.ports.kafka}`,
    POSTGRES_JDBC_URL: `jdbc:postgresql://127.0.0.1:${ctx.ports.postgres}/${databaseName(ctx.manifest)}`,
    POSTGRES_FLINK_USER: 'flink_writer',
    POSTGRES_FLINK_PASSWORD: secret(ctx, 'POSTGRES_FLINK_PASSWORD'),
    S3_HISTORY_PATH: `file://${join(ctx.stateDir, 'data', 'history')}`,
    // The JDBC sink writes TIMESTAMP(3) values that hold UTC: the JVM must not shift them.
    JAVA_TOOL_OPTIONS: `-Duser.timezone=UTC -Xmx${process.env.FLINK_JOB_HEAP ?? '768m'}`,
  };
}

export const flink: NativeComponent = {
  name: 'flink',
  prerequisites: [
    { command: 'java', install: 'apt-get install openjdk-17-jdk-headless' },
    { command: 'mvn', install: 'apt-get install maven' },
  ],
  enabled: (ctx) => existsSync(sqlDir(ctx)) && jobs(ctx).length > 0,
  ports: (ctx) => jobs(ctx).map(portName),

  async install() {
    runner();
  },

  async start(ctx) {
    mkdirSync(join(ctx.stateDir, 'data', 'history'), { recursive: true });
    const [command, ...args] = runner();
    return jobs(ctx).map((file) =>
      startProcess({
        command: command!,
        args: [...args, join(sqlDir(ctx), file)],
        cwd: ctx.projectDir,
        env: {
          ...flinkEnv(ctx),
          FLINK_REST_PORT: String(ctx.ports[portName(file)]),
          FLINK_CHECKPOINT_DIR: `file://${join(ctx.stateDir, 'data', 'flink-checkpoints', jobName(file))}`,
        },
        log: join(ctx.stateDir, 'logs', `flink-${jobName(file)}.log`),
      }),
    );
  },

  async ready(ctx) {
    for (const file of jobs(ctx)) {
      await waitFor(
        `flink job ${jobName(file)} RUNNING`,
        async () => {
          const response = await fetch(`http://127.0.0.1:${ctx.ports[portName(file)]}/jobs/overview`, { signal: AbortSignal.timeout(2000) });
          const { jobs: overview } = (await response.json()) as { jobs: { state: string }[] };
          if (overview.some((j) => j.state === 'FAILED')) throw new Error(`job ${jobName(file)} FAILED; see .stack/logs/flink-${jobName(file)}.log`);
          return overview.some((j) => j.state === 'RUNNING');
        },
        { timeoutMs: 240_000, intervalMs: 500 },
      );
    }
  },

  addresses(ctx) {
    return Object.fromEntries(jobs(ctx).map((file) => [`FLINK_URL_${jobName(file).replace(/\W/g, '_').toUpperCase()}`, `http://127.0.0.1:${ctx.ports[portName(file)]}`]));
  },
};
