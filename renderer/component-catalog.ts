// The component catalog: every service the platform runs from the services image, with its program, port,
// health checks, dependencies and environment contract, and every secret of `.env`. Compose, `.env`, the
// native driver and the chart values are derived from these tables, so adding a service (or a blueprint's
// own service, declared in its blueprint.yaml) is one edit here or there.
import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { componentName, sourceKind, type ComponentName, type Manifest } from '../manifest/schema.ts';

/** Addresses that differ per stack: compose service names, native loopback ports, Kubernetes Services. */
export const ENDPOINTS = [
  'kafka.brokers',
  'mqtt.url',
  'redis.host',
  'redis.port',
  'postgres.host',
  'postgres.port',
  'postgres.db',
  'service.port',
  'bind.host',
] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

/** The infrastructure a service can wait for (compose depends_on, native start order). */
export const INFRASTRUCTURE = ['kafka', 'mosquitto', 'redis', 'postgres'] as const;

/**
 * Settings of `.env` that services read, with the value a project is created with: compose and the native
 * driver take the project's `.env` (this value when `.env` lacks the name), the chart takes this value.
 */
export const SETTINGS = {
  /** The API's staleness rule: a device no message arrived from for this long is offline. */
  OFFLINE_AFTER_SECONDS: '60',
} as const satisfies Record<string, string>;
export type SettingName = keyof typeof SETTINGS;
const settingNames = Object.keys(SETTINGS) as [SettingName, ...SettingName[]];

const envValue = z.union([
  z.string().describe('a literal value'),
  z.strictObject({ secret: z.string(), postgresRole: z.string().optional() }).describe('a secret of .env (on Kubernetes: the release Secret, or the role Secret of postgresRole)'),
  z.strictObject({ endpoint: z.enum(ENDPOINTS) }).describe('an address that differs per stack'),
  z.strictObject({ setting: z.enum(settingNames) }).describe('a setting of .env (SETTINGS; on Kubernetes: its default)'),
]);
export type EnvValue = z.infer<typeof envValue>;

export const serviceSpec = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'use lower-case letters, digits and "-"'),
  /** Chart values key of its replicas, autoscaling and resources (services.<valuesKey>). */
  valuesKey: z.string().regex(/^[a-z][a-zA-Z0-9]*$/),
  description: z.string(),
  when: componentName.optional(),
  /** A program of the pinned platform package (its bin) or a file of the project. */
  run: z.union([z.strictObject({ platform: z.string() }), z.strictObject({ project: z.string() })]),
  port: z.number().int().min(1024).max(65_535),
  /** Published on the machine (compose: 127.0.0.1 only; native: written to .stack/addresses.env). */
  publish: z.strictObject({ addressVariable: z.string() }).optional(),
  kafkaClient: z.boolean().default(false),
  dependsOn: z.array(z.enum(INFRASTRUCTURE)).default([]),
  env: z.record(z.string(), envValue).default({}),
});
export type ServiceSpec = z.infer<typeof serviceSpec>;
export type ServiceSpecInput = z.input<typeof serviceSpec>;

