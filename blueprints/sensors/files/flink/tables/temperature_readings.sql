-- sensors.temperature.v1: the temperature readings the ingest gateway publishes (one JSON record per message).
-- Read by 10-measurement.sql, which names its consumer group in an OPTIONS hint (see humidity_readings.sql).
CREATE TEMPORARY TABLE temperature_readings (
  env         STRING,
  tenant      STRING,
  deviceId    STRING,
  eventTime   STRING,
  temperature DOUBLE,
  seq         BIGINT,
  ingestedAt  BIGINT,
  event_ts AS COALESCE(TRY_CAST(REPLACE(REPLACE(eventTime, 'T', ' '), 'Z', '') AS TIMESTAMP(3)), TIMESTAMP '1970-01-01 00:00:00.000')
) WITH (
  'connector' = 'kafka',
  'topic' = 'sensors.temperature.v1',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'json',
  'json.fail-on-missing-field' = 'false',
  'json.ignore-parse-errors' = 'true'
);
