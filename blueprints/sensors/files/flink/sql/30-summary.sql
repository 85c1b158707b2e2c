-- Job 3 — summaries over sensors.enriched.v1 (prior demo: pvz v2 mqtt_resent_summary.sql), two sinks:
--   * sensors.recent-summary — per (env, tenant), the newest closed sliding window (parameters
--     summaryWindowSeconds long, one starting every summarySlideSeconds, aligned to the epoch): devices seen,
--     online/offline devices, average temperature and humidity. Upsert on (env, tenant) (Redis hash
--     sensors:{env}:{tenant}:summary:recent). The platform function WINDOW_SUMMARY closes a window once the job's
--     clock (newest event time − watermarkDelaySeconds) reaches its end, or at once when the env/tenant has sent
--     nothing for quietCloseSeconds (wall clock), so the last readings of a quiet stream are summarised too; a
--     reading for the window emitted last updates it; a reading more than allowedLatenessSeconds after the end of
--     the newest window holding it goes to sensors.dlq with reason "late: …" (and the Flink metric lateRecords).
--   * sensors.drought-streak — per device, the "dry days" streak: days elapsed since the device's most recent
--     reading with humidity >= dryThreshold, up to its latest reading; a device that never reached it counts
--     from its first reading; 0 when the latest reading is >= dryThreshold (Redis hash …:device:{device_id}:drought).
--     Updated on every reading, whatever its event time.
-- Fixes over the prior demo: env/tenant from the records; no reading lost to a watermark (its HOP windows dropped
-- the records of a partition that resumed after others had moved event time on, and never closed the last
-- windows of a quiet stream); state TTL on the unbounded streak aggregation; last_seen_ms (gateway ingest wall
-- clock) so the API can mark silent devices offline by age. Parameters come from iot-platform.yaml (parameters:)
-- through the environment.
-- Tables (flink/tables/, created by the SQL runner before this script): enriched and wall_clock →
-- recent_summary, drought_streak and dead_letters. The source names this job's consumer group in an OPTIONS hint.

SET 'pipeline.name' = 'sensors-30-summary';
SET 'execution.checkpointing.interval' = '10s';
SET 'table.local-time-zone' = 'UTC';
-- The streak aggregation is unbounded (one row per device); a device silent for 30 days is forgotten and
-- its streak starts afresh from its next reading. WINDOW_SUMMARY drops its slices once they cannot change.
SET 'table.exec.state.ttl' = '30 d';

CREATE TEMPORARY VIEW enriched_clean AS
SELECT * FROM enriched /*+ OPTIONS('properties.group.id' = 'flink-sensors-summary') */
WHERE env IS NOT NULL AND tenant IS NOT NULL AND device_id IS NOT NULL
  AND event_ts > TIMESTAMP '1970-01-01 00:00:00.000';

-- Per device over its whole history (TTL-bounded): last, last ok (humidity >= dryThreshold) and first event times,
-- and the latest reading's values (LATEST_BY, a platform function: the value on the row with the greatest order).
-- One aggregation, so every update is one consistent row: a join of this to a ROW_NUMBER view of the same stream
-- could emit the newest event time beside an older reading's humidity.
CREATE TEMPORARY VIEW drought AS
SELECT
  env, tenant, device_id,
  MAX(event_ts) AS last_event_ts,
  MAX(CASE WHEN humidity >= ${DRY_THRESHOLD} THEN event_ts END) AS last_ok_event_ts,
  MIN(event_ts) AS first_event_ts,
  MAX(GREATEST(COALESCE(humidity_ingested_at, 0), COALESCE(temperature_ingested_at, 0), COALESCE(state_ingested_at, 0))) AS last_seen_ms,
  LATEST_BY(humidity, measured_at_ms) AS last_humidity,
  LATEST_BY(measurement_processing_ts_ms, measured_at_ms) AS last_measurement_processing_ts_ms,
  LATEST_BY(enriched_processing_ts_ms, measured_at_ms) AS last_enriched_processing_ts_ms,
  LATEST_BY(humidity_ingested_at, measured_at_ms) AS last_humidity_ingested_at