const PLATFORM_SERVICES: ServiceSpecInput[] = [
  {
    name: 'ingest-gateway',
    valuesKey: 'ingestGateway',
    description: 'MQTT / HTTP push / HTTP poll → validated records in Kafka, dead letters with the reason',
    run: { platform: 'iot-ingest-gateway' },
    port: 8081,
    kafkaClient: true,
    dependsOn: ['kafka', 'mosquitto'],
    env: {
      MQTT_URL: { endpoint: 'mqtt.url' },
      MQTT_USERNAME: 'gateway',
      MQTT_PASSWORD: { secret: 'MQTT_GATEWAY_PASSWORD' },
      HEALTH_PORT: { endpoint: 'service.port' },
    },
  },
  {
    name: 'redis-sink',
    valuesKey: 'redisSink',
    description: 'upsert-kafka topics → Redis hashes by the key mapping of sinks.redis',
    when: 'redis',
    run: { platform: 'iot-redis-sink' },
    port: 8082,
    kafkaClient: true,
    dependsOn: ['kafka', 'redis'],
    env: {
      REDIS_HOST: { endpoint: 'redis.host' },
      REDIS_PORT: { endpoint: 'redis.port' },
      REDIS_PASSWORD: { secret: 'REDIS_PASSWORD' },
      HEALTH_PORT: { endpoint: 'service.port' },
    },
  },
  {
    name: 'api',
    valuesKey: 'api',
    description: "the blueprint's HTTP API on the platform API kit (OpenAPI at /docs)",
    when: 'api',
    run: { project: 'services/api/main.ts' },
    port: 8080,
    publish: { addressVariable: 'API_URL' },
    dependsOn: ['redis', 'postgres'],
    env: {
      API_HOST: { endpoint: 'bind.host' },
      API_PORT: { endpoint: 'service.port' },
      API_KEY: { secret: 'API_KEY' },
      REDIS_HOST: { endpoint: 'redis.host' },
      REDIS_PORT: { endpoint: 'redis.port' },
      REDIS_USERNAME: 'api',
      REDIS_PASSWORD: { secret: 'REDIS_API_PASSWORD' },
      POSTGRES_HOST: { endpoint: 'postgres.host' },
      POSTGRES_PORT: { endpoint: 'postgres.port' },
      POSTGRES_DB: { endpoint: 'postgres.db' },
      POSTGRES_USER: 'api_reader',
      POSTGRES_PASSWORD: { secret: 'POSTGRES_API_PASSWORD', postgresRole: 'api_reader' },
      OFFLINE_AFTER_SECONDS: { setting: 'OFFLINE_AFTER_SECONDS' },
    },
  },
];

/** The services of a project: the platform's, then its blueprint's own, each when its component is chosen. */
export function servicesOf(manifest: Manifest, blueprintServices: readonly ServiceSpecInput[] = []): ServiceSpec[] {
  const services = [...PLATFORM_SERVICES, ...blueprintServices].map((s) => serviceSpec.parse(s));
  return services
    .filter((s) => !s.when || manifest.components.includes(s.when))
    .map((s) => (s.name === 'ingest-gateway' ? withIngestHttp(s, manifest) : s));
}

/** The gateway listens for HTTP push only when an event has an http source, with a per-project token. */
function withIngestHttp(gateway: ServiceSpec, manifest: Manifest): ServiceSpec {
  if (!usesHttpPush(manifest)) return gateway;
  return { ...gateway, env: { ...gateway.env, INGEST_HTTP_PORT: '8088', INGEST_HTTP_TOKEN: { secret: 'INGEST_HTTP_TOKEN' } } };
}

const usesHttpPush = (manifest: Manifest) => Object.values(manifest.events).some((e) => sourceKind(e) === 'http');

/** Resolves a service's environment for one stack: literals as they are, secrets, settings and endpoints by the stack's rules. */
export function resolveEnv(
  service: ServiceSpec,
  resolve: { secret: (name: string) => string; setting: (name: SettingName) => string; endpoint: (endpoint: Endpoint, service: ServiceSpec) => string },
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(service.env).map(([name, value]) => [
      name,
      typeof value === 'string'
        ? value
        : 'secret' in value
          ? resolve.secret(value.secret)
          : 'setting' in value
            ? resolve.setting(value.setting)
            : resolve.endpoint(value.endpoint, service),
    ]),
  );
}

// ---- .env: settings and per-project secrets ----

export interface EnvEntry {
  name: string;
  comment: string;
  /** A fixed setting, or `undefined` for a secret generated per project. */
  value?: (manifest: Manifest) => string;
  secret?: () => string;
  when?: ComponentName | ((manifest: Manifest) => boolean);
}

