// The platform's GitHub workflows, proven by the real tools: actionlint (with ShellCheck) on this repository's
// workflows and on every generated ci.yml (each component set × deploy-target set: its jobs follow the targets)
// together with the reusable workflows it calls (one repository layout, `uses:` rewritten to the local path, so actionlint checks the inputs, outputs and secrets across
// the call), yamllint, ShellCheck on every shell script, the security rules of helpers/security-checks.ts,
// and the lint scripts of workflows/lint run on generated projects. Each rule rejects a broken fixture.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blueprints, componentCombinations } from '../renderer/catalog.ts';
import { DEPLOY_TARGETS } from '../manifest/schema.ts';
import { renderSensors, renderToDir } from './helpers/render.ts';
import {
  actionProblems,
  checkActionsPinned,
  checkJobPermissions,
  checkNoPullRequestTarget,
  checkTopLevelPermissions,
  workflowProblems,
} from './helpers/security-checks.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const PLATFORM_REPO = 'IoTDataPlatform/create-iot-platform';
const REUSABLE = ['lint.yml', 'e2e-kind.yml', 'publish-image.yml', 'deploy.yml'];
let actionlint = '';
let shellcheck = '';
let yamllint = '';
const dirs: string[] = [];

const ensure = (script: string) =>
  execFileSync('bash', [join(root, 'scripts', script)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 15 * 60_000 }).trim();

beforeAll(() => {
  // Installed once into ~/.cache/iot-platform (Go module proxy, PyPI); fails, never skips, when it cannot.
  actionlint = ensure('ensure-actionlint.sh');
  shellcheck = ensure('ensure-shellcheck.sh');
  yamllint = ensure('ensure-yamllint.sh');
}, 30 * 60_000);

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix = 'iotp-wf-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

interface ToolResult {
  code: number | null;
  output: string;
}

