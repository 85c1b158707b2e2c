// A project chart depends on the platform chart inside node_modules/create-iot-platform, so whatever runs
// `helm dependency build` on it must install the npm dependencies first: every reusable workflow job that runs
// a platform action whose scripts build chart dependencies runs workflows/setup (npm ci) before it, and the
// generated README's Kubernetes steps say `npm ci` before `helm dependency build`.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { renderSensors } from './helpers/render.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Platform actions (workflows/<name>/) with a script that runs `helm dependency build`. */
function actionsBuildingChartDependencies(): string[] {
  const dir = join(root, 'workflows');
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .filter((name) =>
      readdirSync(join(dir, name))
        .filter((file) => file.endsWith('.sh'))
        .some((file) => /^[^#]*helm dependency build/m.test(readFileSync(join(dir, name, file), 'utf8'))),
    )
    .sort();
}

describe('npm ci before helm dependency build', () => {
  it('every reusable workflow job runs workflows/setup before an action that builds chart dependencies', () => {
    const building = actionsBuildingChartDependencies();
    expect(building).toEqual(['deploy', 'e2e-kind', 'lint']);
    const checked: string[] = [];
    const problems: string[] = [];
    for (const file of readdirSync(join(root, '.github/workflows')).filter((f) => f.endsWith('.yml')).sort()) {
      const workflow = parse(readFileSync(join(root, '.github/workflows', file), 'utf8')) as { jobs: Record<string, { steps?: { uses?: string }[] }> };
      for (const [job, { steps = [] }] of Object.entries(workflow.jobs)) {
        const uses = steps.map((s) => s.uses?.match(/^\.\/\.platform-ci\/workflows\/([\w-]+)$/)?.[1]);
        const first = uses.findIndex((name) => name !== undefined && building.includes(name));
        if (first < 0) continue;
        checked.push(`${file} ${job}`);
        const setup = uses.indexOf('setup');
        if (setup < 0 || setup > first) problems.push(`${file} job ${job}: ./.platform-ci/workflows/${uses[first]} runs before workflows/setup (npm ci)`);
      }
    }
    expect(checked).toEqual(['deploy.yml kubeconfig', 'deploy.yml oidc', 'e2e-kind.yml e2e', 'lint.yml lint']);
    expect(problems).toEqual([]);
  });

  it("the generated README's Kubernetes steps run npm ci before helm dependency build", () => {
    const readme = renderSensors().files.find((f) => f.path === 'README.md')!.content.split('\n');
    const ci = readme.findIndex((line) => line.startsWith('npm ci '));
    const build = readme.findIndex((line) => line.startsWith('helm dependency build charts/app'));
    expect(ci).toBeGreaterThan(-1);
    expect(build).toBeGreaterThan(ci);
  });
});
