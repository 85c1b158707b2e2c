-- History on S3-compatible storage (only with the `history` component): every enriched measurement as JSON
-- lines under ${S3_HISTORY_PATH}/raw/enriched/dt=YYYY-MM-DD/ (UTC date of the measurement). Written by
-- 40-history.sql. Files become visible when a checkpoint completes; a day's partition gets a _SUCCESS file once
-- the watermark has passed the end of that day.
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
