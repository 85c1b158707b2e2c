// Flink natively: the platform's SQL runner with one local MiniCluster that runs every flink/sql/*.sql
// file as its own job, on the shared table definitions of flink/tables/ — the same jar and scripts that run as
// FlinkDeployments on Kubernetes and as a job cluster in compose. One JVM pays Flink's fixed cost once, not
// once per job. With the `history` component the MiniCluster loads Flink's S3 file system plugin (from Maven, into
// the cache) and writes the history to the native SeaweedFS, configured as compose configures its cluster.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { NativeComponent } from './component.ts';
import { databaseName, secret, type NativeContext } from './context.ts';
import { run, startProcess } from './processes.ts';
import { WaitAborted, waitFor } from '../wait.ts';
import { packageRoot } from '../../renderer/package-root.ts';
import { FLINK_S3_PLUGIN_VERSION } from '../../renderer/versions.ts';
import { HISTORY_BUCKET, s3Endpoint } from './seaweedfs.ts';
import { parameterEnv } from '../../manifest/parameters.ts';

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

const withHistory = (ctx: Pick<NativeContext, 'manifest'>) => ctx.manifest.components.includes('history');

/** Flink's plugins folder of the native stack (one folder per plugin, as /opt/flink/plugins in Flink's image). */
export const flinkPluginsDir = (cacheDir: string) => join(cacheDir, 'flink', FLINK_S3_PLUGIN_VERSION, 'plugins');
const S3_PLUGIN = `flink-s3-fs-hadoop-${FLINK_S3_PLUGIN_VERSION}.jar`;

/** Puts Flink's S3 file system plugin (flink-s3-fs-hadoop, from Maven) into the plugins folder; idempotent. */
export function installS3Plugin(cacheDir: string): string {
  const plugins = flinkPluginsDir(cacheDir);
  const folder = join(plugins, 's3-fs-hadoop');
  if (!existsSync(join(folder, S3_PLUGIN))) {
    mkdirSync(folder, { recursive: true });
    run('mvn', [
      '-q', '-B', 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy',
      `-Dartifact=org.apache.flink:flink-s3-fs-hadoop:${FLINK_S3_PLUGIN_VERSION}`,
      `-DoutputDirectory=${folder}`,
    ], { cwd: cacheDir });
  }
  return plugins;
}

/** The S3 settings of the cluster, as compose writes them into FLINK_PROPERTIES (`key: value` lines). */
export function s3FlinkProperties(ctx: NativeContext): string {
  return [
    `s3.endpoint: ${s3Endpoint(ctx)}`,
    's3.path.style.access: true',
    `s3.access-key: ${secret(ctx, 'S3_ACCESS_KEY')}`,
    `s3.secret-key: ${secret(ctx, 'S3_SECRET_KEY')}`,
  ].join('\n');
}

export function flinkEnv(ctx: NativeContext): Record<string, string> {
  return {
    KAFKA_BROKERS: `127.0.0.1:${ctx.ports.kafka}`,
    // reWriteBatchedInserts: a JDBC sink's flush of N rows is a few multi-row statements, not N (as compose and the chart)
    POSTGRES_JDBC_URL: `jdbc:postgresql://127.0.0.1:${ctx.ports.postgres}/${databaseName(ctx.manifest)}?reWriteBatchedInserts=true`,
    POSTGRES_FLINK_USER: 'flink_writer',
    POSTGRES_FLINK_PASSWORD: secret(ctx, 'POSTGRES_FLINK_PASSWORD'),
    // iot-platform.yaml `parameters` (DRY_THRESHOLD, …), read at every `stack up`
    ...parameterEnv(ctx.manifest),
    ...(withHistory(ctx)
      ? {
          S3_HISTORY_PATH: `s3://${HISTORY_BUCKET}`,
          FLINK_PROPERTIES: s3FlinkProperties(ctx),
          FLINK_PLUGINS_DIR: flinkPluginsDir(ctx.cacheDir),
        }
      : {}),
    FLINK_REST_PORT: String(ctx.ports.flink),
    FLINK_CHECKPOINT_DIR: `file://${join(ctx.stateDir, 'data', 'flink-checkpoints')}`,
    // The JDBC sink writes TIMESTAMP(3) values that hold UTC: the JVM must not shift them. A young generation of
    // 384 MiB (FLINK_YOUNG_GEN) instead of the ~130 MiB the JVM sizes from its small initial heap: in bench:sensors at
    // 5,000 msg/s, GC and safepoints fell from 14 % to 5 % of Flink's CPU, for ~120 MiB more resident memory.
    // FLINK_JVM_OPTIONS adds options of the caller's (a profiler agent, GC settings).
    JAVA_TOOL_OPTIONS: [
      `-Duser.timezone=UTC -Xmx${process.env.FLINK_HEAP ?? '1536m'} -Xmn${process.env.FLINK_YOUNG_GEN ?? '384m'}`,
      process.env.FLINK_JVM_OPTIONS,
    ].filter(Boolean).join(' '),
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

  async install(ctx) {
    runner();
    if (withHistory(ctx)) installS3Plugin(ctx.cacheDir);
  },

  async start(ctx) {
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
