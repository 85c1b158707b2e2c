// The one version source for everything a generated repository pins: container images and npm packages.
// Renovate in generated repos keeps the copies current; bump them here for new platform releases.

export const KAFKA_VERSION = '4.1.1';

export const IMAGES = {
  kafka: `apache/kafka:${KAFKA_VERSION}`,
  flink: 'flink:2.2.1-java17',
  postgres: 'postgres:17.6-alpine3.22',
  redis: 'redis:8.2.3-alpine3.22',
  mosquitto: 'eclipse-mosquitto:2.0.22',
  seaweedfs: 'chrislusf/seaweedfs:3.99',
  elasticsearch: 'docker.elastic.co/elasticsearch/elasticsearch:9.2.1',
  logstash: 'docker.elastic.co/logstash/logstash:9.2.1',
  kibana: 'docker.elastic.co/kibana/kibana:9.2.1',
  node: 'node:24.11.1-alpine3.22',
  dbt: 'ghcr.io/dbt-labs/dbt-postgres:1.9.1',
  maven: 'maven:3.9.11-eclipse-temurin-17',
} as const;

export const FLINK_VERSION = '2.2.1';

/** npm packages of generated repositories (services, simulator, e2e tests). */
export const NPM = {
  dependencies: {
    '@fastify/rate-limit': '^11.2.0',
    '@fastify/swagger': '^9.9.3',
    '@fastify/swagger-ui': '^6.1.3',
    fastify: '^5.12.8',
    'fastify-type-provider-zod': '^7.0.0',
    ioredis: '^6.0.0',
    kafkajs: '^2.2.4',
    mqtt: '^5.16.0',
    pg: '^8.23.1',
    yaml: '^2.9.1',
    zod: '^4.6.7',
  },
  devDependencies: {
    '@types/node': '^24.19.2',
    '@types/pg': '^8.23.1',
    typescript: '^7.0.2',
    vitest: '^5.1.1',
  },
} as const;

export const PYTHON = {
  'dbt-core': '1.10.15',
  'dbt-postgres': '1.9.1',
} as const;
