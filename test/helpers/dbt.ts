// Test helper: a rendered project's dbt, run for real (scripts/ensure-dbt.sh's venv) against a test PostgreSQL
// database, with the environment every stack passes it (the manifest's parameters, the dbt_runner password, TZ).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { loadManifest } from '../../manifest/load.ts';
import { parameterEnv } from '../../manifest/parameters.ts';
import { ensureTool } from './ensure.ts';

export interface ProjectDbt {
  dir: string;
  env: NodeJS.ProcessEnv;
  /** Runs `dbt <args>` in the project's dbt folder; a failure throws with dbt's output. */
  run(args: string[]): string;
}

export function projectDbt(projectDir: string, postgres: { host: string; port: number }, database: string, projectEnv: Record<string, string>): ProjectDbt {
  const dbt = ensureTool('ensure-dbt.sh');
  const dir = join(projectDir, 'dbt');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...parameterEnv(loadManifest(join(projectDir, 'iot-platform.yaml'))), // what every stack passes
    POSTGRES_HOST: postgres.host,
    POSTGRES_PORT: String(postgres.port),
    POSTGRES_DB: database,
    POSTGRES_DBT_PASSWORD: projectEnv.POSTGRES_DBT_PASSWORD,
    TZ: projectEnv.TZ,
    DBT_SEND_ANONYMOUS_USAGE_STATS: 'false',
  };
  const run = (args: string[]) => {
    try {
      return execFileSync(dbt, [...args, '--project-dir', dir, '--profiles-dir', dir], {
        cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000,
      });
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string; message: string };
      throw new Error(`dbt ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
    }
  };
  return { dir, env, run };
}
