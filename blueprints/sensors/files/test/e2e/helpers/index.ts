export { waitFor, type WaitOptions } from './wait-for.ts';
export { env, kafka, manifest, mqttClient, pgPool, redisClient, runId, TopicRecorder, type KafkaRecord } from './clients.ts';
