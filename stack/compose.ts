// The compose driver: docker compose does the work; this writes the same `.stack/addresses.env` as the
// native driver (from the ports compose actually published), so e2e tests never know which driver runs.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../cli/errors.ts';
import { databaseName, loadProject } from './native/context.ts';
import { ADDRESSES_FILE } from './native/driver.ts';

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
