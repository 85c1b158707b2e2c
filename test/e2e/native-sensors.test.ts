// The platform's end-to-end proof: publish this checkout to a local registry, generate a sensors project from it
// the way a user does (`npm create iot-platform@<version>`, installed through that registry), bring its native
// stack up on real engines (Kafka, Flink, PostgreSQL, Redis, Mosquitto, dbt), run that project's own e2e data
// tests against it, and tear it down leaving no process behind.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.ts';
import { startLocalRegistry, type LocalRegistry } from '../helpers/local-registry.ts';

const parent = tempDir('iotp-e2e-');
chmodSync(parent, 0o755); // as root, PostgreSQL runs as the postgres user, which must reach the project
const project = join(parent, 'e2e-sensors');
let stackStarted = false;
let registry: LocalRegistry | undefined;

function npm(args: string[], timeoutMs: number, cwd = project) {
  const result = spawnSync('npm', args, { cwd, encoding: 'utf8', timeout: timeoutMs, env: { ...registry!.npmEnv, CI: 'true' } });
  return { code: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

function stackPids(): number[] {
  const file = join(project, '.stack', 'state.json');
  if (!existsSync(file)) return [];
  return (JSON.parse(readFileSync(file, 'utf8')) as { components: { pids: number[] }[] }).components.flatMap((c) => c.pids);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  registry = await startLocalRegistry({ publish: true });
  const { version } = registry.published!;
  const created = npm(['create', `iot-platform@${version}`, '--', 'e2e-sensors', '--blueprint', 'sensors', '--yes', '--skip-git'], 900_000, parent);
  if (created.code !== 0) console.error(created.output);
  expect(created.code).toBe(0);
  const installed = join(project, 'node_modules/create-iot-platform');
  expect(lstatSync(installed).isSymbolicLink()).toBe(false); // the registry's tarball, not a checkout
  expect(JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')).version).toBe(version);
  const up = npm(['run', 'stack', '--', 'up', '--native'], 600_000);
  stackStarted = true;
  if (up.code !== 0) console.error(up.output);
  expect(up.code).toBe(0);
}, 1_200_000);

afterAll(async () => {
  try {
    if (!stackStarted) return;
    const pids = stackPids();
    const down = npm(['run', 'stack', '--', 'down', '--purge'], 180_000);
    expect(down.code).toBe(0);
    expect(pids.filter(alive)).toEqual([]);
  } finally {
    await registry?.stop();
  }
}, 240_000);

describe('sensors project on the native stack', () => {
  it("passes its own e2e data tests", () => {
    const run = npm(['run', 'test:e2e', '--', '--reporter=default', '--reporter=json', '--outputFile.json=e2e-report.json'], 900_000);
    if (run.code !== 0) console.error(run.output.slice(-20_000));
    const report = JSON.parse(readFileSync(join(project, 'e2e-report.json'), 'utf8')) as { numPassedTests: number; numFailedTests: number; numTotalTests: number };
    console.log(`generated project's e2e tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed of ${report.numTotalTests}`);
    expect(report.numFailedTests).toBe(0);
    expect(report.numPassedTests).toBe(report.numTotalTests);
    expect(report.numPassedTests).toBeGreaterThanOrEqual(4);
    expect(run.code).toBe(0);
  }, 900_000);
});