/** A random secret for .env (24 bytes, base64url). */
export const newPassword = () => randomBytes(24).toString('base64url');
const password = newPassword;
// Kafka's cluster id is a base64url-encoded UUID (22 characters).
/** A KRaft cluster id (a UUID in base64url), never starting with "-" (Kafka's tools would read it as an option). */
export function kafkaClusterId(): string {
  for (;;) {
    const id = Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export const ENV_ENTRIES: EnvEntry[] = [
  { name: 'COMPOSE_PROJECT_NAME', comment: 'Docker Compose project name', value: (m) => m.project.name },
  { name: 'TZ', comment: 'Time zone for "local" days (dbt reports, API day buckets)', value: (m) => m.project.timeZone },
  {
    name: 'OFFLINE_AFTER_SECONDS',
    comment: 'API: a device no message arrived from for this many seconds is offline (the simulator sends every second)',
    value: () => SETTINGS.OFFLINE_AFTER_SECONDS,
    when: 'api',
  },
  { name: 'KAFKA_CLUSTER_ID', comment: 'KRaft cluster id, random per project', secret: kafkaClusterId },
  { name: 'POSTGRES_PASSWORD', comment: 'PostgreSQL superuser (migrations only)', secret: password },
  { name: 'POSTGRES_FLINK_PASSWORD', comment: 'PostgreSQL role flink_writer (Flink JDBC sinks)', secret: password },
  { name: 'POSTGRES_API_PASSWORD', comment: 'PostgreSQL role api_reader (read-only API)', secret: password, when: 'api' },
  { name: 'POSTGRES_DBT_PASSWORD', comment: 'PostgreSQL role dbt_runner (dbt marts)', secret: password, when: 'dbt' },
  { name: 'REDIS_PASSWORD', comment: 'Redis default user (Redis sink)', secret: password, when: 'redis' },
  { name: 'REDIS_API_PASSWORD', comment: 'Redis read-only ACL user "api"', secret: password, when: 'api' },
  { name: 'MQTT_GATEWAY_PASSWORD', comment: 'Mosquitto user "gateway" (ingest gateway, subscribe)', secret: password },
  { name: 'MQTT_ADMIN_PASSWORD', comment: 'Mosquitto user "admin" (manages device users: npm run devices)', secret: password },
  { name: 'MQTT_DEVICE_KEY', comment: 'Derives each device\'s Mosquitto password (npm run devices -- credentials <tenant>/<deviceId>)', secret: password },
  { name: 'INGEST_HTTP_TOKEN', comment: 'Bearer token devices send to the gateway\'s HTTP push endpoint', secret: password, when: usesHttpPush },
  { name: 'API_KEY', comment: 'API key for the HTTP API (header x-api-key)', secret: password, when: 'api' },
  { name: 'S3_ACCESS_KEY', comment: 'SeaweedFS S3 access key', secret: () => randomBytes(10).toString('hex'), when: 'history' },
  { name: 'S3_SECRET_KEY', comment: 'SeaweedFS S3 secret key', secret: password, when: 'history' },
  { name: 'ELASTIC_PASSWORD', comment: 'Elasticsearch user "elastic"', secret: password, when: 'observability' },
  { name: 'KIBANA_PASSWORD', comment: 'Elasticsearch user "kibana_system"', secret: password, when: 'observability' },
];

export function envEntriesFor(manifest: Manifest): EnvEntry[] {
  return ENV_ENTRIES.filter((e) =>
    e.when === undefined ? true : typeof e.when === 'function' ? e.when(manifest) : manifest.components.includes(e.when),
  );
}

// ---- what each stack makes of a service ----

/** The program inside the services image, after `node`. */
export function containerCommand(service: ServiceSpec): string[] {
  return ['platform' in service.run ? `node_modules/create-iot-platform/bin/${service.run.platform}.js` : service.run.project];
}

/** A service as the platform chart's values.serviceCatalog holds it (env resolved by the chart). */
export function chartServiceEntry(service: ServiceSpec) {
  return {
    name: service.name,
    valuesKey: service.valuesKey,
    command: containerCommand(service),
    port: service.port,
    kafkaClient: service.kafkaClient,
    env: Object.entries(service.env).map(([name, value]) =>
      typeof value === 'string' ? { name, value } : 'setting' in value ? { name, value: SETTINGS[value.setting] } : { name, ...value },
    ),
  };
}
