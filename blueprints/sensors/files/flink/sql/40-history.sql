-- Job 4 — history (only with the `history` component): every enriched measurement as JSON lines on
-- S3-compatible storage, partitioned by UTC date of the measurement: ${S3_HISTORY_PATH}/raw/enriched/dt=YYYY-MM-DD/.
-- Files become visible when a checkpoint completes (exactly-once with the Kafka source offsets);
-- a day's partition gets a _SUCCESS file once the watermark has passed the end of that day.
-- Tables (flink/tables/, created by the SQL runner before this script): enriched → enriched_history. The
-- source names this job's consumer group in an OPTIONS hint.

SET 'pipeline.name' = 'sensors-40-history';
SET 'execution.checkpointing.interval' = '10s';
SET 'table.local-time-zone' = 'UTC';
SET 'table.exec.source.idle-timeout' = '30 s';

INSERT INTO enriched_history
SELECT
  env, tenant, device_id, measured_at, measured_at_ms, seq, humidity, temperature,
  humidity_event_time, temperature_event_time, humidity_ingested_at, temperature_ingested_at,
  lat, lon, location_event_time, location_ingested_at,
  rssi, snr, battery, online, state_event_time, state_ingested_at,
  measurement_processing_ts_ms, enriched_processing_ts_ms,
  DATE_FORMAT(event_ts, 'yyyy-MM-dd') AS dt
FROM enriched /*+ OPTIONS('properties.group.id' = 'flink-sensors-history') */
WHERE env IS NOT NULL AND tenant IS NOT NULL AND device_id IS NOT NULL
  AND event_ts > TIMESTAMP '1970-01-01 00:00:00.000';
