export { waitFor, type WaitOptions } from './wait-for.ts';
export { env, kafka, manifest, mqttClient, pgPool, redisClient, runId, TopicRecorder, type KafkaRecord } from './clients.ts';
export {
  eventClock,
  loadScenario,
  parameter,
  PARAMETER_DEFAULTS,
  partitionOf,
  publish,
  ScenarioRun,
  SCENARIO_DIR,
  type Expected,
  type OutgoingMessage,
  type ScenarioMessage,
} from './scenario.ts';
export {
  flinkConsumers,
  flinkJobCount,
  restartFlink,
  runningJobCheckpoints,
  uncommittedRecords,
  waitForCheckpointsSince,
  type FlinkConsumer,
  type JobCheckpoints,
} from './flink.ts';
export { stack } from './stack.ts';
