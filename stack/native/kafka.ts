// Apache Kafka 4 in single-node KRaft mode, from the Maven Central jars (no tarball download needed):
// Maven copies kafka_2.13 and its runtime dependencies into the cache once; the broker runs from there.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NativeComponent } from './component.ts';
import { secret, type NativeContext } from './context.ts';
import { run, startProcess } from './processes.ts';
import { waitFor, tcpOpen } from '../wait.ts';
import { KAFKA_VERSION } from '../../renderer/versions.ts';
import { createTopics } from './topics.ts';

const SLF4J_LOG4J = '2.24.3';

const libDir = (ctx: NativeContext) => join(ctx.cacheDir, 'kafka', KAFKA_VERSION, 'lib');
const classpath = (ctx: NativeContext) => `${libDir(ctx)}/*`;

function pom(): string {
  const dep = (g: string, a: string, v: string) => `<dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version></dependency>`;
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.iot-platform</groupId><artifactId>kafka-runtime</artifactId><version>${KAFKA_VERSION}</version>
  <dependencies>
    ${dep('org.apache.kafka', 'kafka_2.13', KAFKA_VERSION)}
    ${dep('org.apache.logging.log4j', 'log4j-slf4j-impl', SLF4J_LOG4J)}
  </dependencies>
</project>
`;
}

function writeConfigs(ctx: NativeContext): { server: string; log4j: string } {
  const dir = join(ctx.stateDir, 'run', 'kafka');
  mkdirSync(dir, { recursive: true });
  const server = join(dir, 'server.properties');
  writeFileSync(
    server,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${ctx.ports.kafkaController}`,
      `listeners=PLAINTEXT://127.0.0.1:${ctx.ports.kafka},CONTROLLER://127.0.0.1:${ctx.ports.kafkaController}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${ctx.ports.kafka}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      `log.dirs=${join(ctx.stateDir, 'data', 'kafka')}`,
      'num.partitions=1',
      'auto.create.topics.enable=false',
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=3',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      // Flink's exactly-once sinks name a new transactional id per checkpoint; the default keeps each for 7 days
      'transactional.id.expiration.ms=3600000',
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      'message.max.bytes=10485760',
      '',
    ].join('\n'),
  );
  const log4j = join(dir, 'log4j2.properties');
  writeFileSync(
    log4j,
    [
      'rootLogger.level=INFO',
      'rootLogger.appenderRef.stdout.ref=STDOUT',
      'appender.stdout.type=Console',
      'appender.stdout.name=STDOUT',
      'appender.stdout.layout.type=PatternLayout',
      'appender.stdout.layout.pattern=[%d] %p %m (%c)%n',
      'logger.kafka.name=kafka',
      'logger.kafka.level=WARN',
      'logger.apache.name=org.apache.kafka',
      'logger.apache.level=WARN',
      '',
    ].join('\n'),
  );
  return { server, log4j };
}

function java(ctx: NativeContext, log4j: string, heap: string, mainClass: string, args: string[]): [string, string[]] {
  // the heap grows to `heap` as the broker needs it, not all of it from the start (-Xms = -Xmx kept it all resident)
  return ['java', ['-Xms64m', `-Xmx${heap}`, '-XX:+UseG1GC', `-Dlog4j2.configurationFile=${log4j}`, '-cp', classpath(ctx), mainClass, ...args]];
}

export const kafka: NativeComponent = {
  name: 'kafka',
  prerequisites: [
    { command: 'java', install: 'apt-get install openjdk-17-jre-headless' },
    { command: 'mvn', install: 'apt-get install maven' },
  ],
  enabled: () => true,
  ports: () => ['kafka', 'kafkaController'],

  async install(ctx) {
    const lib = libDir(ctx);
    if (existsSync(lib) && readdirSync(lib).some((f) => f.startsWith('kafka_2.13-'))) return;
    const dir = join(ctx.cacheDir, 'kafka', KAFKA_VERSION);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'pom.xml'), pom());
    run('mvn', ['-q', '-B', 'dependency:copy-dependencies', `-DoutputDirectory=${lib}`, '-DincludeScope=runtime'], { cwd: dir });
  },

  async start(ctx) {
    const { server, log4j } = writeConfigs(ctx);
    if (!existsSync(join(ctx.stateDir, 'data', 'kafka', 'meta.properties'))) {
      const [cmd, args] = java(ctx, log4j, '256m', 'kafka.tools.StorageTool', ['format', `--cluster-id=${secret(ctx, 'KAFKA_CLUSTER_ID')}`, '-c', server, '--ignore-formatted']);
      run(cmd, args);
    }
    // at most 512 MiB, compose's -Xms: a development broker's heap holds requests in flight and metadata, its
    // records live in the page cache; a fixed 1 GiB was a third of the native stack's 3 GiB budget
    const [cmd, args] = java(ctx, log4j, process.env.KAFKA_HEAP ?? '512m', 'kafka.Kafka', [server]);
    return [startProcess({ command: cmd, args, cwd: ctx.stateDir, log: join(ctx.stateDir, 'logs', 'kafka.log') })];
  },

  async ready(ctx) {
    await waitFor('kafka', () => tcpOpen(ctx.ports.kafka!), { timeoutMs: 90_000 });
  },

  async afterStart(ctx) {
    await createTopics(`127.0.0.1:${ctx.ports.kafka}`, ctx.manifest.topics);
  },

  addresses(ctx) {
    return { KAFKA_BROKERS: `127.0.0.1:${ctx.ports.kafka}` };
  },
};
