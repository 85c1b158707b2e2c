-- sensors.state.v1 (compacted, key "env|tenant|deviceId"): each device's latest radio and battery state, for the
-- current state in 20-enrichment.sql (state_reports.sql reads every version; upsert-kafka: from the earliest offset).
CREATE TEMPORARY TABLE device_states (
  dim_key    STRING,
  env        STRING,
  tenant     STRING,
  deviceId   STRING,
  eventTime  STRING,
  rssi       INT,
  snr        DOUBLE,
  battery    DOUBLE,
  online     BOOLEAN,
  ingestedAt BIGINT,
  event_ts AS COALESCE(TRY_CAST(REPLACE(REPLACE(eventTime, 'T', ' '), 'Z', '') AS TIMESTAMP(3)), TIMESTAMP '1970-01-01 00:00:00.000'),
  PRIMARY KEY (dim_key) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'sensors.state.v1',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  'key.format' = 'raw',
  'value.format' = 'json',
  'value.json.fail-on-missing-field' = 'false',
  'value.json.ignore-parse-errors' = 'true',
  'value.fields-include' = 'EXCEPT_KEY'
);
