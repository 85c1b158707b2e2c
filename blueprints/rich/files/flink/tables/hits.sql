-- rich.hits.v1: pixel hits as the ingest gateway decodes their 24-byte records (iot-platform.yaml events.hits; key
-- "env|tenant|runId"). Read by 10-rings.sql; clock as tracks.sql says.
CREATE TEMPORARY TABLE hits (
  env         STRING,
  tenant      STRING,
  runId       STRING,
  ix          INT,
  iy          INT,
  timeSec     BIGINT,
  timeNanosec BIGINT,
  ingestedAt  BIGINT,   -- epoch ms: when the gateway received the record
  time_ns AS timeSec * 1000000000 + timeNanosec,
  rowtime AS TO_TIMESTAMP_LTZ((timeSec * 1000000000 + timeNanosec) / 1000000, 3),
  WATERMARK FOR rowtime AS rowtime - INTERVAL '0.001' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'rich.hits.v1',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  -- a fetch finding nothing new is answered after 5 s instead of 0.5 s (new records are answered at once): an idle
  -- stack polls the broker a tenth as often
  'properties.fetch.max.wait.ms' = '5000',
  'value.format' = 'json',
  'value.json.fail-on-missing-field' = 'false',
  'value.json.ignore-parse-errors' = 'true',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest'
);
