-- sensors.location.v1 read as a stream of versions (every report, in arrival order), for ENRICH_AS_OF in
-- 20-enrichment.sql; device_locations.sql reads the same topic as a table of each device's latest report.
CREATE TEMPORARY TABLE location_reports (
  env        STRING,
  tenant     STRING,
  deviceId   STRING,
  eventTime  STRING,
  lat        DOUBLE,
  lon        DOUBLE,
  ingestedAt BIGINT,
  event_ts AS COALESCE(TRY_CAST(REPLACE(REPLACE(eventTime, 'T', ' '), 'Z', '') AS TIMESTAMP(3)), TIMESTAMP '1970-01-01 00:00:00.000'),
  -- when the record entered Kafka: ENRICH_AS_OF applies every report that entered before a measurement
  entered_at TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
  WATERMARK FOR entered_at AS entered_at
) WITH (
  'connector' = 'kafka',
  'topic' = 'sensors.location.v1',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'json',
  'json.fail-on-missing-field' = 'false',
  'json.ignore-parse-errors' = 'true'
);
