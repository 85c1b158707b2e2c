-- sensors.location.v1 (compacted, key "env|tenant|deviceId"): each device's latest location, for the current
-- state in 20-enrichment.sql (location_reports.sql reads every version). upsert-kafka always reads its topic from
-- the earliest offset (the whole compacted history).
CREATE TEMPORARY TABLE device_locations (
  dim_key    STRING,   -- the Kafka record key "env|tenant|deviceId"
  env        STRING,
  tenant     STRING,
  deviceId   STRING,
  eventTime  STRING,
  lat        DOUBLE,
  lon        DOUBLE,
  ingestedAt BIGINT,
  event_ts AS COALESCE(TRY_CAST(REPLACE(REPLACE(eventTime, 'T', ' '), 'Z', '') AS TIMESTAMP(3)), TIMESTAMP '1970-01-01 00:00:00.000'),
  PRIMARY KEY (dim_key) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'sensors.location.v1',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  'key.format' = 'raw',
  'value.format' = 'json',
  'value.json.fail-on-missing-field' = 'false',
  'value.json.ignore-parse-errors' = 'true',
  'value.fields-include' = 'EXCEPT_KEY'
);