FROM enriched_clean
GROUP BY env, tenant, device_id;

-- Readings for WINDOW_SUMMARY (a device counts online when a reading says so, offline when one says not or has
-- no state), and a wall-clock heartbeat so that quiet tenants' windows close.
CREATE TEMPORARY VIEW summary_events AS
SELECT
  CAST('reading' AS STRING) AS kind,
  CONCAT(env, '|', tenant) AS group_key,
  CAST(event_ts AS TIMESTAMP(3)) AS event_ts,
  device_id AS entity,
  online AS flag,
  ARRAY[temperature, humidity] AS averaged,
  ARRAY[measured_at_ms, measurement_processing_ts_ms, enriched_processing_ts_ms] AS ranged,
  JSON_OBJECT('env' VALUE env, 'tenant' VALUE tenant, 'device_id' VALUE device_id, 'measured_at' VALUE measured_at,
              'seq' VALUE seq, 'humidity' VALUE humidity, 'temperature' VALUE temperature, 'online' VALUE online) AS record
FROM enriched_clean
UNION ALL
SELECT CAST('tick' AS STRING), CAST(NULL AS STRING), CAST(NULL AS TIMESTAMP(3)), CAST(NULL AS STRING), CAST(NULL AS BOOLEAN),
  CAST(NULL AS ARRAY<DOUBLE>), CAST(NULL AS ARRAY<BIGINT>), CAST(NULL AS STRING)
FROM wall_clock;

CREATE TEMPORARY VIEW window_summaries AS
SELECT * FROM WINDOW_SUMMARY(
  events => TABLE summary_events,
  size_seconds => ${SUMMARY_WINDOW_SECONDS},
  slide_seconds => ${SUMMARY_SLIDE_SECONDS},
  delay_seconds => ${WATERMARK_DELAY_SECONDS},
  lateness_seconds => ${ALLOWED_LATENESS_SECONDS},
  quiet_seconds => ${QUIET_CLOSE_SECONDS});

EXECUTE STATEMENT SET
BEGIN

INSERT INTO recent_summary
SELECT
  SPLIT_INDEX(group_key, '|', 0) AS env,
  SPLIT_INDEX(group_key, '|', 1) AS tenant,
  DATE_FORMAT(window_start, 'yyyy-MM-dd''T''HH:mm:ss.SSS''Z''') AS window_start,
  DATE_FORMAT(window_end, 'yyyy-MM-dd''T''HH:mm:ss.SSS''Z''') AS window_end,
  ${SUMMARY_WINDOW_SECONDS} AS window_seconds,
  entities AS total_devices,
  flagged AS online_devices,
  unflagged AS offline_devices,
  averages[1] AS avg_temperature,
  averages[2] AS avg_humidity,
  range_mins[1], range_maxs[1],
  range_mins[2], range_maxs[2],
  range_mins[3], range_maxs[3]
FROM window_summaries
WHERE output = 'window';

INSERT INTO dead_letters
SELECT late_reason, 'flink', 'sensors-30-summary', late_record,
  EPOCH_MILLIS(CURRENT_ROW_TIMESTAMP())
FROM window_summaries
WHERE output = 'late';

INSERT INTO drought_streak
SELECT
  env, tenant, device_id,
  CAST(${DRY_THRESHOLD} AS DOUBLE) AS threshold,
  CAST(TIMESTAMPDIFF(SECOND, COALESCE(last_ok_event_ts, first_event_ts), last_event_ts) AS DOUBLE) / 86400.0 AS streak_days,
  last_humidity,
  DATE_FORMAT(last_event_ts, 'yyyy-MM-dd''T''HH:mm:ss.SSS''Z''') AS last_event_ts,
  DATE_FORMAT(last_ok_event_ts, 'yyyy-MM-dd''T''HH:mm:ss.SSS''Z''') AS last_ok_event_ts,
  DATE_FORMAT(first_event_ts, 'yyyy-MM-dd''T''HH:mm:ss.SSS''Z''') AS first_event_ts,
  last_seen_ms,
  last_measurement_processing_ts_ms,
  last_enriched_processing_ts_ms,
  last_humidity_ingested_at
FROM drought;

END;
