// The Helm charts: the platform chart (charts/iot-platform) and a generated project's chart (charts/app), linted
// with the real Helm (`helm lint --strict`) and rendered with `helm template`, every manifest validated by
// kubeconform -strict against Kubernetes' own OpenAPI schemas and the operators' CRDs (offline: see
// test/helpers/kube-schemas.ts), and checked by our security rules (test/helpers/kube-checks.ts).
// Tools are built by scripts/ensure-helm.sh and scripts/ensure-kubeconform.sh; the suite fails when they cannot be.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGES, KAFKA_VERSION } from '../renderer/versions.ts';
import { COMPONENTS, type ComponentName } from '../manifest/schema.ts';
import { renderToDir } from './helpers/render.ts';
import { loadManifest } from '../manifest/load.ts';
import { renderProject } from '../renderer/render.ts';
import { cleanKubeSchemas, ensureKubeSchemas, KUBERNETES_VERSION, type SchemaLocations } from './helpers/kube-schemas.ts';
import {
  allKubeProblems,
  checkImagesPinned,
  checkNonRoot,
  checkResources,
  checkSecrets,
  parseManifests,
  type KubeDoc,
} from './helpers/kube-checks.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const platformChart = join(root, 'charts/iot-platform');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; repository: { url: string } };
const KUBE = ['--kube-version', KUBERNETES_VERSION];
const SERVICES_TAG = ['--set', 'iot-platform.images.services.tag=0123abc'];
let helm = '';
let kubeconform = '';
let schemas: SchemaLocations;
const dirs: string[] = [];
const timings: string[] = [];