function run(bin: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): ToolResult {
  const result = spawnSync(bin, args, { cwd, encoding: 'utf8', env, timeout: 10 * 60_000 });
  return { code: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

const runActionlint = (cwd: string, files: string[] = []) => run(actionlint, ['-no-color', '-shellcheck', shellcheck, ...files], cwd);

/**
 * A repository layout with the platform's reusable workflows next to `ci` (a generated caller, `uses:`
 * rewritten to ./.github/workflows/x.yml) and the platform's workflows/ where the reusable workflows check
 * it out (.platform-ci/), so actionlint also checks the inputs of the composite actions.
 */
function callerLayout(ci: string): string {
  const dir = tempDir();
  mkdirSync(join(dir, '.github/workflows'), { recursive: true });
  for (const name of REUSABLE) cpSync(join(root, '.github/workflows', name), join(dir, '.github/workflows', name));
  cpSync(join(root, 'workflows'), join(dir, '.platform-ci/workflows'), { recursive: true });
  const local = ci.replace(/uses:\s*[\w.-]+\/[\w.-]+\/\.github\/workflows\/([\w.-]+\.ya?ml)@\S+/g, 'uses: ./.github/workflows/$1');
  writeFileSync(join(dir, '.github/workflows/ci.yml'), local);
  execFileSync('git', ['init', '-q'], { cwd: dir });
  return dir;
}

/** The platform's own workflows in a layout with workflows/ at .platform-ci/ (where they check it out). */
function platformLayout(): string {
  const dir = tempDir();
  cpSync(join(root, '.github/workflows'), join(dir, '.github/workflows'), { recursive: true });
  cpSync(join(root, 'workflows'), join(dir, '.platform-ci/workflows'), { recursive: true });
  execFileSync('git', ['init', '-q'], { cwd: dir });
  return dir;
}

const platformWorkflows = () => readdirSync(join(root, '.github/workflows')).filter((f) => /\.ya?ml$/.test(f)).sort();

function filesUnder(dir: string, test: (path: string) => boolean): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && test(join(e.parentPath, e.name)))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Every non-empty set of deploy targets, in the manifest's order. */
const DEPLOY_SETS = Array.from({ length: (1 << DEPLOY_TARGETS.length) - 1 }, (_, i) => DEPLOY_TARGETS.filter((_, bit) => (i + 1) & (1 << bit)));

/** The jobs a generated ci.yml must have: the e2e on kind, the image push and the Helm deploy need the chart. */
const expectedJobs = (deploy: readonly string[]) => (deploy.includes('kubernetes') ? ['lint', 'e2e', 'image', 'deploy'] : ['lint']);

interface Caller {
  ci: string;
  deploy: string[];
  /** Whether the project has a Helm chart (charts/app/Chart.yaml). */
  chart: boolean;
}

/** Every generated ci.yml: each blueprint × component combination × deploy set. */
function allCallers(): Map<string, Caller> {
  const callers = new Map<string, Caller>();
  for (const blueprint of blueprints().values()) {
    for (const components of componentCombinations(blueprint)) {
      for (const deploy of DEPLOY_SETS) {
        const { files } = renderSensors({ blueprint: blueprint.name, components: [...components], deploy: [...deploy] });
        const ci = files.find((f) => f.path === '.github/workflows/ci.yml')!.content;
        const chart = files.some((f) => f.path === 'charts/app/Chart.yaml');
        callers.set(`${blueprint.name}:${components.join(',') || '(none)'}:deploy ${deploy.join(',')}`, { ci, deploy: [...deploy], chart });
      }
    }
  }
  return callers;
}

/** The distinct ones of those, for the slower actionlint runs. */
function distinctCallers(all: Map<string, Caller>): Map<string, Caller> {
  const distinct = new Map<string, Caller>();
  const seen = new Set<string>();
  for (const [label, caller] of all) {
    if (seen.has(caller.ci)) continue;
    seen.add(caller.ci);
    distinct.set(label, caller);
  }
  return distinct;
}

const CHART_WORKFLOWS = /\/(e2e-kind|deploy|publish-image)\.yml@/;

describe('the platform repository workflows', () => {
  it('exist: reusable lint, e2e-kind, publish-image, deploy; ci and release', () => {
    expect(platformWorkflows()).toEqual(['ci.yml', 'deploy.yml', 'e2e-kind.yml', 'lint.yml', 'publish-image.yml', 'release.yml']);
    for (const name of REUSABLE) {
      const workflow = parse(readFileSync(join(root, '.github/workflows', name), 'utf8'));
      expect(Object.keys(workflow.on), name).toEqual(['workflow_call']);
      expect(workflow.on.workflow_call.inputs, name).toBeTruthy();
      expect(workflow.on.workflow_call.outputs, name).toBeTruthy();
      for (const [input, spec] of Object.entries(workflow.on.workflow_call.inputs as Record<string, { type?: string }>)) {
        expect(['string', 'boolean', 'number'], `${name}: input ${input} is typed`).toContain(spec.type);
      }
    }
  });

  it('pass actionlint (with ShellCheck), composite actions included', () => {
    const dir = platformLayout();
    const result = runActionlint(dir);
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('pass the security rules: permissions, pinned actions, id-token only where deploying or publishing', () => {
    const problems: string[] = [];
    for (const name of platformWorkflows()) {
      const text = readFileSync(join(root, '.github/workflows', name), 'utf8');
      problems.push(...workflowProblems(`.github/workflows/${name}`, text, { idTokenAllowed: name === 'deploy.yml' || name === 'release.yml' }));
    }
    for (const file of filesUnder(join(root, 'workflows'), (p) => /action\.ya?ml$/.test(p))) {
      problems.push(...actionProblems(relative(root, file), readFileSync(file, 'utf8')));
    }
    expect(problems).toEqual([]);
    // OIDC: only the deploy job that uses it, and npm provenance in release.
    const deploy = parse(readFileSync(join(root, '.github/workflows/deploy.yml'), 'utf8'));
    expect(deploy.jobs.oidc.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(deploy.jobs.kubeconfig.permissions).toEqual({ contents: 'read' });
    expect(deploy.jobs.kubeconfig.environment).toBe('${{ inputs.environment }}');
  });

  it('pass yamllint with the configuration the lint workflow uses', () => {
    const files = [
      ...platformWorkflows().map((f) => join(root, '.github/workflows', f)),
      ...filesUnder(join(root, 'workflows'), (p) => /\.ya?ml$/.test(p)),
    ];
    const result = run(yamllint, ['--strict', '-f', 'parsable', '-c', join(root, 'workflows/lint/yamllint.yml'), ...files], root);
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('every shell script passes ShellCheck: scripts/, workflows/, generated postgres/init/*.sh', () => {
    const generated = renderToDir({ components: ['redis', 'api', 'dbt', 'history', 'observability'] });
    dirs.push(generated);
    const files = [
      ...filesUnder(join(root, 'scripts'), (p) => p.endsWith('.sh')),
      ...filesUnder(join(root, 'workflows'), (p) => p.endsWith('.sh')),
      ...filesUnder(join(generated, 'postgres/init'), (p) => p.endsWith('.sh')),
    ];
    expect(files.some((f) => f.endsWith('workflows/e2e-kind/port-forward.sh'))).toBe(true);
    expect(files.some((f) => f.endsWith('postgres/init/00-roles.sh'))).toBe(true);
    const result = run(shellcheck, ['--severity=warning', '--format=gcc', ...files], root);
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });
});

describe('generated ci.yml together with the reusable workflows it calls', () => {
  const all = allCallers();
  const distinct = distinctCallers(all);
  const withKubernetes = [...distinct.values()].filter((c) => c.deploy.includes('kubernetes')).map((c) => c.ci);

  it('has exactly the jobs its deploy targets need: e2e on kind, image and deploy only with a Helm chart', () => {
    expect(DEPLOY_SETS.map((d) => d.join(','))).toEqual(['compose', 'native', 'compose,native', 'kubernetes', 'compose,kubernetes', 'native,kubernetes', 'compose,native,kubernetes']);
    expect(all.size).toBe([...blueprints().values()].reduce((n, b) => n + componentCombinations(b).length * DEPLOY_SETS.length, 0));
    for (const [label, { ci, deploy, chart }] of all) {
      const jobs = parse(ci).jobs as Record<string, { uses: string }>;
      expect(Object.keys(jobs), label).toEqual(expectedJobs(deploy));
      // A job that installs or ships the chart only where there is one (install-chart.sh fails without it).
      expect(chart, label).toBe(deploy.includes('kubernetes'));
      for (const [name, job] of Object.entries(jobs)) {
        if (CHART_WORKFLOWS.test(job.uses)) expect(chart, `${label}: job ${name} calls ${job.uses} without a chart`).toBe(true);
      }
    }
  });

  it('calls lint, e2e-kind, publish-image and deploy of the platform repository at v<platform.version>', () => {
    expect(withKubernetes.length).toBeGreaterThan(0);
    for (const { ci } of distinct.values()) {
      expect(parse(ci).jobs.lint.uses).toMatch(new RegExp(`^${PLATFORM_REPO}/\\.github/workflows/lint\\.yml@v\\d+\\.\\d+\\.\\d+$`));
    }
    for (const ci of withKubernetes) {
      const workflow = parse(ci);
      expect(workflow.jobs.e2e.uses).toMatch(/\/e2e-kind\.yml@v\d+\.\d+\.\d+$/);
      expect(workflow.jobs.deploy.uses).toMatch(/\/deploy\.yml@v\d+\.\d+\.\d+$/);
      // On main the services image is pushed before deploy installs it; only that job may write packages.
      expect(workflow.jobs.image.uses).toMatch(/\/publish-image\.yml@v\d+\.\d+\.\d+$/);
      expect(workflow.jobs.image.permissions).toEqual({ contents: 'read', packages: 'write' });
      expect(workflow.jobs.deploy.needs).toEqual(['lint', 'e2e', 'image']);
      expect(workflow.jobs.e2e.with['release-name']).toBe('${{ needs.lint.outputs.project-name }}');
    }
  });

  it.each([...distinct.entries()].map(([label, { ci }]) => [label, ci]))('%s: actionlint checks the calls (inputs, outputs, secrets) and the security rules pass', (_label, ci) => {
    expect(workflowProblems('.github/workflows/ci.yml', ci)).toEqual([]);
    const dir = callerLayout(ci);
    const result = runActionlint(dir);
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('a caller that passes an unknown input, a wrong type or reads a missing output is rejected', () => {
    const ci = withKubernetes[0]!;
    const cases: Array<[string, RegExp]> = [
      [ci.replace('release-name: ${{ needs.lint.outputs.project-name }}', 'release-nam: x'), /input "release-nam" is not defined/],
      [ci.replace('release-name: ${{ needs.lint.outputs.project-name }}\n      eck', 'release-name: true\n      eck'), /input "release-name" is typed as string by reusable workflow .*bool value cannot be assigned/],
      [ci.replace('needs.lint.outputs.project-name }}\n      eck', 'needs.lint.outputs.project }}\n      eck'), /property "project" is not defined/],
      [ci.replace('      environment: production\n', ''), /input "environment" is required/],
      [ci.replace('KUBECONFIG: ${{ secrets.KUBECONFIG }}', 'KUBE_CONFIG: ${{ secrets.KUBECONFIG }}'), /secret "kube_config" is not defined/i],
    ];
    for (const [broken, message] of cases) {
      expect(broken).not.toBe(ci);
      const result = runActionlint(callerLayout(broken));
      expect(result.code, broken).toBe(1);
      expect(result.output).toMatch(message);
    }
  });

  it('a broken composite action input is rejected through the reusable workflow', () => {
    const dir = callerLayout(withKubernetes[0]!);
    const lint = join(dir, '.github/workflows/lint.yml');
    writeFileSync(lint, readFileSync(lint, 'utf8').replace('platform-dir: .platform-ci', 'platform-directory: .platform-ci'));
    const result = runActionlint(dir);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/input "platform-directory" is not defined in action/);
  });
});

describe('security rules reject broken fixtures with a clear message', () => {
  const good = `name: x\non: push\npermissions:\n  contents: read\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n`;

  it('accepts the good fixture', () => {
    expect(workflowProblems('good.yml', good)).toEqual([]);
  });

  it('a workflow without top-level permissions', () => {
    expect(checkTopLevelPermissions('w.yml', good.replace('permissions:\n  contents: read\n', ''))).toEqual([
      'w.yml: no top-level permissions:; add "permissions: contents: read" and grant more per job',
    ]);
  });

  it('permissions: write-all, at the top or in a job; write scopes at the top', () => {
    expect(checkTopLevelPermissions('w.yml', good.replace('permissions:\n  contents: read\n', 'permissions: write-all\n'))).toEqual([
      'w.yml: permissions: write-all; grant only the scopes a job needs, at job level',
    ]);
    expect(checkJobPermissions('w.yml', good.replace('    runs-on:', '    permissions: write-all\n    runs-on:'))).toEqual([
      'w.yml: job a: permissions: write-all; list the scopes it needs',
    ]);
    expect(checkTopLevelPermissions('w.yml', good.replace('contents: read', 'contents: write'))).toEqual([
      'w.yml: top-level permissions grant write (contents); move write scopes to the jobs that need them',
    ]);
    expect(checkJobPermissions('w.yml', good.replace('    runs-on:', '    permissions:\n      id-token: write\n    runs-on:'))[0]).toMatch(
      /job a: id-token: write outside deploy\/release/,
    );
  });

  it('an unpinned third-party action (tag or branch instead of a SHA), a SHA without its version comment', () => {
    expect(checkActionsPinned('w.yml', good.replace(/@[0-9a-f]{40} # v4.2.2/, '@v4'))).toEqual([
      'w.yml:9: actions/checkout@v4 is pinned to "v4", a movable tag or branch; pin it to the full commit SHA with a # vX.Y.Z comment',
    ]);
    expect(checkActionsPinned('w.yml', good.replace(/@[0-9a-f]{40} # v4.2.2/, '@main'))[0]).toMatch(/"main", a movable tag or branch/);
    expect(checkActionsPinned('w.yml', good.replace(' # v4.2.2', ''))[0]).toMatch(/add a "# vX.Y.Z" comment/);
    expect(checkActionsPinned('w.yml', good.replace(/actions\/checkout@.*/, 'docker://alpine:3.22'))[0]).toMatch(/docker:\/\/alpine:3.22 is not pinned/);
    // Someone else's reusable workflow on a tag is unpinned; ours on an exact release tag is fine, on a branch not.
    expect(checkActionsPinned('w.yml', '    uses: acme/ci/.github/workflows/x.yml@v1\n')[0]).toMatch(/movable tag/);
    expect(checkActionsPinned('w.yml', `    uses: ${PLATFORM_REPO}/.github/workflows/lint.yml@v0.1.0\n`)).toEqual([]);
    expect(checkActionsPinned('w.yml', `    uses: ${PLATFORM_REPO}/.github/workflows/lint.yml@main\n`)[0]).toMatch(/exact release tag vX.Y.Z/);
    expect(checkActionsPinned('w.yml', '      - uses: ./.platform-ci/workflows/lint\n')).toEqual([]);
  });

  it('pull_request_target', () => {
    expect(checkNoPullRequestTarget('w.yml', good.replace('on: push', 'on: [push, pull_request_target]'))).toEqual([
      'w.yml: on: pull_request_target runs with a write token and secrets on untrusted code; use pull_request',
    ]);
  });

  it('actionlint itself rejects a broken workflow (the tool is really on)', () => {
    const dir = tempDir();
    mkdirSync(join(dir, '.github/workflows'), { recursive: true });
    writeFileSync(join(dir, '.github/workflows/x.yml'), good.replace('runs-on: ubuntu-latest', 'runs-on: ubuntu-latest\n    timeout-minutes: soon'));
    const result = runActionlint(dir, ['.github/workflows/x.yml']);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/timeout-minutes/);
  });

  it('yamllint and ShellCheck reject broken files', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.yml'), 'a: 1\na: 2\n');
    const y = run(yamllint, ['-f', 'parsable', '-c', join(root, 'workflows/lint/yamllint.yml'), 'bad.yml'], dir);
    expect(y.code).toBe(1);
    expect(y.output).toMatch(/duplication of key "a"/);
    writeFileSync(join(dir, 'bad.sh'), '#!/bin/sh\nrm -rf $1/*\n');
    const s = run(shellcheck, ['--severity=warning', '--format=gcc', 'bad.sh'], dir);
    expect(s.code).toBe(1);
    expect(s.output).toMatch(/SC2115|SC2086/);
  });
});

describe('the lint scripts of workflows/lint on a generated project', () => {
  let project = '';
  const env = () => ({ ...process.env, PLATFORM_DIR: root, GITHUB_ACTIONS: '', GITHUB_OUTPUT: join(project, '.gh-output') });
  const script = (name: string) => run('bash', [join(root, 'workflows/lint', name)], project, env());

  beforeAll(() => {
    project = renderToDir({ components: ['redis', 'api', 'dbt', 'history', 'observability'] });
    dirs.push(project);
    rmSync(join(project, '.env')); // CI has no .env: the scripts make throwaway secrets from .env.example
    execFileSync('git', ['init', '-q'], { cwd: project });
  });

  it('actionlint.sh passes on the generated repository', () => {
    const result = script('actionlint.sh');
    expect(result.code, result.output).toBe(0);
  });

  it('yamllint.sh passes on every YAML file of the generated repository, and fails on a broken one', () => {
    const clean = script('yamllint.sh');
    expect(clean.code, clean.output).toBe(0);
    writeFileSync(join(project, 'broken.yaml'), 'key: [1, 2\n');
    const result = script('yamllint.sh');
    rmSync(join(project, 'broken.yaml'));
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/broken\.yaml.*syntax error/s);
  });

  it('shellcheck.sh passes, and fails on a broken script', () => {
    const ok = script('shellcheck.sh');
    expect(ok.code, ok.output).toBe(0);
    expect(ok.output).toContain('postgres/init/00-roles.sh');
    writeFileSync(join(project, 'bad.sh'), '#!/bin/sh\ncd $1\n');
    const result = script('shellcheck.sh');
    rmSync(join(project, 'bad.sh'));
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/bad\.sh:2:.*SC2164|bad\.sh:2:.*SC2086/);
  });

  it('helm.sh tolerates a repository without a chart', () => {
    const copy = tempDir('iotp-nochart-');
    cpSync(project, copy, { recursive: true });
    rmSync(join(copy, 'charts'), { recursive: true, force: true });
    const result = run('bash', [join(root, 'workflows/lint/helm.sh')], copy, { ...env(), GITHUB_OUTPUT: join(project, '.gh-output') });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('no Helm chart under charts/: skipped');
    expect(readFileSync(join(project, '.gh-output'), 'utf8')).toContain('has-chart=false');
  });

  it('sqlfluff.sh passes on the dbt models, and fails on a model that does not parse', () => {
    const ok = script('sqlfluff.sh');
    expect(ok.code, ok.output).toBe(0);
    expect(ok.output).not.toContain('skipped');
    const model = join(project, 'dbt/models/marts/broken.sql');
    writeFileSync(model, "select device_id, from {{ ref('stg_sensor_readings') }} where\n");
    const result = script('sqlfluff.sh');
    rmSync(model);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/broken\.sql/);
  }, 15 * 60_000);

  it('compose.sh validates compose.yaml with the real Compose and throwaway secrets', () => {
    const compose = ensure('ensure-compose.sh');
    const bin = tempDir('iotp-bin-');
    // `docker compose` as the runner has it: a docker shim that forwards to the Compose CLI built from source.
    writeFileSync(join(bin, 'docker'), `#!/bin/sh\n[ "$1" = compose ] || exit 1\nshift\nexec "${compose}" "$@"\n`);
    chmodSync(join(bin, 'docker'), 0o755);
    const result = run('bash', [join(root, 'workflows/lint/compose.sh')], project, { ...env(), PATH: `${bin}:${process.env.PATH}` });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('compose.yaml is valid');
  }, 30 * 60_000);
});

it('every script that builds, lints or installs the chart runs charts/app/prepare.sh before helm dependency build', () => {
  // The project's chart reads files that prepare.sh copies into it (git-ignored, so absent in a checkout).
  for (const script of ['workflows/lint/helm.sh', 'workflows/e2e-kind/install-chart.sh', 'workflows/deploy/deploy.sh']) {
    const text = readFileSync(join(root, script), 'utf8').split('\n').filter((l) => !/^\s*#/.test(l)).join('\n');
    const prepare = text.search(/bash "\$chart\/prepare\.sh"/);
    const build = text.indexOf('helm dependency build');
    expect(prepare, `${script} runs prepare.sh`).toBeGreaterThan(-1);
    expect(build, `${script} builds the dependencies`).toBeGreaterThan(prepare);
    for (const command of ['helm lint', 'helm template', 'helm upgrade']) {
      const at = text.indexOf(command);
      if (at > -1) expect(at, `${script}: ${command} after prepare.sh`).toBeGreaterThan(prepare);
    }
  }
  // The lint workflow runs helm.sh (whose output has-chart it exports).
  const action = parse(readFileSync(join(root, 'workflows/lint/action.yml'), 'utf8'));
  expect(action.runs.steps.find((s: { id?: string }) => s.id === 'helm').run).toContain('workflows/lint/helm.sh');
});

it('values-prefix.sh: "iot-platform." for a project chart, nothing for the platform chart', () => {
  const project = renderToDir({ components: [] });
  dirs.push(project);
  const prefix = (chart: string) => execFileSync('bash', [join(root, 'workflows/lib/values-prefix.sh'), chart], { encoding: 'utf8' });
  expect(prefix(join(project, 'charts/app'))).toBe('iot-platform.\n');
  expect(prefix(join(root, 'charts/iot-platform'))).toBe('');
});

it('ci-env.sh fills every blank secret of .env.example with a random value', () => {
  const project = renderToDir({ components: ['redis', 'api'] });
  dirs.push(project);
  const parse = (text: string) => text.trim().split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]);
  const example = parse(readFileSync(join(project, '.env.example'), 'utf8'));
  const write = (name: string) => {
    const out = join(project, name);
    const printed = execFileSync('bash', [join(root, 'workflows/lib/ci-env.sh'), '.env.example', out], { cwd: project, encoding: 'utf8' });
    expect(printed).toBe(`${out}\n`); // it prints the file it wrote, for the caller to pass on
    expect(statSync(out).mode & 0o777).toBe(0o600); // secrets: readable by the owner only
    return parse(readFileSync(out, 'utf8'));
  };
  const first = write('ci.env');
  // the same names in the same order; settings copied, every blank secret filled
  expect(first.map(([name]) => name)).toEqual(example.map(([name]) => name));
  for (const [i, [name, value]] of example.entries()) {
    if (value !== '') expect(first[i]![1], name).toBe(value);
    else expect(first[i]![1], name).toMatch(name === 'KAFKA_CLUSTER_ID' ? /^[A-Za-z0-9_-]{22}$/ : /^ci[0-9a-f]{32}$/);
  }
  expect(Object.fromEntries(first).COMPOSE_PROJECT_NAME).toBe('my-sensors');
  expect(example.filter(([, v]) => v === '').map(([name]) => name)).toContain('POSTGRES_PASSWORD');
  // random per run: a second file shares no secret with the first
  const second = write('ci-2.env');
  for (const [i, [name, value]] of example.entries()) if (value === '') expect(second[i]![1], name).not.toBe(first[i]![1]);
});
