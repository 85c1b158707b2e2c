-- rich.tracks.v1: tracks as the ingest gateway decodes their 40-byte records (iot-platform.yaml events.tracks; key
-- "env|tenant|runId"). Read by 10-rings.sql. The detector's time is UTC in nanoseconds (time_ns); the stream's clock is
-- that time, so a replay of an old run re-times its records to now (the e2e tests and iot-rich-sim do).
CREATE TEMPORARY TABLE tracks (
  env         STRING,
  tenant      STRING,
  runId       STRING,
  x           FLOAT,    -- impact point on the radiator (mm, z = 0)
  y           FLOAT,
  z           FLOAT,
  vx          FLOAT,    -- unit direction
  vy          FLOAT,
  vz          FLOAT,
  timeSec     BIGINT,
  timeNanosec BIGINT,
  ingestedAt  BIGINT,   -- epoch ms: when the gateway received the record
  time_ns AS timeSec * 1000000000 + timeNanosec,
  rowtime AS TO_TIMESTAMP_LTZ((timeSec * 1000000000 + timeNanosec) / 1000000, 3),
  WATERMARK FOR rowtime AS rowtime - INTERVAL '0.001' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'rich.tracks.v1',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  'value.format' = 'json',
  'value.json.fail-on-missing-field' = 'false',
  'value.json.ignore-parse-errors' = 'true',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest'
);
