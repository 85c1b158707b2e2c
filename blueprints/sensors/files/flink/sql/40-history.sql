-- Job 4 — history (only with the `history` component): every enriched measurement as JSON lines on
-- S3-compatible storage, partitioned by UTC date of the measurement: ${S3_HISTORY_PATH}/raw/enriched/dt=YYYY-MM-DD/.
-- Files become visible when a checkpoint completes (exactly-once with the Kafka source offsets);
-- a day's partition gets a _SUCCESS file once the watermark has passed the end of that day.

SET 'pipeline.name' = 'sensors-40-history';
SET 'execution.checkpointing.interval' = '10s';
SET 'table.local-time-zone' = 'UTC';
SET 'table.exec.source.idle-timeout' = '30 s';

CREATE TEMPORARY TABLE enriched (
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
  'properties.group.id' = 'flink-sensors-history',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'json',
  'json.fail-on-missing-field' = 'false',
  'json.ignore-parse-errors' = 'true'
);

CREATE TEMPORARY TABLE enriched_history (
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
  dt                           STRING
) PARTITIONED BY (dt) WITH (
  'connector' = 'filesystem',
  'path' = '${S3_HISTORY_PATH}/raw/enriched',
  'format' = 'json',
  'sink.rolling-policy.file-size' = '128MB',
  'sink.rolling-policy.rollover-interval' = '15 min',
  'sink.rolling-policy.check-interval' = '1 min',
  -- every checkpoint closes the in-progress files; merge those small files before they are committed
  'auto-compaction' = 'true',
  'compaction.file-size' = '128MB',
  'partition.time-extractor.timestamp-pattern' = '$dt 00:00:00',
  'sink.partition-commit.trigger' = 'partition-time',
  'sink.partition-commit.delay' = '1 d',
  'sink.partition-commit.watermark-time-zone' = 'UTC',
  'sink.partition-commit.policy.kind' = 'success-file'
);

INSERT INTO enriched_history
SELECT
  env, tenant, device_id, measured_at, measured_at_ms, seq, humidity, temperature,
  humidity_event_time, temperature_event_time, humidity_ingested_at, temperature_ingested_at,
  lat, lon, location_event_time, location_ingested_at,
  rssi, snr, battery, online, state_event_time, state_ingested_at,
  measurement_processing_ts_ms, enriched_processing_ts_ms,
  DATE_FORMAT(event_ts, 'yyyy-MM-dd') AS dt
FROM enriched
WHERE env IS NOT NULL AND tenant IS NOT NULL AND device_id IS NOT NULL
  AND event_ts > TIMESTAMP '1970-01-01 00:00:00.000';
