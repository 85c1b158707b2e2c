// The `.env` of a generated repository: settings and per-project random secrets (git-ignored), and its
// committed twin `.env.example` with the secrets left blank. One table drives both.
import { randomBytes, randomUUID } from 'node:crypto';
import type { ComponentName, Manifest } from '../manifest/schema.ts';

interface EnvEntry {
  name: string;
  comment: string;
  /** A fixed setting, or `undefined` for a secret generated per project. */
  value?: (manifest: Manifest) => string;
  secret?: () => string;
  when?: ComponentName;
}

const password = () => randomBytes(24).toString('base64url');
// Kafka's cluster id is a base64url-encoded UUID (22 characters).
const kafkaClusterId = () => Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64url');

export const ENV_ENTRIES: EnvEntry[] = [
  { name: 'COMPOSE_PROJECT_NAME', comment: 'Docker Compose project name', value: (m) => m.project.name },
  { name: 'TZ', comment: 'Time zone for "local" days (dbt reports, API day buckets)', value: (m) => m.project.timeZone },
  { name: 'KAFKA_CLUSTER_ID', comment: 'KRaft cluster id, random per project', secret: kafkaClusterId },
  { name: 'POSTGRES_PASSWORD', comment: 'PostgreSQL superuser (migrations only)', secret: password },
  { name: 'POSTGRES_FLINK_PASSWORD', comment: 'PostgreSQL role flink_writer (Flink JDBC sinks)', secret: password },
  { name: 'POSTGRES_API_PASSWORD', comment: 'PostgreSQL role api_reader (read-only API)', secret: password, when: 'api' },
  { name: 'POSTGRES_DBT_PASSWORD', comment: 'PostgreSQL role dbt_runner (dbt marts)', secret: password, when: 'dbt' },
  { name: 'REDIS_PASSWORD', comment: 'Redis default user (Redis sink)', secret: password, when: 'redis' },
  { name: 'REDIS_API_PASSWORD', comment: 'Redis read-only ACL user "api"', secret: password, when: 'api' },
  { name: 'MQTT_GATEWAY_PASSWORD', comment: 'Mosquitto user "gateway" (ingest gateway, subscribe)', secret: password },
  { name: 'MQTT_DEVICE_PASSWORD', comment: 'Mosquitto user "device" (devices and simulator, publish)', secret: password },
  { name: 'API_KEY', comment: 'API key for the HTTP API (header x-api-key)', secret: password, when: 'api' },
  { name: 'S3_ACCESS_KEY', comment: 'SeaweedFS S3 access key', secret: () => randomBytes(10).toString('hex'), when: 'history' },
  { name: 'S3_SECRET_KEY', comment: 'SeaweedFS S3 secret key', secret: password, when: 'history' },
  { name: 'ELASTIC_PASSWORD', comment: 'Elasticsearch user "elastic"', secret: password, when: 'observability' },
  { name: 'KIBANA_PASSWORD', comment: 'Elasticsearch user "kibana_system"', secret: password, when: 'observability' },
];

function entriesFor(manifest: Manifest): EnvEntry[] {
  return ENV_ENTRIES.filter((e) => !e.when || manifest.components.includes(e.when));
}

export function renderEnv(manifest: Manifest): string {
  return render(manifest, (entry) => (entry.value ? entry.value(manifest) : entry.secret!()));
}

export function renderEnvExample(manifest: Manifest): string {
  return render(manifest, (entry) => (entry.value ? entry.value(manifest) : ''));
}

function render(manifest: Manifest, valueOf: (entry: EnvEntry) => string): string {
  const lines = [
    '# Settings and secrets of this project. `.env` is git-ignored and holds random secrets made at creation;',
    '# `.env.example` lists the same names with the secrets left blank: fill each with a long random value',
    '# (for example `openssl rand -base64 24`). Nothing here has a default password.',
  ];
  for (const entry of entriesFor(manifest)) {
    lines.push('', `# ${entry.comment}${entry.value ? '' : ' (secret)'}`, `${entry.name}=${valueOf(entry)}`);
  }
  return `${lines.join('\n')}\n`;
}
