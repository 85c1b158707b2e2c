// The platform's end-to-end proof, for every blueprint of the catalog and two component sets each (its defaults,
// and every component it offers, with parameters away from their defaults), and RICH in trackless mode: publish this checkout to a local registry, generate a project from it the way a
// user does (`npm create iot-platform@<version>`, installed through that registry), bring its native stack up on
// real engines (Kafka, Flink, PostgreSQL, Redis, Mosquitto, SeaweedFS, dbt), run that project's own e2e data tests
// against it (every test it declares must pass), and tear it down leaving no process behind. Components the native
// stack cannot run (observability) are skipped by `stack up`, which must say so.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, lstatSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blueprints, type Blueprint } from '../../renderer/catalog.ts';
import { NOT_NATIVE } from '../../stack/native/driver.ts';
import { tempDir } from '../helpers/cli.ts';
import { startLocalRegistry, type LocalRegistry } from '../helpers/local-registry.ts';

const parent = tempDir('iotp-e2e-');
const REPORTS = fileURLToPath(new URL('../../reports', import.meta.url));
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

/**
 * Parameters (iot-platform.yaml parameters:) the all-components project sets away from its blueprint's defaults: its
 * own e2e then expects what they give, so Flink and dbt are proven to take them from the manifest.
 */
const CHANGED_PARAMETERS: Readonly<Record<string, Record<string, number>>> = {
  sensors: { dryThreshold: 45 },
  transport: { onTimeMinDelaySeconds: -40, onTimeMaxDelaySeconds: 10 },
  rich: { ringSigmas: 2, minRingHits: 8 },
};

/**
 * Per blueprint: its default components (what `--yes` gives), and all it offers with changed parameters; and the RICH
 * blueprint once more in trackless mode.
 */
const projects: {
  blueprint: Blueprint; name: string; label: string; components: readonly string[] | undefined; parameters?: Record<string, number>; variant?: string;
}[] = [...blueprints().values()].flatMap((blueprint) => [
  { blueprint, name: `e2e-${blueprint.name}`, label: 'default components', components: undefined },
  { blueprint, name: `e2e-${blueprint.name}-all`, label: 'all components', components: blueprint.components, parameters: CHANGED_PARAMETERS[blueprint.name] },
  ...(blueprint.name === 'rich' ? [{ blueprint, name: 'e2e-rich-trackless', label: 'no tracks event (--variant trackless), default components', components: undefined, variant: 'trackless' }] : []),
]);

