-- sensors.temperature.v1: the temperature readings the ingest gateway publishes (one JSON record per message).
-- Read by 20-enrichment.sql, which names its consumer group in an OPTIONS hint (see humidity_readings.sql).
CREATE TEMPORARY TABLE temperature_readings (
  env         STRING,
  tenant      STRING,
  deviceId    STRING,
  eventTime   STRING,
  temperature DOUBLE,
  seq         BIGINT,
  ingestedAt  BIGINT,
  event_ts AS COALESCE(TRY_CAST(REPLACE(REPLACE(eventTime, 'T', ' '), 'Z', '') AS TIMESTAMP(3)), TIMESTAMP '1970-01-01 00:00:00.000'),
  -- when the job read the record (wall clock), as on location_reports.sql: ENRICH_AS_OF (20-enrichment.sql) holds a
  -- measurement until 2 s after its second reading was read
  read_at AS CAST(CURRENT_TIMESTAMP AS TIMESTAMP_LTZ(3)),
  WATERMARK FOR read_at AS read_at - INTERVAL '2' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'sensors.temperature.v1',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  -- a fetch finding nothing new is answered after 5 s instead of 0.5 s (new records are answered at once): an idle
  -- stack polls the broker a tenth as often
  'properties.fetch.max.wait.ms' = '5000',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'json',
  'json.fail-on-missing-field' = 'false',
  'json.ignore-parse-errors' = 'true'
);
