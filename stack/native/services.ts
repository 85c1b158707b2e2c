// The services: the platform's gateway and Redis sink from this (the project's pinned) platform package, the
// project's own TypeScript services run by Node 24 directly from the project (type stripping).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NativeComponent } from './component.ts';
import { databaseName, secret, type NativeContext } from './context.ts';
import { startProcess } from './processes.ts';
import { httpOk, waitFor } from '../wait.ts';
import { packageRoot } from '../../renderer/package-root.ts';

interface ServiceSpec {
  name: string;
  /** A platform program (absolute, from this package) or a project file (relative to the project). */
  entry: string;
  enabled: (ctx: NativeContext) => boolean;
  port: string;
  env: (ctx: NativeContext) => Record<string, string>;
}

const common = (ctx: NativeContext, name: string) => ({
  IOT_PLATFORM_MANIFEST: join(ctx.projectDir, 'iot-platform.yaml'),
  KAFKA_BROKERS: `127.0.0.1:${ctx.ports.kafka}`,
  TZ: ctx.manifest.project.timeZone,
  SERVICE_NAME: name,
});

const SERVICES: ServiceSpec[] = [
  {
    name: 'ingest-gateway',
    entry: join(packageRoot(), 'bin/iot-ingest-gateway.js'),
    enabled: () => true,
    port: 'gatewayHealth',
    env: (ctx) => ({
      MQTT_URL: `mqtt://127.0.0.1:${ctx.ports.mqtt}`,
      MQTT_USERNAME: 'gateway',
      MQTT_PASSWORD: secret(ctx, 'MQTT_GATEWAY_PASSWORD'),
      HEALTH_PORT: String(ctx.ports.gatewayHealth),
    }),
  },
  {
    name: 'redis-sink',
    entry: join(packageRoot(), 'bin/iot-redis-sink.js'),
    enabled: (ctx) => ctx.manifest.components.includes('redis'),
    port: 'redisSinkHealth',
    env: (ctx) => ({
      REDIS_HOST: '127.0.0.1',
      REDIS_PORT: String(ctx.ports.redis),
      REDIS_PASSWORD: secret(ctx, 'REDIS_PASSWORD'),
      HEALTH_PORT: String(ctx.ports.redisSinkHealth),
    }),
  },
  {
    name: 'api',
    entry: 'services/api/main.ts',
    enabled: (ctx) => existsSync(join(ctx.projectDir, 'services/api/main.ts')),
    port: 'api',
    env: (ctx) => ({
      API_HOST: '127.0.0.1',
      API_PORT: String(ctx.ports.api),
      API_KEY: secret(ctx, 'API_KEY'),
      POSTGRES_HOST: '127.0.0.1',
      POSTGRES_PORT: String(ctx.ports.postgres),
      POSTGRES_DB: databaseName(ctx.manifest),
      POSTGRES_USER: 'api_reader',
      POSTGRES_PASSWORD: secret(ctx, 'POSTGRES_API_PASSWORD'),
      REDIS_HOST: '127.0.0.1',
      REDIS_PORT: String(ctx.ports.redis),
      REDIS_USERNAME: 'api',
      REDIS_PASSWORD: secret(ctx, 'REDIS_API_PASSWORD'),
    }),
  },
];

export function serviceEnv(ctx: NativeContext, name: string): Record<string, string> {
  const spec = SERVICES.find((s) => s.name === name)!;
  return { ...common(ctx, name), ...spec.env(ctx) };
}

export const platformServices: NativeComponent[] = SERVICES.map((spec) => ({
  name: spec.name,
  prerequisites: [{ command: 'node', install: 'Node.js >= 22.18' }],
  enabled: spec.enabled,
  ports: () => [spec.port],
  async start(ctx) {
    if (!existsSync(join(ctx.projectDir, 'node_modules'))) throw new Error('node_modules missing; run npm install first');
    return [
      startProcess({
        command: process.execPath,
        args: [spec.entry],
        cwd: ctx.projectDir,
        env: serviceEnv(ctx, spec.name),
        log: join(ctx.stateDir, 'logs', `${spec.name}.log`),
      }),
    ];
  },
  async ready(ctx) {
    await waitFor(spec.name, () => httpOk(`http://127.0.0.1:${ctx.ports[spec.port]}/readyz`), { timeoutMs: 60_000 });
  },
  addresses(ctx): Record<string, string> {
    return spec.name === 'api' ? { API_URL: `http://127.0.0.1:${ctx.ports.api}` } : {};
  },
}));
