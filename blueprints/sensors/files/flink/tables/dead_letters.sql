-- sensors.dlq, written by Flink jobs too: readings a job cannot use (30-summary.sql: "late" ones), with the
-- reason and the record, next to the gateway's dead letters ({reason, source, …, rawPayload, receivedAt}).
CREATE TEMPORARY TABLE dead_letters (
  reason     STRING,
  source     STRING,   -- 'flink'
  job        STRING,   -- the job that rejected it
  rawPayload STRING,   -- the record as JSON
  receivedAt BIGINT    -- wall clock (ms) of the rejection
) WITH (
  'connector' = 'kafka',
  'topic' = 'sensors.dlq',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  'value.format' = 'json',
  -- exactly once: written in Kafka transactions that commit with the checkpoints of the writing job, so what a
  -- crashed job wrote after its last checkpoint is never read, and the restored job writes it once (README: Restarts)
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = 'sensors-dead-letters',
  -- below the broker limit (transaction.max.timeout.ms, 15 min): the default of 1 h is refused
  'properties.transaction.timeout.ms' = '600000'
);
