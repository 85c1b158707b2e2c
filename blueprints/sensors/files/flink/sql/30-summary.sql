-- Job 3 — summaries over sensors.enriched.v1 (prior demo: pvz v2 mqtt_resent_summary.sql), two sinks:
--   * sensors.recent-summary — per (env, tenant), a HOP window sliding every 10 s over the last 10 minutes:
--     devices seen, online/offline devices, average temperature and humidity. Upsert on (env, tenant): the
--     latest emitted window overwrites the previous one (Redis hash sensors:{env}:{tenant}:summary:recent).
--   * sensors.drought-streak — per device, the "dry days" streak: days elapsed since the device's most recent
--     reading with humidity >= 50 %, up to its latest reading; a device that never reached 50 % counts from its
--     first reading; 0 when the latest reading is >= 50 % (Redis hash …:device:{device_id}:drought).
-- Fixes over the prior demo: env/tenant from the records, state TTL on the unbounded streak aggregation,
-- and last_seen_ms (gateway ingest wall clock) so the API can mark silent devices offline by age.
-- Tables (flink/tables/, created by the SQL runner before this script): enriched → recent_summary and
-- drought_streak. The source names this job's consumer group in an OPTIONS hint.

SET 'pipeline.name' = 'sensors-30-summary';
SET 'execution.checkpointing.interval' = '10s';
SET 'table.local-time-zone' = 'UTC';
SET 'table.exec.source.idle-timeout' = '30 s';
-- The streak aggregation is unbounded (one row per device); a device silent for 30 days is forgotten and
-- its streak starts afresh from its next reading. Window state is cleaned by the watermark regardless.
SET 'table.exec.state.ttl' = '30 d';

CREATE TEMPORARY VIEW enriched_clean AS
SELECT * FROM enriched /*+ OPTIONS('properties.group.id' = 'flink-sensors-summary') */
WHERE env IS NOT NULL AND tenant IS NOT NULL AND device_id IS NOT NULL
  AND event_ts > TIMESTAMP '1970-01-01 00:00:00.000';

-- Per device over its whole history (TTL-bounded): last, last ok (humidity >= 50.0) and first event times.
CREATE TEMPORARY VIEW drought_agg AS
SELECT
  env, tenant, device_id,
  MAX(event_ts) AS last_event_ts,
  MAX(CASE WHEN humidity >= 50.0 THEN event_ts END) AS last_ok_event_ts,
  MIN(event_ts) AS first_event_ts,
  MAX(GREATEST(COALESCE(humidity_ingested_at, 0), COALESCE(temperature_ingested_at, 0), COALESCE(state_ingested_at, 0))) AS last_seen_ms
FROM enriched_clean
GROUP BY env, tenant, device_id;

-- The device's latest reading by event time.
CREATE TEMPORARY VIEW drought_latest AS
SELECT env, tenant, device_id, humidity, measurement_processing_ts_ms, enriched_processing_ts_ms, humidity_ingested_at
FROM (
  SELECT *,
    ROW_NUMBER() OVER (PARTITION BY env, tenant, device_id ORDER BY measured_at_ms DESC) AS rn
  FROM enriched_clean
)
WHERE rn = 1;

EXECUTE STATEMENT SET
BEGIN

INSERT INTO recent_summary
SELECT
  env, tenant,
  DATE_FORMAT(window_start, 'yyyy-MM-dd''T''HH:mm:ss.SSS''Z''') AS window_start,
  DATE_FORMAT(window_end, 'yyyy-MM-dd''T''HH:mm:ss.SSS''Z''') AS window_end,
  600 AS window_seconds,
  COUNT(DISTINCT device_id) AS total_devices,
  COUNT(DISTINCT CASE WHEN COALESCE(online, FALSE) THEN device_id END) AS online_devices,
  COUNT(DISTINCT CASE WHEN NOT COALESCE(online, FALSE) THEN device_id END) AS offline_devices,
  AVG(temperature) AS avg_temperature,
  AVG(humidity) AS avg_humidity,
  MIN(measured_at_ms), MAX(measured_at_ms),
  MIN(measurement_processing_ts_ms), MAX(measurement_processing_ts_ms),
  MIN(enriched_processing_ts_ms), MAX(enriched_processing_ts_ms)
FROM TABLE(
  HOP(TABLE enriched_clean, DESCRIPTOR(event_ts), INTERVAL '10' SECOND, INTERVAL '10' MINUTE)
)
GROUP BY env, tenant, window_start, window_end;

INSERT INTO drought_streak
SELECT
  a.env, a.tenant, a.device_id,
  CAST(50.0 AS DOUBLE) AS threshold,
  CAST(TIMESTAMPDIFF(SECOND, COALESCE(a.last_ok_event_ts, a.first_event_ts), a.last_event_ts) AS DOUBLE) / 86400.0 AS streak_days,
  l.humidity AS last_humidity,
  DATE_FORMAT(a.last_event_ts, 'yyyy-MM-dd''T''HH:mm:ss.SSS''Z''') AS last_event_ts,
  DATE_FORMAT(a.last_ok_event_ts, 'yyyy-MM-dd''T''HH:mm:ss.SSS''Z''') AS last_ok_event_ts,
  DATE_FORMAT(a.first_event_ts, 'yyyy-MM-dd''T''HH:mm:ss.SSS''Z''') AS first_event_ts,
  a.last_seen_ms,
  l.measurement_processing_ts_ms AS last_measurement_processing_ts_ms,
  l.enriched_processing_ts_ms AS last_enriched_processing_ts_ms,
  l.humidity_ingested_at AS last_humidity_ingested_at
FROM drought_agg AS a
JOIN drought_latest AS l
  ON a.env = l.env AND a.tenant = l.tenant AND a.device_id = l.device_id;

END;
