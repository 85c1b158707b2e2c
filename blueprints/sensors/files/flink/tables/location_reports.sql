-- sensors.location.v1 read as a stream of versions (every report, in arrival order), for ENRICH_AS_OF in
-- 20-enrichment.sql, which also takes each device's latest report from it as the current location. Read from the earliest
-- offset when the job starts without a checkpoint (on restore, from the checkpoint's offsets): the compacted topic holds
-- every device's latest report, however long ago it came.
CREATE TEMPORARY TABLE location_reports (
  env        STRING,
  tenant     STRING,
  deviceId   STRING,
  eventTime  STRING,
  lat        DOUBLE,
  lon        DOUBLE,
  ingestedAt BIGINT,
  event_ts AS COALESCE(TRY_CAST(REPLACE(REPLACE(eventTime, 'T', ' '), 'Z', '') AS TIMESTAMP(3)), TIMESTAMP '1970-01-01 00:00:00.000'),
  -- the record's place in its device's partition: the current state's order of reports (20-enrichment.sql)
  record_offset BIGINT METADATA FROM 'offset' VIRTUAL,
  -- when this job read the record (wall clock); the watermark trails it by 2 s, so ENRICH_AS_OF (20-enrichment.sql)
  -- holds a measurement until 2 s after it was read and applies every report read by then
  read_at AS CAST(CURRENT_TIMESTAMP AS TIMESTAMP_LTZ(3)),
  WATERMARK FOR read_at AS read_at - INTERVAL '2' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'sensors.location.v1',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  -- a fetch finding nothing new is answered after 5 s instead of 0.5 s (new records are answered at once): an idle
  -- stack polls the broker a tenth as often
  'properties.fetch.max.wait.ms' = '5000',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'json',
  'json.fail-on-missing-field' = 'false',
  'json.ignore-parse-errors' = 'true'
);
