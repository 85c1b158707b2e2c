-- Job 2 — enrichment: each measurement LEFT JOIN the device's location and state valid at the measurement's
-- event time (event-time versioned temporal joins over the compacted topics sensors.location.v1 and
-- sensors.state.v1, keyed "env|tenant|deviceId"). One job, three sinks:
--   * sensors.enriched.v1   — every enriched measurement (JSON, key "env|tenant|deviceId");
--   * sensors.device-state  — upsert, the current state per device (→ Redis hash): its newest measurement
--                             with its current location and state, updated without waiting for watermarks;
--   * sensor_readings       — PostgreSQL history, JDBC upsert on (env, tenant, device_id, measured_at),
--                             idempotent under replay.
-- Prior demo (pvz v2, mqtt_enriched.sql): same temporal joins, but env/tenant hard-coded and processing stamps
-- in seconds; Redis and Postgres were fed by Kafka Connect. The history copy to S3 is 40-history.sql.
--
-- Tables (flink/tables/, created by the SQL runner before this script): measurements, device_locations and
-- device_states → enriched, device_state_latest and sensor_readings. Each source names this job's consumer
-- group in an OPTIONS hint.

SET 'pipeline.name' = 'sensors-20-enrichment';
SET 'execution.checkpointing.interval' = '10s';
SET 'table.local-time-zone' = 'UTC';
SET 'table.exec.source.idle-timeout' = '30 s';
-- Keyed state of the dimension tables and of the latest-per-device ranking is dropped after 7 days
-- without updates for that key (a device silent for a week starts afresh).
SET 'table.exec.state.ttl' = '7 d';

CREATE TEMPORARY VIEW measurements_clean AS
SELECT * FROM measurements /*+ OPTIONS('properties.group.id' = 'flink-sensors-enrichment') */
WHERE env IS NOT NULL AND tenant IS NOT NULL AND device_id IS NOT NULL
  AND event_ts > TIMESTAMP '1970-01-01 00:00:00.000';

CREATE TEMPORARY VIEW enriched_rows AS
SELECT
  m.env, m.tenant, m.device_id,
  m.measured_at, m.measured_at_ms, m.seq, m.humidity, m.temperature,
  m.humidity_event_time, m.temperature_event_time, m.humidity_ingested_at, m.temperature_ingested_at,
  l.lat, l.lon, l.eventTime AS location_event_time, l.ingestedAt AS location_ingested_at,
  s.rssi, s.snr, s.battery, s.online, s.eventTime AS state_event_time, s.ingestedAt AS state_ingested_at,
  m.measurement_processing_ts_ms,
  CAST(m.event_ts AS TIMESTAMP(3)) AS measured_ts,
  m.event_ts,   -- still the event-time attribute (the temporal joins keep the left side's)
  CAST(CURRENT_ROW_TIMESTAMP() AS TIMESTAMP(3)) AS processed_ts
FROM measurements_clean AS m
LEFT JOIN device_locations /*+ OPTIONS('properties.group.id' = 'flink-sensors-enrichment') */ FOR SYSTEM_TIME AS OF m.event_ts AS l
  ON m.dim_key = l.dim_key
LEFT JOIN device_states /*+ OPTIONS('properties.group.id' = 'flink-sensors-enrichment') */ FOR SYSTEM_TIME AS OF m.event_ts AS s
  ON m.dim_key = s.dim_key;

CREATE TEMPORARY VIEW enriched_out AS
SELECT
  env, tenant, device_id, measured_at, measured_at_ms, seq, humidity, temperature,
  humidity_event_time, temperature_event_time, humidity_ingested_at, temperature_ingested_at,
  lat, lon, location_event_time, location_ingested_at,
  rssi, snr, battery, online, state_event_time, state_ingested_at,
  measurement_processing_ts_ms,
  UNIX_TIMESTAMP(DATE_FORMAT(processed_ts, 'yyyy-MM-dd HH:mm:ss')) * 1000
    + CAST(DATE_FORMAT(processed_ts, 'SSS') AS BIGINT) AS enriched_processing_ts_ms,
  measured_ts,
  event_ts
FROM enriched_rows;

-- Inputs of the current-state path (no time attributes: these are regular joins on the latest rows).
-- The newest measurement per device by event time: a late or replayed one never replaces a newer one.
CREATE TEMPORARY VIEW latest_measurements AS
SELECT env, tenant, device_id, dim_key, measured_at, measured_at_ms, seq, humidity, temperature,
       humidity_ingested_at, temperature_ingested_at
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY dim_key ORDER BY measured_at_ms DESC) AS rn
  FROM measurements_clean
)
WHERE rn = 1;

