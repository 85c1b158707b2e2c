-- sensors.humidity.v1: the humidity readings the ingest gateway publishes (one JSON record per message).
-- Read by 20-enrichment.sql. Shared by every job (the SQL runner creates these tables before each job's own
-- script): a job that reads it names its consumer group in a hint, since 'group-offsets' needs one:
--   FROM humidity_readings /*+ OPTIONS('properties.group.id' = 'flink-sensors-enrichment') */
CREATE TEMPORARY TABLE humidity_readings (
  env        STRING,
  tenant     STRING,
  deviceId   STRING,
  eventTime  STRING,
  humidity   DOUBLE,
  seq        BIGINT,
  ingestedAt BIGINT,
  -- "2026-01-05T10:00:00.000Z" → TIMESTAMP(3) in UTC; an unparseable value becomes 1970-01-01 (jobs filter it out).
  event_ts AS COALESCE(TRY_CAST(REPLACE(REPLACE(eventTime, 'T', ' '), 'Z', '') AS TIMESTAMP(3)), TIMESTAMP '1970-01-01 00:00:00.000'),
  -- when the job read the record (wall clock), as on location_reports.sql: ENRICH_AS_OF (20-enrichment.sql) holds a
  -- measurement until 2 s after its second reading was read
  read_at AS CAST(CURRENT_TIMESTAMP AS TIMESTAMP_LTZ(3)),
  WATERMARK FOR read_at AS read_at - INTERVAL '2' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'sensors.humidity.v1',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  -- a fetch finding nothing new is answered after 5 s instead of 0.5 s (new records are answered at once): an idle
  -- stack polls the broker a tenth as often
  'properties.fetch.max.wait.ms' = '5000',
  -- committed group offsets when the job restarts without a checkpoint, else from the earliest offset
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'json',
  'json.fail-on-missing-field' = 'false',
  'json.ignore-parse-errors' = 'true'
);
