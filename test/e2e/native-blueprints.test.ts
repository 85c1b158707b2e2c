// The platform's end-to-end proof, for every blueprint of the catalog: publish this checkout to a local
// registry, generate a project from it the way a user does (`npm create iot-platform@<version>`, installed
// through that registry), bring its native stack up on real engines (Kafka, Flink, PostgreSQL, Redis,
// Mosquitto, dbt), run that project's own e2e data tests against it (every test it declares must pass),
// and tear it down leaving no process behind.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blueprints } from '../../renderer/catalog.ts';
import { tempDir } from '../helpers/cli.ts';
import { startLocalRegistry, type LocalRegistry } from '../helpers/local-registry.ts';

const parent = tempDir('iotp-e2e-');
chmodSync(parent, 0o755); // as root, PostgreSQL runs as the postgres user, which must reach the project
let registry: LocalRegistry | undefined;

function npm(args: string[], timeoutMs: number, cwd: string) {
  const result = spawnSync('npm', args, { cwd, encoding: 'utf8', timeout: timeoutMs, env: { ...registry!.npmEnv, CI: 'true' } });
  return { code: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

function stackPids(project: string): number[] {
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
}, 600_000);
afterAll(() => registry?.stop(), 60_000);

for (const blueprint of blueprints().keys()) {
  describe(`${blueprint} project on the native stack`, () => {
    const project = join(parent, `e2e-${blueprint}`);
    let stackStarted = false;

    beforeAll(() => {
      const { version } = registry!.published!;
      const created = npm(['create', `iot-platform@${version}`, '--', `e2e-${blueprint}`, '--blueprint', blueprint, '--yes', '--skip-git'], 900_000, parent);
      if (created.code !== 0) console.error(created.output);
      expect(created.code).toBe(0);
      const installed = join(project, 'node_modules/create-iot-platform');
      expect(lstatSync(installed).isSymbolicLink()).toBe(false); // the registry's tarball, not a checkout
      expect(JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')).version).toBe(version);
      const up = npm(['run', 'stack', '--', 'up', '--native'], 600_000, project);
      stackStarted = true;
      if (up.code !== 0) console.error(up.output);
      expect(up.code).toBe(0);
    }, 1_500_000);

    afterAll(() => {
      if (!stackStarted) return;
      const pids = stackPids(project);
      const down = npm(['run', 'stack', '--', 'down', '--purge'], 180_000, project);
      expect(down.code).toBe(0);
      expect(pids.filter(alive)).toEqual([]);
    }, 240_000);

    it('passes every e2e data test it declares', () => {
      // What the project declares, as vitest collects it (not a number written here).
      const listed = npm(['exec', '--', 'vitest', 'list', 'test/e2e', '--json'], 120_000, project);
      expect(listed.code, listed.output.slice(-4000)).toBe(0);
      const declared = (JSON.parse(listed.output.slice(listed.output.indexOf('['))) as { name: string }[]).length;
      const run = npm(['run', 'test:e2e', '--', '--reporter=default', '--reporter=json', '--outputFile.json=e2e-report.json'], 900_000, project);
      if (run.code !== 0) console.error(run.output.slice(-20_000));
      const report = JSON.parse(readFileSync(join(project, 'e2e-report.json'), 'utf8')) as { numPassedTests: number; numFailedTests: number; numTotalTests: number };
      console.log(`${blueprint} project's e2e tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed of ${report.numTotalTests} (${declared} declared)`);
      expect(declared).toBeGreaterThan(0);
      expect(report.numTotalTests).toBe(declared);
      expect(report.numPassedTests).toBe(declared);
      expect(run.code).toBe(0);
    }, 900_000);
  });
}
