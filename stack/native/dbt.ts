// dbt against the native stack, from a cached virtualenv (scripts/ensure-dbt.sh).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../cli/errors.ts';
import { packageRoot } from '../../renderer/package-root.ts';
import { loadProject, parseEnvFile } from './context.ts';
import { ADDRESSES_FILE } from './driver.ts';
import { parameterEnv } from '../../manifest/parameters.ts';

export function dbtExecutable(): string {
  const result = spawnSync('bash', [join(packageRoot(), 'scripts', 'ensure-dbt.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (result.status !== 0) throw new UserError('could not install dbt into its virtualenv (see the output above)');
  return result.stdout.trim().split('\n').pop()!;
}

export function runDbt(projectDir: string, args: string[]): void {
  const project = loadProject(projectDir);
  const addressesFile = join(project.stateDir, ADDRESSES_FILE);
  if (!existsSync(addressesFile)) throw new UserError('the native stack is not running; start it with: npm run stack -- up --native');
  const addresses = parseEnvFile(readFileSync(addressesFile, 'utf8'), addressesFile);
  const dbtDir = join(projectDir, 'dbt');
  const result = spawnSync(dbtExecutable(), [...args, '--project-dir', dbtDir, '--profiles-dir', dbtDir], {
    cwd: dbtDir,
    stdio: 'inherit',
    // iot-platform.yaml `parameters` (DRY_THRESHOLD, …): the values the Flink jobs got, read by dbt_project.yml's env_var
    env: { ...process.env, ...project.secrets, ...addresses, ...parameterEnv(project.manifest) },
  });
  if (result.status !== 0) throw new UserError(`dbt ${args.join(' ')} failed (exit ${result.status})`);
}