function ensure(script: string): string {
  const started = Date.now();
  const bin = execFileSync('bash', [join(root, 'scripts', script)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 20 * 60_000,
  }).trim();
  timings.push(`${script}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return bin;
}

beforeAll(() => {
  helm = ensure('ensure-helm.sh');
  kubeconform = ensure('ensure-kubeconform.sh');
  expect(execFileSync(helm, ['version', '--template', '{{.Version}}'], { encoding: 'utf8' })).toMatch(/^v3\.\d+\.\d+$/);
  const started = Date.now();
  schemas = ensureKubeSchemas();
  timings.push(`schemas (Kubernetes v${schemas.kubernetesVersion}: ${schemas.coreCount} kinds, CRDs: ${schemas.crdCount}): ${((Date.now() - started) / 1000).toFixed(1)} s`);
}, 30 * 60_000);

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  if (schemas) cleanKubeSchemas(schemas);
  console.log(`helm suite setup: ${timings.join('; ')}`);
});

function run(command: string, args: string[], input?: string): { status: number; out: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', input, maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status ?? 1, out: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

function helmOk(args: string[]): string {
  const result = spawnSync(helm, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`helm ${args.join(' ')}:\n${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** kubeconform -strict -summary on a manifest stream; returns its output and exit status. */
function kubeconformRun(manifests: string): { status: number; out: string } {
  return run(kubeconform, ['-strict', '-summary', ...schemas.locations.flatMap((l) => ['-schema-location', l]), '-'], manifests);
}

function expectValid(manifests: string): void {
  const { status, out } = kubeconformRun(manifests);
  expect(status, out).toBe(0);
  expect(out).toMatch(/Invalid: 0, Errors: 0, Skipped: 0/);
}

/**
 * A project generated with --link, as `npm ci` leaves it: node_modules/create-iot-platform is this checkout
 * (whose charts/iot-platform the project chart depends on).
 */
function linkedProject(components: readonly ComponentName[]): string {
  const dir = renderToDir({ components: [...components] }, mkdtempSync(join(tmpdir(), 'iotp-helm-')), { platformDependency: `file:${root}` });
  dirs.push(dir);
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules/create-iot-platform'), 'dir');
  return dir;
}

/** Renders a generated project with the chart's files prepared and the platform chart as its dependency. */
function project(components: readonly ComponentName[]): string {
  const dir = linkedProject(components);
  const prepared = run('bash', [join(dir, 'charts/app/prepare.sh')]);
  expect(prepared.status, prepared.out).toBe(0);
  helmOk(['dependency', 'build', join(dir, 'charts/app')]);
  return join(dir, 'charts/app');
}

const ALL = COMPONENTS;
const byKind = (docs: KubeDoc[], kind: string) => docs.filter((d) => d.kind === kind);

describe('platform chart charts/iot-platform', () => {
  it('is versioned with the platform and pins the images of renderer/versions.ts', () => {
    const chart = parse(readFileSync(join(platformChart, 'Chart.yaml'), 'utf8'));
    expect(chart.apiVersion).toBe('v2');
    expect(chart.version).toBe(pkg.version);
    expect(chart.appVersion).toBe(pkg.version);
    const values = parse(readFileSync(join(platformChart, 'values.yaml'), 'utf8'));
    for (const [key, image] of Object.entries(values.images)) {
      if (typeof image !== 'string' || key === 'pullPolicy') continue;
      expect(image, `values.yaml images.${key} = renderer/versions.ts IMAGES.${key}`).toBe(IMAGES[key as keyof typeof IMAGES]);
    }
    expect(values.kafka.version).toBe(KAFKA_VERSION);
    const owner = pkg.repository.url.replace(/^.*github\.com[/:]|\.git$/g, '').split('/')[0]!.toLowerCase();
    expect(values.images.flinkSqlRunner.repository).toBe(`ghcr.io/${owner}/iot-platform-flink-sql-runner`);
  });

  it.each([
    ['dev, all components', 'values-dev.yaml', true],
    ['dev, no optional component', 'values-dev.yaml', false],
    ['prod, all components', 'values-prod.yaml', true],
  ] as const)('%s: helm lint --strict, kubeconform -strict, security rules', (_label, valuesFile, all) => {
    const sets = all ? ['--set', Object.keys({ ...Object.fromEntries(ALL.map((c) => [c, 1])), simulator: 1 }).map((c) => `components.${c}=true`).join(',')] : [];
    const args = ['-f', join(platformChart, 'ci/sample-project-values.yaml'), '-f', join(platformChart, valuesFile), ...sets];
    const lint = run(helm, ['lint', '--strict', ...KUBE, platformChart, ...args]);
    expect(lint.status, lint.out).toBe(0);
    const manifests = helmOk(['template', 'demo', platformChart, ...KUBE, ...args]);
    expectValid(manifests);
    const docs = parseManifests(manifests);
    expect(allKubeProblems(docs)).toEqual([]);
    expect(byKind(docs, 'KafkaTopic').map((t) => t.spec.topicName).sort()).toEqual(['demo.dlq', 'demo.readings.v1', 'demo.state']);
    const kafka = byKind(docs, 'Kafka')[0]!;
    expect(kafka.apiVersion).toBe('kafka.strimzi.io/v1');
    const pool = byKind(docs, 'KafkaNodePool')[0]!;
    const cluster = byKind(docs, 'Cluster')[0]!;
    const flink = byKind(docs, 'FlinkDeployment')[0]!;
    if (valuesFile === 'values-prod.yaml') {
      expect(pool.spec.replicas).toBe(3);
      expect(kafka.spec.kafka.config['default.replication.factor']).toBe(3);
      expect(kafka.spec.kafka.config['min.insync.replicas']).toBe(2);
      expect(byKind(docs, 'KafkaTopic').every((t) => t.spec.replicas === 3 && t.spec.config['min.insync.replicas'] === 2)).toBe(true);
      expect(cluster.spec.instances).toBe(3);
      expect(flink.spec.flinkConfiguration['high-availability.type']).toBe('kubernetes');
      expect(flink.spec.flinkConfiguration['high-availability.storageDir']).toMatch(/^s3:\/\//);
      expect(flink.spec.flinkConfiguration['execution.checkpointing.dir']).toMatch(/^s3:\/\//);
      expect(flink.spec.job.upgradeMode).toBe('last-state');
    } else {
      expect(pool.spec.replicas).toBe(1);
      expect(cluster.spec.instances).toBe(1);
      expect(flink.spec.flinkConfiguration['high-availability.type']).toBeUndefined();
      // checkpoints outlive the pods (a resumed job restores them) on the chart's SeaweedFS; without it, on the pod
      expect(flink.spec.flinkConfiguration['execution.checkpointing.dir']).toBe(all ? 's3://history/flink/checkpoints/10-demo' : 'file:///opt/flink/checkpoints/10-demo');
    }
    expect(flink.spec.flinkConfiguration['web.submit.enable']).toBe('false');
    expect(flink.spec.job).toMatchObject({ entryClass: 'dev.iotplatform.flink.SqlRunner', args: ['--tables', '/opt/flink/tables', '/opt/flink/sql/10-demo.sql'] });
    const tables = byKind(docs, 'ConfigMap').find((c) => c.metadata.name === 'demo-flink-tables')!;
    expect(Object.keys(tables.data)).toEqual(['readings.sql']);
    expect(flink.spec.image).toBe(`ghcr.io/iotdataplatform/iot-platform-flink-sql-runner:${pkg.version}`);
    expect(byKind(docs, 'NetworkPolicy').some((p) => p.metadata.name.endsWith('-default-deny'))).toBe(true);
  });

  it('generates secrets at install (random, different each time) and renders none with existingSecret', () => {
    const args = ['-f', join(platformChart, 'ci/sample-project-values.yaml'), ...KUBE, '--set', 'components.redis=true,components.api=true'];
    const secretsOf = (text: string) => byKind(parseManifests(text), 'Secret');
    const a = secretsOf(helmOk(['template', 'demo', platformChart, ...args]));
    const b = secretsOf(helmOk(['template', 'demo', platformChart, ...args]));
    expect(a.map((s) => s.metadata.name).sort()).toEqual(['demo-credentials', 'demo-pg-api-reader', 'demo-pg-flink-writer']);
    for (const secret of a) {
      expect((secret.metadata.annotations as Record<string, string> | undefined)?.['helm.sh/resource-policy']).toBe('keep');
      const other = b.find((s) => s.metadata.name === secret.metadata.name)!;
      for (const key of Object.keys(secret.data)) if (key !== 'username') expect(secret.data[key]).not.toBe(other.data[key]);
    }
    const template = readFileSync(join(platformChart, 'templates/_helpers.tpl'), 'utf8');
    expect(template).toMatch(/lookup "v1" "Secret"/); // upgrades reuse the stored value
    const external = helmOk([
      'template', 'demo', platformChart, ...args,
      '--set', 'secrets.existingSecret=mine,postgres.roleSecrets.flink_writer=pg-flink,postgres.roleSecrets.api_reader=pg-api',
    ]);
    expect(secretsOf(external)).toEqual([]);
    expect(external).toContain('name: mine');
  });

  it('fails with a clear message without a pinned services image or with latest', () => {
    const base = ['template', 'demo', platformChart, ...KUBE, '-f', join(platformChart, 'ci/sample-project-values.yaml'), '--set', 'images.services.repository=,images.services.tag='];
    expect(run(helm, base).out).toContain('images.services.repository is required');
    const latest = run(helm, [...base, '--set', 'images.services.repository=x/y', '--set-string', 'images.services.tag=latest']);
    expect(latest.status).not.toBe(0);
    expect(latest.out).toMatch(/must be pinned to a version|latest/);
    const unpinned = run(helm, [...base, '--set', 'images.services.repository=x/y,images.redis=redis,components.redis=true', '--set-string', 'images.services.tag=1']);
    expect(unpinned.status).not.toBe(0);
    expect(unpinned.out).toContain("at '/images/redis': 'redis' does not match pattern"); // values.schema.json
  });
});

describe('generated project chart charts/app', () => {
  it.each([
    ['all components', ALL, 'values-dev.yaml'],
    ['all components, prod', ALL, 'values-prod.yaml'],
    ['no optional component', [], 'values-dev.yaml'],
    ['redis+api only', ['redis', 'api'], 'values-prod.yaml'],
    ['dbt+history', ['dbt', 'history'], 'values-dev.yaml'],
  ] as Array<[string, readonly ComponentName[], string]>)('%s (%s): lint, kubeconform, security rules, manifest data', (_label, components, valuesFile) => {
    const chart = project(components);
    const dir = join(chart, '../..');
    const args = ['-f', join(chart, valuesFile), ...SERVICES_TAG, ...KUBE];
    if (valuesFile === 'values-prod.yaml' && !components.includes('history')) {
      // Production keeps Flink checkpoints and HA metadata on S3: without SeaweedFS it must be told where.
      expect(run(helm, ['template', 'x', chart, ...args]).out).toContain('s3:// checkpoint/HA storage needs S3');
      expect(run(helm, ['template', 'x', chart, ...args, '--set', 'iot-platform.flink.s3.endpoint=https://s3.example.com']).out)
        .toContain('needs secrets.existingSecret with the keys S3_ACCESS_KEY and S3_SECRET_KEY');
      args.push('--set', 'iot-platform.flink.s3.endpoint=https://s3.example.com,iot-platform.secrets.existingSecret=my-s3-and-services');
    }
    const lint = run(helm, ['lint', '--strict', chart, ...args]);
    expect(lint.status, lint.out).toBe(0);
    const manifests = helmOk(['template', 'my-sensors', chart, '-n', 'my-sensors', ...args]);
    expectValid(manifests);
    const docs = parseManifests(manifests);
    expect(allKubeProblems(docs)).toEqual([]);

    const manifest = parse(readFileSync(join(dir, 'iot-platform.yaml'), 'utf8'));
    const topics = byKind(docs, 'KafkaTopic');
    expect(topics.map((t) => t.spec.topicName).sort()).toEqual(manifest.topics.map((t: { name: string }) => t.name).sort());
    for (const t of manifest.topics) {
      const topic = topics.find((x) => x.spec.topicName === t.name)!;
      expect(topic.spec.partitions).toBe(t.partitions);
      expect(topic.spec.config['cleanup.policy']).toBe(t.compacted ? 'compact' : 'delete');
      if (t.retentionHours) expect(topic.spec.config['retention.ms']).toBe(t.retentionHours * 3_600_000);
    }
    // One FlinkDeployment per flink/sql/*.sql, its script in a ConfigMap, identical to the project's file; each
    // mounts the shared tables (flink/tables/*.sql, one ConfigMap) and passes them to the runner with --tables.
    const sqlFiles = execFileSync('ls', [join(dir, 'flink/sql')], { encoding: 'utf8' }).split('\n').filter((f) => f.endsWith('.sql'));
    const jobs = byKind(docs, 'FlinkDeployment');
    expect(jobs.map((j) => j.spec.job.args.at(-1)).sort()).toEqual(sqlFiles.map((f) => `/opt/flink/sql/${f}`).sort());
    for (const file of sqlFiles) {
      const cm = byKind(docs, 'ConfigMap').find((c) => c.data?.[file] !== undefined)!;
      expect(cm.data[file].trimEnd()).toBe(readFileSync(join(dir, 'flink/sql', file), 'utf8').trimEnd());
    }
    const tableFiles = execFileSync('ls', [join(dir, 'flink/tables')], { encoding: 'utf8' }).split('\n').filter((f) => f.endsWith('.sql'));
    const tables = byKind(docs, 'ConfigMap').find((c) => c.metadata.name === 'my-sensors-flink-tables')!;
    expect(Object.keys(tables.data)).toEqual(tableFiles);
    for (const file of tableFiles) expect(tables.data[file].trimEnd(), file).toBe(readFileSync(join(dir, 'flink/tables', file), 'utf8').trimEnd());
    for (const job of jobs) {
      expect(job.spec.job.args.slice(0, 2)).toEqual(['--tables', '/opt/flink/tables']);
      const pod = job.spec.podTemplate.spec;
      const container = pod.containers.find((c: { name: string }) => c.name === 'flink-main-container');
      expect(container.volumeMounts).toContainEqual({ name: 'tables', mountPath: '/opt/flink/tables', readOnly: true });
      expect(pod.volumes).toContainEqual({ name: 'tables', configMap: { name: 'my-sensors-flink-tables' } });
    }
    const init = byKind(docs, 'ConfigMap').find((c) => c.metadata.name === 'my-sensors-postgres-init')!;
    expect(init.data['init.sql']).toContain('CREATE TABLE IF NOT EXISTS public.sensor_readings');
    const cluster = byKind(docs, 'Cluster')[0]!;
    expect(cluster.spec.bootstrap.initdb.database).toBe('my_sensors');
    const roles = cluster.spec.managed.roles.map((r: { name: string }) => r.name);
    expect(roles).toEqual(['flink_writer', ...(components.includes('api') ? ['api_reader'] : []), ...(components.includes('dbt') ? ['dbt_runner'] : [])]);

    const names = docs.map((d) => `${d.kind}/${d.metadata.name}`);
    const has = (c: ComponentName) => components.includes(c);
    expect(names.includes('StatefulSet/my-sensors-redis')).toBe(has('redis'));
    expect(names.includes('Deployment/my-sensors-redis-sink')).toBe(has('redis'));
    expect(names.includes('Deployment/my-sensors-api')).toBe(has('api'));
    expect(names.includes('CronJob/my-sensors-dbt')).toBe(has('dbt'));
    expect(names.includes('StatefulSet/my-sensors-seaweedfs')).toBe(has('history'));
    expect(names.includes('Elasticsearch/my-sensors')).toBe(has('observability'));
    expect(names.includes('Deployment/my-sensors-simulator')).toBe(valuesFile === 'values-dev.yaml');
    for (const always of ['Kafka/my-sensors', 'StatefulSet/my-sensors-mosquitto', 'Deployment/my-sensors-ingest-gateway']) expect(names).toContain(always);
    if (has('dbt')) {
      const dbt = byKind(docs, 'ConfigMap').find((c) => c.metadata.name === 'my-sensors-dbt-project')!;
      expect(Object.keys(dbt.data)).toContain('dbt_project.yml');
    }
  });

  it('gives every Flink job and the dbt CronJob the parameters of iot-platform.yaml (a changed dryThreshold too)', () => {
    const chart = project(ALL);
    const manifestFile = join(chart, '../../iot-platform.yaml');
    writeFileSync(manifestFile, readFileSync(manifestFile, 'utf8').replace('\n  dryThreshold: 50\n', '\n  dryThreshold: 42.5\n'));
    // charts/app/values.yaml is rendered from the manifest: render the project again, as the platform does
    const values = renderProject(loadManifest(manifestFile)).find((f) => f.path === 'charts/app/values.yaml')!;
    writeFileSync(join(chart, 'values.yaml'), values.content);
    const docs = parseManifests(helmOk(['template', 'my-sensors', chart, '-n', 'my-sensors', '-f', join(chart, 'values-dev.yaml'), ...SERVICES_TAG, ...KUBE]));
    const expected = [
      { name: 'ALLOWED_LATENESS_SECONDS', value: '3600' },
      { name: 'DRY_THRESHOLD', value: '42.5' },
      { name: 'QUIET_CLOSE_SECONDS', value: '60' },
      { name: 'SUMMARY_SLIDE_SECONDS', value: '10' },
      { name: 'SUMMARY_WINDOW_SECONDS', value: '600' },
      { name: 'WATERMARK_DELAY_SECONDS', value: '5' },
    ];
    const jobs = byKind(docs, 'FlinkDeployment');
    expect(jobs.length).toBeGreaterThan(0);
    for (const job of jobs) {
      const container = job.spec.podTemplate.spec.containers.find((c: { name: string }) => c.name === 'flink-main-container');
      for (const env of expected) expect(container.env, `${job.metadata.name} ${env.name}`).toContainEqual(env);
    }
    const dbt = byKind(docs, 'CronJob').find((c) => c.metadata.name === 'my-sensors-dbt')!;
    const dbtEnv = dbt.spec.jobTemplate.spec.template.spec.containers[0].env;
    for (const env of expected) expect(dbtEnv, `dbt ${env.name}`).toContainEqual(env);
  });

  it('depends on the platform chart at the platform version; values-dev/prod equal the platform presets', () => {
    const chart = project(ALL);
    const meta = parse(readFileSync(join(chart, 'Chart.yaml'), 'utf8'));
    // The chart inside the pinned npm package, by a relative path: the same for a released and a linked project.
    expect(meta.dependencies).toEqual([
      { name: 'iot-platform', version: `~${pkg.version}`, repository: 'file://../../node_modules/create-iot-platform/charts/iot-platform' },
    ]);
    const released = renderToDir({ components: [...ALL] }, mkdtempSync(join(tmpdir(), 'iotp-helm-')), { platformDependency: `~${pkg.version}` });
    dirs.push(released);
    expect(readFileSync(join(released, 'charts/app/Chart.yaml'), 'utf8')).toBe(readFileSync(join(chart, 'Chart.yaml'), 'utf8'));
    for (const preset of ['values-dev.yaml', 'values-prod.yaml']) {
      const platform = parse(readFileSync(join(platformChart, preset), 'utf8'));
      const mine = parse(readFileSync(join(chart, preset), 'utf8'))['iot-platform'];
      if (preset === 'values-dev.yaml') delete mine.components; // the project's dev preset also runs the simulator
      expect(mine, `charts/app/${preset} = charts/iot-platform/${preset}`).toEqual(platform);
    }
    const noKube = renderToDir({ components: [], deploy: ['compose'] }, mkdtempSync(join(tmpdir(), 'iotp-helm-')));
    dirs.push(noKube);
    expect(existsSync(join(noKube, 'charts'))).toBe(false);
  });

  it('fails with a clear message when prepare.sh was not run', () => {
    const dir = linkedProject([]);
    helmOk(['dependency', 'build', join(dir, 'charts/app')]);
    const result = run(helm, ['template', 'x', join(dir, 'charts/app'), ...SERVICES_TAG, ...KUBE]);
    expect(result.status).not.toBe(0);
    expect(result.out).toContain('run charts/app/prepare.sh first');
  });
});

describe('broken fixtures are rejected with a clear message', () => {
  let good: KubeDoc[] = [];
  beforeAll(() => {
    const goodText = helmOk([
      'template', 'demo', platformChart, ...KUBE, '-f', join(platformChart, 'ci/sample-project-values.yaml'),
      '--set', 'components.redis=true,components.api=true,components.history=true,components.observability=true',
    ]);
    good = parseManifests(goodText);
  });
  const mutate = (kind: string, name: string, change: (doc: KubeDoc) => void): KubeDoc[] => {
    const docs = structuredClone(good);
    const doc = docs.find((d) => d.kind === kind && (d.metadata.name === name || name === '*'));
    if (!doc) throw new Error(`fixture: no ${kind}/${name}`);
    change(doc);
    return docs;
  };
  const asText = (docs: KubeDoc[]) => docs.map((d) => `---\n${stringify(d)}`).join('');

  it('kubeconform: an unknown field in a core kind', () => {
    const broken = mutate('Deployment', 'demo-api', (d) => (d.spec.template.spec.containers[0].imagePullPolice = 'Always'));
    const { status, out } = kubeconformRun(asText(broken));
    expect(status).not.toBe(0);
    expect(out).toMatch(/Deployment demo-api is invalid: .*imagePullPolice/);
  });

  it('kubeconform: a wrong type in a core kind', () => {
    const broken = mutate('Service', 'demo-api', (d) => (d.spec.ports[0].port = 'eighty'));
    const { status, out } = kubeconformRun(asText(broken));
    expect(status).not.toBe(0);
    expect(out).toMatch(/Service demo-api is invalid: .*port/);
  });

  it('kubeconform: Strimzi v1beta2 (removed in Strimzi 1.x) has no schema', () => {
    const broken = mutate('Kafka', 'demo', (d) => (d.apiVersion = 'kafka.strimzi.io/v1beta2'));
    const { status, out } = kubeconformRun(asText(broken));
    expect(status).not.toBe(0);
    expect(out).toMatch(/Kafka demo failed validation: could not find schema for Kafka/);
  });

  it('kubeconform: a missing required field and an unknown field in custom resources', () => {
    const topic = mutate('KafkaNodePool', '*', (d) => delete d.spec.roles);
    expect(kubeconformRun(asText(topic)).out).toMatch(/KafkaNodePool demo-dual is invalid: .*roles/);
    const flink = mutate('FlinkDeployment', '*', (d) => (d.spec.job.upgradeMode = 'sometimes'));
    expect(kubeconformRun(asText(flink)).out).toMatch(/FlinkDeployment demo-10-demo is invalid: .*upgradeMode/);
    const cnpg = mutate('Cluster', 'demo-postgres', (d) => (d.spec.instancez = 3));
    expect(kubeconformRun(asText(cnpg)).out).toMatch(/Cluster demo-postgres is invalid: .*instancez/);
  });

  it('security rules: default password, literal secret env, unpinned image, root, missing limits', () => {
    const weak = mutate('Secret', 'demo-credentials', (d) => (d.data.REDIS_PASSWORD = Buffer.from('changeme').toString('base64')));
    expect(checkSecrets(weak)).toContain('Secret/demo-credentials key REDIS_PASSWORD: weak or default value (8 characters)');
    const literal = mutate('Deployment', 'demo-api', (d) => {
      d.spec.template.spec.containers[0].env.push({ name: 'POSTGRES_PASSWORD', value: 'hunter2hunter2hunter2' });
    });
    expect(checkSecrets(literal).join('\n')).toMatch(/Deployment\/demo-api container api: env POSTGRES_PASSWORD is a literal value/);
    const latest = mutate('StatefulSet', 'demo-redis', (d) => (d.spec.template.spec.containers[0].image = 'redis:latest'));
    expect(checkImagesPinned(latest)).toEqual(['StatefulSet/demo-redis container redis: image redis:latest uses "latest" (pin a version)']);
    const untagged = mutate('StatefulSet', 'demo-mosquitto', (d) => (d.spec.template.spec.containers[0].image = 'eclipse-mosquitto'));
    expect(checkImagesPinned(untagged)).toEqual(['StatefulSet/demo-mosquitto container mosquitto: image eclipse-mosquitto has no version tag (pin it)']);
    const root = mutate('Deployment', 'demo-ingest-gateway', (d) => {
      delete d.spec.template.spec.securityContext.runAsNonRoot;
      delete d.spec.template.spec.containers[0].securityContext.runAsNonRoot;
      d.spec.template.spec.containers[0].securityContext.runAsUser = 0;
    });
    expect(checkNonRoot(root)).toEqual([
      'Deployment/demo-ingest-gateway container ingest-gateway: runAsNonRoot is not true (it may run as root)',
      'Deployment/demo-ingest-gateway container ingest-gateway: runAsUser is 0 (root)',
    ]);
    const limits = mutate('StatefulSet', 'demo-seaweedfs', (d) => delete d.spec.template.spec.containers[0].resources.limits);
    expect(checkResources(limits)).toEqual([
      'StatefulSet/demo-seaweedfs container seaweedfs: resources.limits.cpu missing',
      'StatefulSet/demo-seaweedfs container seaweedfs: resources.limits.memory missing',
    ]);
    // The unbroken rendering passes every rule.
    expect(allKubeProblems(good)).toEqual([]);
  });
});

describe('the workflows install and lint the chart they are written for', () => {
  const release = 'my-sensors';
  const helmPath = () => `${join(helm, '..')}:${process.env.PATH}`;

  /** workflows/e2e-kind/install-chart.sh without a cluster (RENDER_ONLY): its Secrets, values and `helm template`. */
  function e2eRender(components: readonly ComponentName[]) {
    const chart = project(components);
    const dir = join(chart, '../..');
    rmSync(join(dir, '.env')); // CI has no .env: install-chart.sh makes it from .env.example
    const out = mkdtempSync(join(tmpdir(), 'iotp-e2e-render-'));
    dirs.push(out);
    const env = { ...process.env, PATH: helmPath(), PLATFORM_DIR: root, RELEASE: release, RENDER_ONLY: out, RUNNER_TEMP: out, KUBERNETES_VERSION };
    const result = spawnSync('bash', [join(root, 'workflows/e2e-kind/install-chart.sh')], { cwd: dir, env, encoding: 'utf8' });
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
    expect(result.stdout).toContain('charts/app/files:'); // prepare.sh ran before helm dependency build
    const rendered = readFileSync(join(out, 'rendered.yaml'), 'utf8');
    const forwards = execFileSync('bash', [join(root, 'workflows/e2e-kind/port-forward.sh'), '--list'], { cwd: dir, env, encoding: 'utf8' })
      .trim().split('\n').map((line) => {
        const [name, service, remote, local, required] = line.split('|');
        return { name: name!, service: service!, remote: Number(remote), local: Number(local), required: required === 'required' };
      });
    const envFile = Object.fromEntries(readFileSync(join(dir, '.env'), 'utf8').trim().split('\n').map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]));
    return { dir, rendered, docs: parseManifests(rendered), ciSecrets: parseManifests(readFileSync(join(out, 'secrets.yaml'), 'utf8')), forwards, envFile };
  }

  const decode = (secret: KubeDoc, key: string) => Buffer.from(secret.data[key], 'base64').toString('utf8');

  it.each([
    ['all components', ALL],
    ['no optional component', [] as ComponentName[]],
  ] as Array<[string, readonly ComponentName[]]>)('%s: every Service, listener and Secret that port-forward.sh and the e2e tests use is in the release', (_label, components) => {
    const { dir, rendered, docs, ciSecrets, forwards, envFile } = e2eRender(components);
    expectValid(rendered);
    expect(allKubeProblems(docs)).toEqual([]);
    const has = (c: ComponentName) => components.includes(c);

    // Services port-forward.sh forwards: rendered by the chart, or made by an operator from a rendered resource.
    const kafka = byKind(docs, 'Kafka')[0]!;
    const pool = byKind(docs, 'KafkaNodePool')[0]!;
    const cluster = byKind(docs, 'Cluster')[0]!;
    const provides = (service: string, port: number): string | undefined => {
      const svc = byKind(docs, 'Service').find((s) => s.metadata.name === service);
      if (svc) return svc.spec.ports.some((p: { port: number }) => p.port === port) ? 'Service' : undefined;
      // Strimzi: a cluster-ip listener <name> gets the Service <cluster>-kafka-<name>-bootstrap on its port.
      const listener = kafka.spec.kafka.listeners.find((l: { name: string }) => `${kafka.metadata.name}-kafka-${l.name}-bootstrap` === service);
      if (listener) return listener.type === 'cluster-ip' && listener.port === port ? 'Kafka listener' : undefined;
      // CloudNativePG: <cluster>-rw on 5432.
      if (service === `${cluster.metadata.name}-rw`) return port === 5432 ? 'CloudNativePG' : undefined;
      return undefined;
    };
    const expectedOn: Record<string, boolean> = { kafka: true, mqtt: true, postgres: true, redis: has('redis'), api: has('api') };
    expect(forwards.map((f) => f.name).sort()).toEqual(Object.keys(expectedOn).sort());
    for (const f of forwards) {
      expect(f.service.startsWith(`${release}-`), f.service).toBe(true);
      expect(Boolean(provides(f.service, f.remote)), `${f.name}: ${f.service}:${f.remote} in the release`).toBe(expectedOn[f.name]);
      if (f.required) expect(expectedOn[f.name], `${f.name} is required`).toBe(true);
    }
    // Kafka's CI listener advertises the runner's end of the port-forward, for every broker.
    const kafkaForward = forwards.find((f) => f.name === 'kafka')!;
    const ci = kafka.spec.kafka.listeners.find((l: { name: string }) => l.name === 'ci');
    expect(ci).toMatchObject({ type: 'cluster-ip', tls: false, port: kafkaForward.remote });
    expect(ci.configuration.brokers).toEqual(
      Array.from({ length: pool.spec.replicas }, (_, broker) => ({ broker, advertisedHost: '127.0.0.1', advertisedPort: kafkaForward.local })),
    );
    // Flink: port-forward.sh finds the FlinkDeployments by instance label and forwards <name>-rest:8081.
    const jobs = byKind(docs, 'FlinkDeployment');
    expect(jobs.length).toBeGreaterThan(0);
    for (const job of jobs) {
      const labels = job.metadata.labels as Record<string, string>;
      expect(labels['app.kubernetes.io/instance']).toBe(release);
      expect(labels['iot-platform.dev/flink-job']).toMatch(/^[a-z0-9-]+$/);
      expect(job.spec.flinkConfiguration['rest.port']).toBeUndefined(); // the operator's <name>-rest Service on 8081
    }
    const script = readFileSync(join(root, 'workflows/e2e-kind/port-forward.sh'), 'utf8');
    expect(script).toContain('app.kubernetes.io/instance=$RELEASE');
    expect(script).toContain('iot-platform\\.dev/flink-job');

    // Secrets: the chart uses the workflow's Secrets and generates none of its own; every reference resolves.
    expect(byKind(docs, 'Secret')).toEqual([]);
    const all = [...byKind(docs, 'Secret'), ...ciSecrets];
    const secret = (name: string) => all.find((s) => s.metadata.name === name);
    const refs: Array<{ name: string; key: string }> = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        const o = node as Record<string, unknown>;
        if (o.secretKeyRef) refs.push(o.secretKeyRef as { name: string; key: string });
        Object.values(o).forEach(walk);
      }
    };
    walk(docs);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(secret(ref.name)?.data?.[ref.key], `secretKeyRef ${ref.name}/${ref.key}`).toBeTruthy();
    expect(cluster.spec.enableSuperuserAccess).toBe(true);
    const superuser = secret(cluster.spec.superuserSecret.name)!;
    expect(superuser.type).toBe('kubernetes.io/basic-auth');
    expect(decode(superuser, 'username')).toBe('postgres');
    for (const role of cluster.spec.managed.roles as Array<{ name: string; passwordSecret: { name: string } }>) {
      const s = secret(role.passwordSecret.name)!;
      expect(s.type, role.name).toBe('kubernetes.io/basic-auth');
      expect(decode(s, 'username')).toBe(role.name);
    }

    // .env (what test/e2e/setup/stack-env.ts reads) holds the passwords the release runs with.
    const envSecret = secret(`${release}-env`)!;
    const needed = ['POSTGRES_PASSWORD', 'MQTT_DEVICE_KEY', 'MQTT_ADMIN_PASSWORD', ...(has('redis') ? ['REDIS_PASSWORD'] : []), ...(has('api') ? ['API_KEY'] : [])];
    for (const name of needed) {
      expect(envFile[name], `.env ${name}`).toMatch(/^.{16,}$/);
      expect(decode(envSecret, name), `Secret ${release}-env ${name} = .env`).toBe(envFile[name]);
    }
    expect(decode(superuser, 'password')).toBe(envFile.POSTGRES_PASSWORD);
    const example = readFileSync(join(dir, '.env.example'), 'utf8').match(/^[A-Z][A-Z0-9_]*(?==)/gm)!;
    expect(Object.keys(envFile).sort()).toEqual([...example].sort());

    // The services image is the one load-images.sh builds from compose.yaml and loads into kind.
    const compose = parse(readFileSync(join(dir, 'compose.yaml'), 'utf8'));
    const gateway = byKind(docs, 'Deployment').find((d) => d.metadata.name === `${release}-ingest-gateway`)!;
    expect(gateway.spec.template.spec.containers[0].image).toBe(compose['x-node-service'].image);
    // POSTGRES_DB of .stack/addresses.env is the chart's database.
    expect(cluster.spec.bootstrap.initdb.database).toBe(parse(readFileSync(join(dir, 'iot-platform.yaml'), 'utf8')).project.name.replaceAll('-', '_'));
  });

  it('workflows/lint/helm.sh runs prepare.sh, helm lint and kubeconform on a generated project chart', () => {
    const chart = project(ALL);
    const dir = join(chart, '../..');
    rmSync(join(chart, 'files/iot-platform.yaml')); // as checked out: the copied files are git-ignored
    const out = mkdtempSync(join(tmpdir(), 'iotp-lint-helm-'));
    dirs.push(out);
    const env = {
      ...process.env, PATH: helmPath(), PLATFORM_DIR: root, RUNNER_TEMP: out, GITHUB_OUTPUT: join(out, 'output'),
      KUBERNETES_VERSION, KUBECONFORM_SCHEMA_LOCATIONS: schemas.locations.join('\n'),
    };
    const result = spawnSync('bash', [join(root, 'workflows/lint/helm.sh')], { cwd: dir, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const output = `${result.stdout}${result.stderr}`;
    expect(result.status, output).toBe(0);
    expect(output).toContain('charts/app/files:');
    expect(output).toMatch(/Invalid: 0, Errors: 0, Skipped: 0/);
    expect(readFileSync(join(out, 'output'), 'utf8')).toContain('has-chart=true');
  });

  it('the platform chart: the Kafka CI listener and the superuser are off unless asked for', () => {
    const base = ['template', 'demo', platformChart, ...KUBE, '-f', join(platformChart, 'ci/sample-project-values.yaml')];
    const off = parseManifests(helmOk(base));
    expect(byKind(off, 'Kafka')[0]!.spec.kafka.listeners.map((l: { name: string }) => l.name)).toEqual(['plain']);
    expect(byKind(off, 'Cluster')[0]!.spec.enableSuperuserAccess).toBe(false);
    const on = helmOk([...base, '-f', join(platformChart, 'values-prod.yaml'), '--set', 'components.history=true,kafka.ciListener.enabled=true,postgres.superuserSecret=pg-su']);
    expectValid(on);
    const docs = parseManifests(on);
    const ci = byKind(docs, 'Kafka')[0]!.spec.kafka.listeners[1];
    expect(ci.configuration.brokers.map((b: { broker: number }) => b.broker)).toEqual([0, 1, 2]);
    expect(byKind(docs, 'Cluster')[0]!.spec.superuserSecret).toEqual({ name: 'pg-su' });
  });
});
