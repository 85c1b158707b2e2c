// The generated compose.yaml, validated by the real Docker Compose implementation (built from its Go module
// by scripts/ensure-compose.sh) for every valid component combination, plus our security rules on each.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { componentCombinations, getBlueprint } from '../renderer/catalog.ts';
import type { ComponentName } from '../manifest/schema.ts';
import { renderToDir } from './helpers/render.ts';
import {
  allComposeProblems,
  checkDependsOnConditions,
  checkHealthchecks,
  checkImagesPinned,
  checkNoLiteralSecrets,
  checkNonRoot,
  checkPortsLocalhost,
  composeConfig,
  composeValidate,
  type ComposeModel,
} from './helpers/compose-checks.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
let compose = '';
let shellcheck = '';
const dirs: string[] = [];

beforeAll(() => {
  // Builds docker compose from source the first time (about 2 minutes); fails, never skips, when it cannot.
  compose = execFileSync('bash', [join(root, 'scripts/ensure-compose.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 20 * 60_000,
  }).trim();
  expect(execFileSync(compose, ['version'], { encoding: 'utf8' })).toMatch(/Docker Compose version v\d+\.\d+\.\d+/);
  shellcheck = execFileSync('bash', [join(root, 'scripts/ensure-shellcheck.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 10 * 60_000,
  }).trim();
}, 30 * 60_000);

/** Runs ShellCheck on files; throws with its report. */
function runShellcheck(files: string[]): void {
  try {
    execFileSync(shellcheck, ['--format=gcc', ...files], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    throw new Error(`shellcheck:\n${(error as { stdout?: string }).stdout ?? error}`);
  }
}

/** The shell embedded in compose.yaml (sh/bash entrypoints and CMD-SHELL healthchecks), as script files. */
function embeddedShell(model: ComposeModel): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'iotp-sh-'));
  dirs.push(dir);
  const files: string[] = [];
  const unescape = (text: string) => text.replaceAll('$$', '$'); // compose's escape for a literal $
  for (const [name, service] of Object.entries(model.services) as Array<[string, ComposeModel['services'][string] & { entrypoint?: string[]; command?: string[] }]>) {
    const entrypoint = service.entrypoint ?? [];
    if (entrypoint.length && /\/(ba)?sh$/.test(entrypoint[0]!) && service.command?.length) {
      const file = join(dir, `${name}.entrypoint.sh`);
      writeFileSync(file, `#!${entrypoint[0]}\nset -e\n${unescape(service.command[0]!)}\n`);
      files.push(file);
    }
    const test = service.healthcheck?.test ?? [];
    if (test[0] === 'CMD-SHELL') {
      const file = join(dir, `${name}.healthcheck.sh`);
      writeFileSync(file, `#!/bin/sh\n${unescape(test[1]!)}\n`);
      files.push(file);
    }
  }
  return files;
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function render(components: ComponentName[]): string {
  const dir = renderToDir({ components });
  dirs.push(dir);
  return dir;
}

const combos = componentCombinations(getBlueprint('sensors'));

describe('compose.yaml for every component combination', () => {
  it('covers every valid combination', () => {
    expect(combos.length).toBe(24); // 5 components, api needs redis
  });

  it.each(combos.map((c) => [c.join(',') || '(none)', c] as const))(
    'components %s: passes `docker compose config` and the security rules',
    (_label, components) => {
      const dir = render([...components]);
      composeValidate(compose, dir); // schema, interpolation from .env, references between services
      const model = composeConfig(compose, dir);
      const raw = parse(readFileSync(join(dir, 'compose.yaml'), 'utf8'));
      expect(allComposeProblems(model, raw)).toEqual([]);
      runShellcheck([...embeddedShell(model), join(dir, 'postgres/init/00-roles.sh')]);

      const services = Object.keys(model.services);
      const has = (c: ComponentName) => components.includes(c);
      for (const always of ['kafka', 'kafka-init', 'mosquitto', 'postgres', 'flink-jobmanager', 'flink-taskmanager', 'ingest-gateway', 'simulator']) {
        expect(services).toContain(always);
      }
      expect(services.includes('redis') && services.includes('redis-sink')).toBe(has('redis'));
      expect(services.includes('api')).toBe(has('api'));
      expect(services.includes('dbt')).toBe(has('dbt'));
      expect(services.includes('seaweedfs')).toBe(has('history'));
      expect(['elasticsearch', 'logstash', 'kibana'].every((s) => services.includes(s))).toBe(has('observability'));
      if (has('observability')) {
        expect(model.services.kibana!.profiles).toEqual(['observability']);
        const pipeline = readFileSync(join(dir, 'config/logstash/pipeline.conf'), 'utf8');
        expect(pipeline).toMatch(/elasticsearch\s*\{/);
        for (const m of pipeline.matchAll(/password\s*=>\s*"([^"]*)"/g)) expect(m[1]).toMatch(/^\$\{[A-Z_]+\}$/);
      }
      if (has('dbt')) expect(model.services.dbt!.profiles).toEqual(['batch']);

      // Every topic of the manifest is created by kafka-init with its settings.
      const manifest = parse(readFileSync(join(dir, 'iot-platform.yaml'), 'utf8'));
      const init = (model.services['kafka-init'] as { command: string[] }).command.join('\n');
      for (const topic of manifest.topics) {
        const line = init.split('\n').find((l: string) => l.includes(`--topic ${topic.name} `));
        expect(line, `kafka-init creates ${topic.name}`).toBeDefined();
        expect(line).toContain(`--partitions ${topic.partitions}`);
        if (topic.compacted) expect(line).toContain('cleanup.policy=compact');
        if (topic.retentionHours) expect(line).toContain(`retention.ms=${topic.retentionHours * 3_600_000}`);
      }
      // Services read the manifest and addresses from the environment.
      const gateway = model.services['ingest-gateway']!;
      expect(gateway.environment).toMatchObject({ IOT_PLATFORM_MANIFEST: '/app/iot-platform.yaml', KAFKA_BROKERS: 'kafka:9092' });
      expect(model.services.postgres!.environment!.POSTGRES_DB).toBe('my_sensors');
      expect(model.services['flink-jobmanager']!.environment!.FLINK_PROPERTIES).toContain('web.submit.enable: false');
      // The runner creates the shared tables (flink/tables) in every job before the job's script (flink/sql).
      type Flink = { command?: string[]; volumes?: { type: string; source?: string; target: string; read_only?: boolean }[] };
      const flink = (name: string) => model.services[name] as Flink;
      expect(flink('flink-jobmanager').command).toEqual(['standalone-job', '--job-classname', 'dev.iotplatform.flink.SqlRunner', '--tables', '/opt/flink/tables', '/opt/flink/sql']);
      for (const name of ['flink-jobmanager', 'flink-taskmanager']) {
        const binds = flink(name).volumes!.filter((v) => v.type === 'bind').map((v) => `${v.source}:${v.target}:${v.read_only ? 'ro' : 'rw'}`);
        expect(binds, name).toEqual([`${dir}/flink/sql:/opt/flink/sql:ro`, `${dir}/flink/tables:/opt/flink/tables:ro`]);
      }
    },
  );

  it('the other base files render as valid JSON/YAML with the platform refs', () => {
    const dir = render(['redis', 'api', 'dbt', 'history', 'observability']);
    const renovate = JSON.parse(readFileSync(join(dir, 'renovate.json'), 'utf8'));
    expect(renovate.extends).toContain('config:recommended');
    const ci = parse(readFileSync(join(dir, '.github/workflows/ci.yml'), 'utf8'));
    expect(ci.permissions).toEqual({ contents: 'read' });
    expect(ci.concurrency.group).toBeTruthy();
    expect(ci.jobs.lint.uses).toMatch(/^[\w.-]+\/[\w.-]+\/\.github\/workflows\/lint\.yml@v\d+\.\d+\.\d+$/);
    expect(ci.jobs.e2e.uses).toMatch(/e2e-kind\.yml@v/);
    expect(ci.jobs.deploy.if).toContain("github.ref == 'refs/heads/main'");
    // actionlint (with ShellCheck) on the caller; the reusable workflows themselves are linted in the platform repo.
    const actionlint = execFileSync('bash', [join(root, 'scripts/ensure-actionlint.sh')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 10 * 60_000,
    }).trim();
    execFileSync(actionlint, ['-shellcheck', shellcheck, '.github/workflows/ci.yml'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const catalog = parse(readFileSync(join(dir, 'catalog-info.yaml'), 'utf8'));
    expect(catalog).toMatchObject({ kind: 'Component', spec: { lifecycle: 'experimental', owner: 'platform-team' } });
    expect(catalog.metadata.annotations['iot-platform.dev/template']).toBe('create-iot-platform/sensors');
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    for (const text of ['```mermaid', 'docker compose up -d --wait', 'http://127.0.0.1:8080/docs', 'http://127.0.0.1:8081', 'http://127.0.0.1:5601', 'npm run stack -- up --native', 'helm upgrade --install', 'npm run test:e2e', '.iot-platform/lock.json', 'npx create-iot-platform upgrade', '`sensors.dlq`']) {
      expect(readme).toContain(text);
    }
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toMatch(/^\.env$/m);
  }, 10 * 60_000);

  it('refuses to start without secrets: .env.example alone fails with the variable named', () => {
    const dir = render(['redis', 'api']);
    rmSync(join(dir, '.env'));
    let message = '';
    try {
      composeValidate(compose, dir, ['--env-file', join(dir, '.env.example')]);
    } catch (error) {
      message = String((error as { stderr?: string }).stderr ?? error);
    }
    expect(message).toMatch(/(\w+) missing: run create-iot-platform or fill \.env/);
  });

  it('the real Compose rejects a broken file (schema validation is on)', () => {
    const dir = render([]);
    const file = join(dir, 'compose.yaml');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.replace('restart: unless-stopped', 'restart_policy: unless-stopped'));
    expect(() => composeValidate(compose, dir)).toThrow(/restart_policy/);
    writeFileSync(file, good.replace('kafka-init: { condition: service_completed_successfully }', 'kafka-setup: { condition: service_completed_successfully }'));
    expect(() => composeValidate(compose, dir)).toThrow(/kafka-setup/);
  });
});

describe('security checks reject a deliberately broken compose file', () => {
  const base = (): ComposeModel => ({
    services: {
      web: {
        image: 'nginx:1.29.3',
        user: '101:101',
        ports: [{ host_ip: '127.0.0.1', target: 80, published: '8080' }],
        healthcheck: { test: ['CMD', 'true'] },
      },
    },
  });

  it('accepts the good baseline', () => {
    expect(allComposeProblems(base(), { services: { web: { environment: { DB_PASSWORD: '${DB_PASSWORD:?DB_PASSWORD missing: run create-iot-platform or fill .env}' } } } })).toEqual([]);
  });

  it('a port on 0.0.0.0 or on all interfaces', () => {
    const m = base();
    m.services.web!.ports = [{ host_ip: '0.0.0.0', target: 80, published: '8080' }, { target: 5432, published: '5432' }];
    const problems = checkPortsLocalhost(m);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/service web: port 8080:80 is published on 0\.0\.0\.0; write "127\.0\.0\.1:8080:80"/);
    expect(problems[1]).toMatch(/all interfaces/);
  });

  it('an image tagged latest, untagged, or local without build', () => {
    for (const [image, message] of [
      ['redis:latest', /uses the moving tag "latest"/],
      ['docker.io/library/redis', /has no version tag/],
      ['localhost:5000/app', /has no version tag/],
      ['app:local', /tagged local but the service has no build/],
    ] as const) {
      const m = base();
      m.services.web!.image = image;
      expect(checkImagesPinned(m).join('\n')).toMatch(message);
    }
    const digest = base();
    digest.services.web!.image = 'redis@sha256:' + 'a'.repeat(64);
    expect(checkImagesPinned(digest)).toEqual([]);
  });

  it('a root or missing user, and a root allow-list entry that is not locked down', () => {
    for (const user of [undefined, 'root', '0', '0:0']) {
      const m = base();
      m.services.web!.user = user;
      expect(checkNonRoot(m)[0]).toMatch(/service web: runs as .*set user: to a non-root uid/);
    }
    const m = base();
    m.services.web!.user = '0:0';
    m.services.web!.cap_add = ['SYS_ADMIN'];
    expect(checkNonRoot(m, { web: 'test' })[0]).toMatch(/allowed to run as root only with network_mode: none/);
    m.services.web!.cap_add = ['CHOWN'];
    m.services.web!.cap_drop = ['ALL'];
    m.services.web!.network_mode = 'none';
    expect(checkNonRoot(m, { web: 'test' })).toEqual([]);
  });

  it('a literal password in environment, in embedded config, or on a command line', () => {
    expect(checkNoLiteralSecrets({ services: { db: { environment: { POSTGRES_PASSWORD: 'postgres' } } } })[0]).toMatch(
      /services\.db\.environment\.POSTGRES_PASSWORD: literal secret value/,
    );
    expect(checkNoLiteralSecrets({ services: { db: { environment: ['POSTGRES_PASSWORD=app'] } } })[0]).toMatch(/literal secret value/);
    expect(checkNoLiteralSecrets({ 'x-props': 's3.secret-key: hunter2\nrest.port: 8081' })[0]).toMatch(/"s3.secret-key" has a literal secret/);
    expect(checkNoLiteralSecrets({ services: { r: { command: 'redis-server --requirepass hunter2' } } })[0]).toMatch(/literal password/);
    // A default value is a literal too: ${X:-default} is not allowed.
    expect(checkNoLiteralSecrets({ services: { db: { environment: { API_KEY: '${API_KEY:-changeme}' } } } })).toHaveLength(1);
    expect(checkNoLiteralSecrets({ services: { db: { environment: { API_KEY: '${API_KEY:?API_KEY missing: run create-iot-platform or fill .env}' } } } })).toEqual([]);
  });

  it('a long-running service without a healthcheck (one-shots are exempt)', () => {
    const m = base();
    delete m.services.web!.healthcheck;
    expect(checkHealthchecks(m)).toEqual(['service web: long-running but has no healthcheck; add healthcheck.test']);
    m.services.app = { image: 'app:1.0.0', user: '1000', depends_on: { web: { condition: 'service_completed_successfully' } }, healthcheck: { test: ['CMD', 'true'] } };
    expect(checkHealthchecks(m)).toEqual([]);
    m.services.app.healthcheck = { disable: true };
    expect(checkHealthchecks(m)[0]).toMatch(/service app: long-running but has no healthcheck/);
  });

  it('depends_on without a condition or on an unknown service', () => {
    const m = base();
    m.services.app = { image: 'app:1.0.0', user: '1000', depends_on: { web: {}, ghost: { condition: 'service_healthy' } } };
    const problems = checkDependsOnConditions(m);
    expect(problems).toContain('service app: depends_on web has no condition; use service_healthy or service_completed_successfully');
    expect(problems).toContain('service app: depends_on unknown service ghost');
  });
});
