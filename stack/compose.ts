// The compose driver: docker compose does the work; this writes the same `.stack/addresses.env` as the
// native driver (from the ports compose actually published), so e2e tests never know which driver runs.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../cli/errors.ts';
import { databaseName, loadProject } from './native/context.ts';
import { ADDRESSES_FILE } from './native/driver.ts';
import { flinkJobCount, flinkJobsRunning } from './flink-jobs.ts';
import { waitFor } from './wait.ts';

/** Service, container port, and how the address is written. */
const PUBLISHED: [string, number, (hostPort: string) => Record<string, string>][] = [
  ['kafka', 9094, (a) => ({ KAFKA_BROKERS: a })],
  ['mosquitto', 1883, (a) => ({ MQTT_URL: `mqtt://${a}` })],
  ['postgres', 5432, (a) => ({ POSTGRES_HOST: a.split(':')[0]!, POSTGRES_PORT: a.split(':')[1]! })],
  ['redis', 6379, (a) => ({ REDIS_HOST: a.split(':')[0]!, REDIS_PORT: a.split(':')[1]! })],
  ['api', 8080, (a) => ({ API_URL: `http://${a}` })],
  ['flink-jobmanager', 8081, (a) => ({ FLINK_URL: `http://${a}` })],
];

export function compose(cwd: string, args: string[], capture = false): string {
  const result = spawnSync('docker', ['compose', ...args], { cwd, stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit', encoding: 'utf8' });
  if (result.error || result.status === null) {
    throw new UserError('docker compose is not available; install Docker, or use the native stack: npm run stack -- up --native');
  }
  if (result.status !== 0) throw new UserError(`docker compose ${args[0]} failed (exit ${result.status})`);
  return result.stdout ?? '';
}

export function composeUp(cwd: string): void {
  compose(cwd, ['up', '-d', '--wait']);
  const project = loadProject(cwd);
  const addresses: Record<string, string> = { STACK_DRIVER: 'compose', POSTGRES_DB: databaseName(project.manifest) };
  const running = new Set(compose(cwd, ['ps', '--services', '--status', 'running'], true).split('\n'));
  for (const [service, port, write] of PUBLISHED) {
    if (running.has(service)) Object.assign(addresses, write(compose(cwd, ['port', service, String(port)], true).trim()));
  }
  mkdirSync(project.stateDir, { recursive: true });
  writeFileSync(join(project.stateDir, ADDRESSES_FILE), Object.entries(addresses).map(([k, v]) => `${k}=${v}\n`).join(''));
}

/**
 * `stack kill|start <component>` on compose. `flink` names the Flink cluster (JobManager and TaskManager):
 * started again, its jobs start afresh from the offsets their consumer groups committed (no HA, so no
 * checkpoint is restored), and `start` waits until every job of flink/sql runs, as the native driver does.
 */
export async function composeComponent(cwd: string, name: string, action: 'kill' | 'start', out: (line: string) => void): Promise<void> {
  const services = name === 'flink' ? ['flink-jobmanager', 'flink-taskmanager'] : [name];
  compose(cwd, action === 'kill' ? ['kill', ...services] : ['up', '-d', '--wait', ...services]);
  if (action === 'start' && name === 'flink') {
    const address = compose(cwd, ['port', 'flink-jobmanager', '8081'], true).trim();
    const expected = flinkJobCount(cwd);
    await waitFor(`flink (${expected} jobs RUNNING)`, () => flinkJobsRunning(`http://${address}`, expected), { timeoutMs: 240_000, intervalMs: 500 });
  }
  out(`  ✔ ${action === 'kill' ? 'killed' : 'started'} ${name}`);
}