for (const { blueprint: { name: blueprint, when, variants }, name, label, components, parameters, variant } of projects) {
  const changed = parameters ? ` and ${Object.entries(parameters).map(([k, v]) => `${k} ${v}`).join(', ')}` : '';
  describe(`${blueprint} project with ${label}${components ? ` (${components.join(',')})` : ''}${changed} on the native stack`, () => {
    const project = join(parent, name);
    let stackStarted = false;
    let chosenComponents: string[] = [];
    let passed = false;

    beforeAll(() => {
      const { version } = registry!.published!;
      const chosen = [...(components ? ['--components', components.join(',')] : []), ...(variant ? ['--variant', variant] : [])];
      if (parameters) {
        writeFileSync(join(parent, `${name}.answers.yaml`), stringify({ parameters }));
        chosen.push('--answers', join(parent, `${name}.answers.yaml`));
      }
      const created = npm(['create', `iot-platform@${version}`, '--', name, '--blueprint', blueprint, ...chosen, '--yes', '--skip-git'], 900_000, parent);
      if (created.code !== 0) console.error(created.output);
      expect(created.code).toBe(0);
      const installed = join(project, 'node_modules/create-iot-platform');
      expect(lstatSync(installed).isSymbolicLink()).toBe(false); // the registry's tarball, not a checkout
      expect(JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')).version).toBe(version);
      const manifest = parse(readFileSync(join(project, 'iot-platform.yaml'), 'utf8')) as { components: string[]; parameters?: Record<string, number> };
      chosenComponents = manifest.components;
      if (components) expect([...chosenComponents].sort()).toEqual([...components].sort());
      if (parameters) expect(manifest.parameters).toMatchObject(parameters);
      if (variant) {
        const events = Object.keys((manifest as unknown as { events: object }).events);
        for (const dropped of variants[variant]!.without.events) expect(events).not.toContain(dropped);
      }
      const up = npm(['run', 'stack', '--', 'up', '--native'], 900_000, project);
      stackStarted = true;
      if (up.code !== 0) console.error(up.output);
      expect(up.code).toBe(0);
      // Each component the project has but the native stack cannot run is named, with the reason; no other is.
      const skipped = up.output.split('\n').filter((line) => line.includes('not run natively'));
      const expected = chosenComponents.flatMap((c) => (c in NOT_NATIVE ? [`  – ${c.padEnd(16)} not run natively: ${NOT_NATIVE[c as keyof typeof NOT_NATIVE]}`] : []));
      expect(skipped).toEqual(expected);
    }, 1_800_000);

    afterAll(() => {
      if (!stackStarted) return;
      // A failed run keeps its evidence: the components' logs go to reports/ before the purge deletes them.
      if (!passed) {
        cpSync(join(project, '.stack', 'logs'), join(REPORTS, 'e2e-logs', name), { recursive: true });
        console.error(`${name}: component logs kept in ${join(REPORTS, 'e2e-logs', name)}`);
      }
      const pids = stackPids(project);
      const down = npm(['run', 'stack', '--', 'down', '--purge'], 180_000, project);
      expect(down.code, down.output.slice(-4000)).toBe(0);
      expect(pids.filter(alive)).toEqual([]);
    }, 240_000);

    it('passes every e2e data test it declares', () => {
      // What the project declares, as vitest collects it (not a number written here).
      const listed = npm(['exec', '--', 'vitest', 'list', 'test/e2e', '--json'], 120_000, project);
      expect(listed.code, listed.output.slice(-4000)).toBe(0);
      const tests = JSON.parse(listed.output.slice(listed.output.indexOf('['))) as { name: string; file: string }[];
      const declared = tests.length;
      // The e2e files the blueprint renders only with a component are there with it (history: the S3 read-back).
      const componentFiles = Object.entries(when)
        .filter(([path, component]) => /^test\/e2e\/[^*]+\.test\.ts$/.test(path) && chosenComponents.includes(component))
        .map(([path]) => path);
      const files = new Set(tests.map((t) => (isAbsolute(t.file) ? relative(project, t.file) : t.file)));
      expect(componentFiles.filter((path) => !files.has(path))).toEqual([]);
      // (sensors: about 15 min on 2 shared cores, its Flink kill-and-restart test included; transport: about 8 min)
      const run = npm(['run', 'test:e2e', '--', '--reporter=default', '--reporter=json', '--outputFile.json=e2e-report.json'], 1_500_000, project);
      if (run.code !== 0) console.error(run.output.slice(-20_000));
      const report = JSON.parse(readFileSync(join(project, 'e2e-report.json'), 'utf8')) as {
        numPassedTests: number; numFailedTests: number; numTotalTests: number; numPendingTests: number; numTodoTests?: number;
      };
      // A test skipped by its own condition (the RICH tests of the mode the project is not in) does not run.
      const ran = report.numTotalTests - report.numPendingTests - (report.numTodoTests ?? 0);
      console.log(`${name} project's e2e tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests} skipped of ${report.numTotalTests} (${declared} declared)`);
      expect(declared).toBeGreaterThan(0);
      expect(report.numFailedTests).toBe(0);
      expect(report.numPassedTests).toBe(ran);
      expect(ran).toBeGreaterThanOrEqual(declared);
      expect(run.code).toBe(0);
      passed = true;
    }, 1_620_000);
  });
}
