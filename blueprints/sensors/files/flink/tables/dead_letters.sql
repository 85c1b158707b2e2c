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
  -- at least once, like the gateway's dead letters: no job reads them. (Written in Kafka transactions, the summary
  -- job's producer was fenced and the job failed over, re-emitting older summaries and streaks.)
  'value.format' = 'json'
);
