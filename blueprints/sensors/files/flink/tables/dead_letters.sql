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
  'value.format' = 'json'
);
