// The component catalog is the one place services are wired: compose, the native driver and the chart must
// give every catalog service the same program, port and environment names, for every blueprint and
// component set; every secret a service names is in the project's .env.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { blueprints, componentCombinations, projectServices } from '../renderer/catalog.ts';
import { chartServiceEntry, containerCommand, kafkaClusterId, servicesOf, SETTINGS, type ServiceSpec } from '../renderer/component-catalog.ts';
import { serviceEnv, servicePortKey } from '../stack/native/services.ts';
import { renderToDir } from './helpers/render.ts';
import { createManifest } from '../manifest/create.ts';
import type { Manifest } from '../manifest/schema.ts';
import { parseEnvFile } from '../stack/native/context.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function render(blueprint: string, components: string[]) {
  const dir = renderToDir({ blueprint, components: components as never, deploy: ['compose', 'native', 'kubernetes'] });
  dirs.push(dir);
  const manifest = createManifest({ blueprint, name: 'my-sensors', components: components as never, deploy: ['compose', 'native', 'kubernetes'] });
  return { dir, manifest };
}

function nativeEnv(dir: string, manifest: Manifest, service: ServiceSpec) {
  const secrets = parseEnvFile(readFileSync(join(dir, '.env'), 'utf8'), '.env');
  const ports = { kafka: 1, mqtt: 2, redis: 3, postgres: 4, [servicePortKey(service)]: 5 };
  return serviceEnv({ projectDir: dir, manifest, secrets, ports, stateDir: '', cacheDir: '' }, service);
}

for (const [name, blueprint] of blueprints()) {
  describe(`blueprint ${name}: every stack wires the catalog's services alike`, () => {
    it.each(componentCombinations(blueprint).map((c) => [c.join(',') || '(none)', c]))('components %s', (_label, components) => {
      const { dir, manifest } = render(name, components);
      const services = projectServices(manifest);
      const compose = parse(readFileSync(join(dir, 'compose.yaml'), 'utf8')) as { services: Record<string, { command: string[]; environment: Record<string, string> }> };
      const values = parse(readFileSync(join(dir, 'charts/app/values.yaml'), 'utf8'))['iot-platform'];
      expect(values.serviceCatalog.map((s: { name: string }) => s.name)).toEqual(services.map((s) => s.name));
      for (const service of services) {
        const inCompose = compose.services[service.name]!;
        expect(inCompose.command).toEqual(['node', ...containerCommand(service)]);
        const native = nativeEnv(dir, manifest, service);
        expect(Object.keys(inCompose.environment).sort()).toEqual(Object.keys(native).sort());
        // Secrets resolve to the project's .env values natively and to required references in compose.
        for (const [key, value] of Object.entries(service.env)) {
          if (typeof value === 'object' && 'secret' in value) {
            expect(native[key], `${service.name} ${key}`).toMatch(/^\S{16,}$/);
            expect(inCompose.environment[key]).toBe(`\${${value.secret}:?${value.secret} missing: run create-iot-platform or fill .env}`);
          }
        }
        const chartEntry = values.serviceCatalog.find((s: { name: string }) => s.name === service.name);
        expect(chartEntry.env.map((e: { name: string }) => e.name)).toEqual(Object.keys(service.env));
        // Settings: the project's .env natively, .env with the created value as default in compose, that value on the chart.
        const dotEnv = parseEnvFile(readFileSync(join(dir, '.env'), 'utf8'), '.env');
        for (const [key, value] of Object.entries(service.env)) {
          if (typeof value === 'object' && 'setting' in value) {
            expect(dotEnv[value.setting], `.env ${value.setting}`).toBe(SETTINGS[value.setting]);
            expect(native[key]).toBe(dotEnv[value.setting]);
            expect(inCompose.environment[key]).toBe(`\${${value.setting}:-${SETTINGS[value.setting]}}`);
            expect(chartEntry.env.find((e: { name: string }) => e.name === key)).toEqual({ name: key, value: SETTINGS[value.setting] });
          }
        }
      }
    });
  });
}

