-- sensors.enriched.v1: every measurement with the device's location and state at its event time. Written by
-- 20-enrichment.sql (key "env|tenant|deviceId", JSON value), read by 30-summary.sql and 40-history.sql (each
-- names its consumer group in an OPTIONS hint). The computed event time serves the readers; its watermark serves
-- the history job's daily partition commits.
CREATE TEMPORARY TABLE enriched (
  record_key                   STRING,   -- Kafka record key "env|tenant|deviceId"
  env                          STRING,
  tenant                       STRING,
  device_id                    STRING,
  measured_at                  STRING,
  measured_at_ms               BIGINT,
  seq                          BIGINT,
  humidity                     DOUBLE,
  temperature                  DOUBLE,
  humidity_event_time          STRING,
  temperature_event_time       STRING,
  humidity_ingested_at         BIGINT,
  temperature_ingested_at      BIGINT,
  lat                          DOUBLE,
  lon                          DOUBLE,
  location_event_time          STRING,
  location_ingested_at         BIGINT,
  rssi                         INT,
  snr                          DOUBLE,
  battery                      DOUBLE,
  online                       BOOLEAN,
  state_event_time             STRING,
  state_ingested_at            BIGINT,
  measurement_processing_ts_ms BIGINT,
  enriched_processing_ts_ms    BIGINT,
  event_ts AS COALESCE(TRY_CAST(REPLACE(REPLACE(measured_at, 'T', ' '), 'Z', '') AS TIMESTAMP(3)), TIMESTAMP '1970-01-01 00:00:00.000'),
  WATERMARK FOR event_ts AS event_ts - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'sensors.enriched.v1',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  -- a fetch finding nothing new is answered after 5 s instead of 0.5 s (new records are answered at once): an idle
  -- stack polls the broker a tenth as often
  'properties.fetch.max.wait.ms' = '5000',
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
  'sink.transactional-id-prefix' = 'sensors-enriched',
  -- below the broker limit (transaction.max.timeout.ms, 15 min): the default of 1 h is refused
  'properties.transaction.timeout.ms' = '600000',
  -- readers see committed transactions only
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest'
);
