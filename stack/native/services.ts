// The project's services of the component catalog as local processes: the platform's programs from this (the
// project's pinned) platform package, the project's own TypeScript run by Node 24 directly (type stripping).
// Each listens on a free loopback port chosen for the run.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectServices } from '../../renderer/catalog.ts';
import { resolveEnv, SETTINGS, type Endpoint, type ServiceSpec } from '../../renderer/component-catalog.ts';
import { packageRoot } from '../../renderer/package-root.ts';
import type { NativeComponent } from './component.ts';
import { databaseName, secret, type NativeContext } from './context.ts';
import { startProcess } from './processes.ts';
import { httpOk, waitFor } from '../wait.ts';

/** The native port key of a service (ports.ts allocates one per catalog service). */
export const servicePortKey = (service: Pick<ServiceSpec, 'name'>) => `service:${service.name}`;

function endpoint(ctx: NativeContext, name: Endpoint, service: ServiceSpec): string {
  switch (name) {
    case 'kafka.brokers':
      return `127.0.0.1:${ctx.ports.kafka}`;
    case 'mqtt.url':
      return `mqtt://127.0.0.1:${ctx.ports.mqtt}`;
    case 'redis.host':
    case 'postgres.host':
    case 'bind.host':
      return '127.0.0.1';
    case 'redis.port':
      return String(ctx.ports.redis);
    case 'postgres.port':
      return String(ctx.ports.postgres);
    case 'postgres.db':
      return databaseName(ctx.manifest);
    case 'service.port':
      return String(ctx.ports[servicePortKey(service)]);
  }
}

export function serviceEnv(ctx: NativeContext, service: ServiceSpec): Record<string, string> {
  return {
    IOT_PLATFORM_MANIFEST: join(ctx.projectDir, 'iot-platform.yaml'),
    SERVICE_NAME: service.name,
    TZ: ctx.manifest.project.timeZone,
    ...(service.kafkaClient ? { KAFKA_BROKERS: endpoint(ctx, 'kafka.brokers', service) } : {}),
    ...resolveEnv(service, {
      secret: (name) => secret(ctx, name),
      setting: (name) => ctx.secrets[name] || SETTINGS[name],
      endpoint: (name, s) => endpoint(ctx, name, s),
    }),
  };
}

function program(ctx: NativeContext, service: ServiceSpec): string {
  return 'platform' in service.run ? join(packageRoot(), 'bin', `${service.run.platform}.js`) : join(ctx.projectDir, service.run.project);
}

function nativeService(service: ServiceSpec): NativeComponent {
  return {
    name: service.name,
    prerequisites: [{ command: 'node', install: 'Node.js >= 22.18' }],
    enabled: () => true,
    ports: () => [servicePortKey(service)],
    async start(ctx) {
      if (!existsSync(join(ctx.projectDir, 'node_modules'))) throw new Error('node_modules missing; run npm install first');
      return [
        startProcess({
          command: process.execPath,
          args: [program(ctx, service)],
          cwd: ctx.projectDir,
          env: serviceEnv(ctx, service),
          log: join(ctx.stateDir, 'logs', `${service.name}.log`),
        }),
      ];
    },
    async ready(ctx) {
      await waitFor(service.name, () => httpOk(`http://127.0.0.1:${ctx.ports[servicePortKey(service)]}/readyz`), { timeoutMs: 60_000 });
    },
    addresses(ctx): Record<string, string> {
      return service.publish ? { [service.publish.addressVariable]: `http://127.0.0.1:${ctx.ports[servicePortKey(service)]}` } : {};
    },
  };
}

/** The catalog's services of a project, in catalog order (platform first, then the blueprint's). */
export function platformServices(ctx: Pick<NativeContext, 'manifest'>): NativeComponent[] {
  return projectServices(ctx.manifest).map(nativeService);
}
