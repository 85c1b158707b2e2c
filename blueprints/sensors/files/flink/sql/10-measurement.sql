-- Job 1 — measurement: humidity ⋈ temperature of the same device tick (same env, tenant, deviceId, seq)
-- → sensors.measurement.v1 (one JSON record per joined pair, key "env|tenant|deviceId").
--
-- Prior demo (pvz v2, mqtt_measurement.sql) did an unbounded regular join on (deviceId, seq) with env and
-- tenant hard-coded to 'prod'/'tenant-1' and second-resolution processing stamps. Here:
--   * env and tenant come from the records and are part of the join key;
--   * a pair is emitted as soon as its second reading arrives, however late (no watermark involved: an
--     interval join would drop a reading of a partition that was idle while others moved event time on);
--     readings of one tick are at most 1 minute apart in event time, and join state is dropped after a day
--     without a partner (state TTL) instead of being kept forever;
--   * processing stamps in milliseconds.
-- Records with a missing key or an unparseable timestamp are dropped (the gateway already routes payloads
-- it cannot parse to sensors.dlq).
-- Tables (flink/tables/, created by the SQL runner before this script): humidity_readings and
-- temperature_readings → measurements. Each source names this job's consumer group in an OPTIONS hint.

SET 'pipeline.name' = 'sensors-10-measurement';
-- sensors.measurement.v1 is written exactly once, in Kafka transactions committed with each checkpoint (flink/tables/), and
-- its readers see only committed records: a checkpoint every 200 ms keeps that delay short.
SET 'execution.checkpointing.interval' = '200ms';
SET 'table.local-time-zone' = 'UTC';
SET 'table.exec.state.ttl' = '1 d';

-- CAST drops the time attribute: a time-bounded condition between two time attributes would make Flink plan
-- an interval join, which waits for and drops by watermarks.
CREATE TEMPORARY VIEW humidity_clean AS
SELECT env, tenant, deviceId, eventTime, humidity, seq, ingestedAt, CAST(event_ts AS TIMESTAMP(3)) AS event_ts
FROM humidity_readings /*+ OPTIONS('properties.group.id' = 'flink-sensors-measurement') */
WHERE env IS NOT NULL AND tenant IS NOT NULL AND deviceId IS NOT NULL AND seq IS NOT NULL
  AND humidity IS NOT NULL AND event_ts > TIMESTAMP '1970-01-01 00:00:00.000';

CREATE TEMPORARY VIEW temperature_clean AS
SELECT env, tenant, deviceId, eventTime, temperature, seq, ingestedAt, CAST(event_ts AS TIMESTAMP(3)) AS event_ts
FROM temperature_readings /*+ OPTIONS('properties.group.id' = 'flink-sensors-measurement') */
WHERE env IS NOT NULL AND tenant IS NOT NULL AND deviceId IS NOT NULL AND seq IS NOT NULL
  AND temperature IS NOT NULL AND event_ts > TIMESTAMP '1970-01-01 00:00:00.000';

CREATE TEMPORARY VIEW joined AS
SELECT
  h.env, h.tenant, h.deviceId AS device_id, h.seq,
  h.humidity, t.temperature,
  CAST(h.event_ts AS TIMESTAMP(3)) AS measured_ts,
  h.eventTime AS humidity_event_time, t.eventTime AS temperature_event_time,
  h.ingestedAt AS humidity_ingested_at, t.ingestedAt AS temperature_ingested_at,
  -- evaluated once per row; the epoch-ms arithmetic below reads it twice (UTC session time zone)
  CAST(CURRENT_ROW_TIMESTAMP() AS TIMESTAMP(3)) AS processed_ts
FROM humidity_clean AS h
JOIN temperature_clean AS t
  ON  h.env = t.env AND h.tenant = t.tenant AND h.deviceId = t.deviceId AND h.seq = t.seq
  AND t.event_ts BETWEEN h.event_ts - INTERVAL '1' MINUTE AND h.event_ts + INTERVAL '1' MINUTE;

INSERT INTO measurements
SELECT
  CONCAT(env, '|', tenant, '|', device_id) AS record_key,
  env, tenant, device_id,
  DATE_FORMAT(measured_ts, 'yyyy-MM-dd''T''HH:mm:ss.SSS''Z''') AS measured_at,
  UNIX_TIMESTAMP(DATE_FORMAT(measured_ts, 'yyyy-MM-dd HH:mm:ss')) * 1000
    + CAST(DATE_FORMAT(measured_ts, 'SSS') AS BIGINT) AS measured_at_ms,
  seq, humidity, temperature,
  humidity_event_time, temperature_event_time,
  humidity_ingested_at, temperature_ingested_at,
  UNIX_TIMESTAMP(DATE_FORMAT(processed_ts, 'yyyy-MM-dd HH:mm:ss')) * 1000
    + CAST(DATE_FORMAT(processed_ts, 'SSS') AS BIGINT) AS measurement_processing_ts_ms
FROM joined;