CREATE TEMPORARY VIEW current_locations AS
SELECT dim_key, lat, lon, eventTime AS location_event_time FROM device_locations /*+ OPTIONS('properties.group.id' = 'flink-sensors-enrichment') */;

CREATE TEMPORARY VIEW current_states AS
SELECT dim_key, rssi, snr, battery, online, eventTime AS state_event_time, ingestedAt AS state_ingested_at FROM device_states /*+ OPTIONS('properties.group.id' = 'flink-sensors-enrichment') */;

EXECUTE STATEMENT SET
BEGIN

INSERT INTO enriched
SELECT
  CONCAT(env, '|', tenant, '|', device_id) AS record_key,
  env, tenant, device_id, measured_at, measured_at_ms, seq, humidity, temperature,
  humidity_event_time, temperature_event_time, humidity_ingested_at, temperature_ingested_at,
  lat, lon, location_event_time, location_ingested_at,
  rssi, snr, battery, online, state_event_time, state_ingested_at,
  measurement_processing_ts_ms, enriched_processing_ts_ms
FROM enriched_out
-- The temporal joins emit per device once the watermark passes: after a burst (replay, backfill, catch-up)
-- one device's hours of readings come before the next device's. Sorted by event time (released at the same
-- watermark, so no added delay), each partition of sensors.enriched.v1 is in event-time order and the summary
-- job's 10-minute windows do not drop those readings as late.
ORDER BY event_ts;

-- Current state per device: the newest measurement with the device's current location and state, updated
-- on every new reading without waiting for the watermark (the event-time joins above wait for it), so Redis
-- follows a device within about a second.
INSERT INTO device_state_latest
SELECT
  m.env, m.tenant, m.device_id, m.measured_at, m.measured_at_ms, m.seq, m.humidity, m.temperature,
  l.lat, l.lon, l.location_event_time, s.rssi, s.snr, s.battery, s.online, s.state_event_time, s.state_ingested_at,
  GREATEST(COALESCE(m.humidity_ingested_at, 0), COALESCE(m.temperature_ingested_at, 0), COALESCE(s.state_ingested_at, 0)) AS last_seen_ms,
  UNIX_TIMESTAMP(DATE_FORMAT(CURRENT_ROW_TIMESTAMP(), 'yyyy-MM-dd HH:mm:ss')) * 1000
    + CAST(DATE_FORMAT(CURRENT_ROW_TIMESTAMP(), 'SSS') AS BIGINT) AS enriched_processing_ts_ms
FROM latest_measurements AS m
LEFT JOIN current_locations AS l ON m.dim_key = l.dim_key
LEFT JOIN current_states AS s ON m.dim_key = s.dim_key;

INSERT INTO sensor_readings
SELECT
  env, tenant, device_id,
  measured_ts AS measured_at,
  seq, humidity, temperature,
  TRY_CAST(REPLACE(REPLACE(temperature_event_time, 'T', ' '), 'Z', '') AS TIMESTAMP(3)) AS temperature_measured_at,
  lat, lon,
  TRY_CAST(REPLACE(REPLACE(location_event_time, 'T', ' '), 'Z', '') AS TIMESTAMP(3)) AS location_event_time,
  rssi, snr, battery, online,
  TRY_CAST(REPLACE(REPLACE(state_event_time, 'T', ' '), 'Z', '') AS TIMESTAMP(3)) AS state_event_time,
  humidity_ingested_at, temperature_ingested_at, location_ingested_at, state_ingested_at,
  measurement_processing_ts_ms, enriched_processing_ts_ms
FROM enriched_out;

END;