describe('the catalog', () => {
  const manifest = createManifest({ blueprint: 'sensors', name: 'x', components: ['redis', 'api'], deploy: ['compose'] });

  it('adds a blueprint service after the platform services, and only with its component', () => {
    const extra = { name: 'relay', valuesKey: 'relay', description: 'd', when: 'observability' as const, run: { project: 'services/relay/main.ts' }, port: 8090 };
    expect(servicesOf(manifest, [extra]).map((s) => s.name)).toEqual(['ingest-gateway', 'redis-sink', 'api']);
    expect(servicesOf({ ...manifest, components: [...manifest.components, 'observability'] }, [extra]).map((s) => s.name)).toEqual([
      'ingest-gateway',
      'redis-sink',
      'api',
      'relay',
    ]);
  });

  it("gives the API its staleness threshold from the project's .env natively, the created value when .env lacks it", () => {
    const dir = renderToDir({ components: ['redis', 'api'] });
    dirs.push(dir);
    const api = projectServices(manifest).find((s) => s.name === 'api')!;
    expect(api.env.OFFLINE_AFTER_SECONDS).toEqual({ setting: 'OFFLINE_AFTER_SECONDS' });
    const secrets = parseEnvFile(readFileSync(join(dir, '.env'), 'utf8'), '.env');
    const envOf = (values: Record<string, string>) =>
      serviceEnv({ projectDir: dir, manifest, secrets: values, ports: { redis: 3, postgres: 4, [servicePortKey(api)]: 5 }, stateDir: '', cacheDir: '' }, api);
    expect(envOf({ ...secrets, OFFLINE_AFTER_SECONDS: '15' }).OFFLINE_AFTER_SECONDS).toBe('15');
    const { OFFLINE_AFTER_SECONDS: _created, ...older } = secrets; // a project created before the setting existed
    expect(envOf(older).OFFLINE_AFTER_SECONDS).toBe(SETTINGS.OFFLINE_AFTER_SECONDS);
    expect(SETTINGS.OFFLINE_AFTER_SECONDS).toBe('60');
  });

  it('gives the gateway an HTTP push port and token only when an event has an http source', () => {
    expect(servicesOf(manifest)[0]!.env).not.toHaveProperty('INGEST_HTTP_TOKEN');
    const pushed = { ...manifest, events: { ...manifest.events, humidity: { ...manifest.events.humidity!, source: { http: '/events/{deviceId}' } } } };
    expect(servicesOf(pushed)[0]!.env).toMatchObject({ INGEST_HTTP_PORT: '8088', INGEST_HTTP_TOKEN: { secret: 'INGEST_HTTP_TOKEN' } });
  });
});

describe('the chart resolves the catalog as compose does', () => {
  it('every Deployment of a catalog service carries the same environment names as compose', () => {
    const helm = execFileSync('bash', [join(root, 'scripts/ensure-helm.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 20 * 60_000 }).trim();
    const { dir, manifest } = render('sensors', ['redis', 'api', 'dbt', 'history']);
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(root, join(dir, 'node_modules/create-iot-platform'));
    execFileSync('bash', ['charts/app/prepare.sh'], { cwd: dir, stdio: 'ignore' });
    execFileSync(helm, ['dependency', 'build', 'charts/app'], { cwd: dir, stdio: 'ignore' });
    const out = execFileSync(helm, ['template', 't', 'charts/app', '--kube-version', '1.31.0', '--set', 'iot-platform.images.services.tag=x'], { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 });
    const deployments = parseAllDocuments(out).map((d) => d.toJS()).filter((d) => d?.kind === 'Deployment');
    const compose = parse(readFileSync(join(dir, 'compose.yaml'), 'utf8')) as { services: Record<string, { environment: Record<string, string> }> };
    for (const service of projectServices(manifest)) {
      const deployment = deployments.find((d) => d.metadata.name === `t-${service.name}`);
      expect(deployment, service.name).toBeDefined();
      const container = deployment.spec.template.spec.containers[0];
      expect(container.command).toEqual(['node', ...containerCommand(service)]);
      const names = container.env.map((e: { name: string }) => e.name).filter((n: string) => n !== 'MQTT_SHARED_GROUP');
      expect(names.sort()).toEqual(Object.keys(compose.services[service.name]!.environment).sort());
    }
  }, 20 * 60_000);
});

describe("the platform chart's sample project", () => {
  it('carries the catalog services of a project with every component (ci/sample-project-values.yaml)', () => {
    const sample = parse(readFileSync(join(root, 'charts/iot-platform/ci/sample-project-values.yaml'), 'utf8'));
    const manifest = createManifest({ blueprint: 'sensors', name: 'demo-project', components: ['redis', 'api', 'dbt', 'history', 'observability'], deploy: ['kubernetes'] });
    expect(sample.serviceCatalog).toEqual(servicesOf(manifest).map(chartServiceEntry));
  });
});

describe('KAFKA_CLUSTER_ID', () => {
  it('is a 22-character base64url UUID that never starts with "-" (Kafka\'s storage tool would read it as an option)', () => {
    // One id in 64 started with "-" before: 4000 ids would hold about 60 of them.
    const ids = Array.from({ length: 4000 }, kafkaClusterId);
    expect(ids.filter((id) => !/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
