// The service library of generated repositories: `import { env, createLogger, … } from 'create-iot-platform/service-kit'`.
// first: kafkajs must find the corrected read_committed filter when it loads (kafkajs-read-committed.ts)
export { kafkajsReadsCommitted } from './kafkajs-read-committed.ts';
export * as env from './env.ts';
export { EnvError } from './env.ts';
export { createLogger, logLevel, type Logger, type LogLevel } from './log.ts';
export { startHealthServer, type HealthOptions } from './health-server.ts';
export { installShutdownHandlers, isShuttingDown, onShutdown, shutdown } from './shutdown.ts';
export {
  deadLetterTopic,
  loadManifest,
  loadManifestOrExit,
  parseManifest,
  type EventDefinition,
  type EventField,
  type RedisSinkDefinition,
  type RuntimeManifest,
} from './manifest.ts';
export { fixKafkajsIdleTimer } from './kafkajs-idle-timer.ts';
/** @deprecated the earlier name of fixKafkajsIdleTimer, which fixes the timer that warning came from */
export { fixKafkajsIdleTimer as quietKafkajsTimerWarning } from './kafkajs-idle-timer.ts';
export { createKafka } from './kafka.ts';
