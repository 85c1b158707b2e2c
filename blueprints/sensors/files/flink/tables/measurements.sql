-- sensors.measurement.v1: humidity ⋈ temperature of one device tick. Written by 10-measurement.sql (key
-- "env|tenant|deviceId", JSON value), read by 20-enrichment.sql (which names its consumer group in an OPTIONS
-- hint). The computed columns and the watermark serve the readers; a writer fills only the physical columns.
CREATE TEMPORARY TABLE measurements (
  record_key                   STRING,   -- Kafka record key "env|tenant|deviceId" (not in the JSON value)
  env                          STRING,
  tenant                       STRING,
  device_id                    STRING,
  measured_at                  STRING,   -- humidity event time, ISO-8601 UTC with ms
  measured_at_ms               BIGINT,
  seq                          BIGINT,
  humidity                     DOUBLE,
  temperature                  DOUBLE,
  humidity_event_time          STRING,
  temperature_event_time       STRING,
  humidity_ingested_at         BIGINT,
  temperature_ingested_at      BIGINT,
  measurement_processing_ts_ms BIGINT,
  event_ts AS COALESCE(TRY_CAST(REPLACE(REPLACE(measured_at, 'T', ' '), 'Z', '') AS TIMESTAMP(3)), TIMESTAMP '1970-01-01 00:00:00.000'),
  dim_key AS CONCAT(env, '|', tenant, '|', device_id),
  -- when this job read the record (wall clock); the watermark trails it by 2 s, so ENRICH_AS_OF (20-enrichment.sql)
  -- holds a measurement until 2 s after it was read and applies every report read by then
  read_at AS CAST(CURRENT_TIMESTAMP AS TIMESTAMP_LTZ(3)),
  WATERMARK FOR read_at AS read_at - INTERVAL '2' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'sensors.measurement.v1',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  'key.format' = 'raw',
  'key.fields' = 'record_key',
  'value.format' = 'json',
  'value.fields-include' = 'EXCEPT_KEY',
  'value.json.fail-on-missing-field' = 'false',
  'value.json.ignore-parse-errors' = 'true',
  -- exactly once: written in Kafka transactions that commit with the checkpoints of the writing job, so what a
  -- crashed job wrote after its last checkpoint is never read, and the restored job writes it once (README: Restarts)
  'sink.delivery-guarantee' = 'exactly-once',
  -- a new transactional id per checkpoint (Flink's default naming; the broker forgets ids after an hour, see
  -- transactional.id.expiration.ms in the stack)
  'sink.transactional-id-prefix' = 'sensors-measurement',
  -- below the broker limit (transaction.max.timeout.ms, 15 min): the default of 1 h is refused
  'properties.transaction.timeout.ms' = '600000',
  -- readers see committed transactions only
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest'
);
