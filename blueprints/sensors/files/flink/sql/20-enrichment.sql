-- Job 1 — enrichment: humidity ⋈ temperature of each device tick into a measurement, and each measurement with the
-- device's location and state valid at its event time (the reports of sensors.location.v1 and sensors.state.v1, keyed
-- "env|tenant|deviceId"), emitted as soon as the measurement is complete. One job, three sinks:
--   * sensors.enriched.v1   — every enriched measurement (JSON, key "env|tenant|deviceId");
--   * sensors.device-state  — upsert, the current state per device (→ Redis hash): its newest measurement
--                             with its current location and state;
--   * sensor_readings       — PostgreSQL history, JDBC upsert on (env, tenant, device_id, measured_at),
--                             idempotent under replay.
-- Prior demo (pvz v2): two jobs. mqtt_measurement.sql joined the readings with an unbounded regular join on
-- (deviceId, seq) with env and tenant hard-coded to 'prod'/'tenant-1', into a topic that mqtt_enriched.sql read for
-- event-time temporal joins, which emit a measurement only once the watermark passes it, so the last readings of a
-- stream that goes quiet never came out; processing stamps in seconds, Redis and Postgres fed by Kafka Connect. Here:
--   * one job: a measurement goes from its readings to its enrichment without a Kafka round trip, a JSON encoding and
--     the wait for the writer's checkpoint that an exactly-once topic between two jobs costs;
--   * env and tenant come from the records and are part of the keys;
--   * the platform function PAIR_ONCE emits a tick's measurement as soon as its second reading arrives, however late
--     (readings of one tick are at most 1 minute apart in event time), and forgets both readings; a reading still
--     without its partner is dropped with the state TTL below;
--   * the platform function ENRICH_AS_OF gives each measurement the latest report at or before its event time among
--     the reports read until 2 s after the measurement was complete (the topics are read at their own paces: a fast
--     replay reads readings ahead of the reports published before them), without waiting for later traffic; the wall
--     clock keeps time going when all topics are idle. A report read later than that serves later measurements only;
--   * processing stamps in milliseconds.
-- Records with a missing key or an unparseable timestamp are dropped (the gateway already routes payloads it cannot
-- parse to sensors.dlq). The history copy to S3 is 40-history.sql.
--
-- Tables (flink/tables/, created by the SQL runner before this script): humidity_readings, temperature_readings,
-- location_reports, state_reports and wall_clock → enriched, device_state_latest and sensor_readings. Each source names this job's consumer group in an OPTIONS hint.

SET 'pipeline.name' = 'sensors-20-enrichment';
-- sensors.enriched.v1 is written exactly once, in Kafka transactions committed with each checkpoint (flink/tables/), and
-- its readers (the summary and history jobs) see only committed records: a checkpoint every second bounds that delay
-- (a quiet stream's last reading must reach its streak within 5 s; with a checkpoint every 5 s it did not). Each
-- checkpoint copies the whole heap state, about 10 KB per device (the versions of its location and state): after a
-- load of 2,500 devices, 40 % of this JVM's idle CPU.
-- The current state (device_state_latest, at least once) and the PostgreSQL history do not wait for checkpoints.
SET 'execution.checkpointing.interval' = '1s';
-- device_state_latest's key (env, tenant, device_id) is the current state's grouping key, so each device's changes
-- come in order from one subtask: Flink's upsert materializer is not needed, and it kept every version of every
-- device's row in state (its retractions carry a new processing stamp and never match), copied at each checkpoint.
SET 'table.exec.sink.upsert-materialize' = 'NONE';
SET 'table.local-time-zone' = 'UTC';
-- Keyed state (a device's reports, its current state and readings waiting for their partner) is dropped after 7 days
-- without updates for that key (a device silent for a week starts afresh).
SET 'table.exec.state.ttl' = '7 d';
-- A topic partition without new records for a second no longer holds the watermark (ENRICH_AS_OF's clock) back.
SET 'table.exec.source.idle-timeout' = '1 s';

-- Both kinds of reading in one stream for PAIR_ONCE: kind names the side, each side's own columns are null on the
-- other's rows; pair_key is a tick's identity (PAIR_ONCE's partition: one column, so that the call can be a view).
-- CAST drops event_ts's computed-column form (PAIR_ONCE reads it as a plain timestamp); read_at stays the time attribute.
CREATE TEMPORARY VIEW readings AS
SELECT CONCAT(env, '|', tenant, '|', deviceId, '|', CAST(seq AS STRING)) AS pair_key,
  env, tenant, deviceId, seq, CAST('humidity' AS STRING) AS kind, CAST(event_ts AS TIMESTAMP(3)) AS event_ts,
  humidity, CAST(NULL AS DOUBLE) AS temperature,
  eventTime AS humidity_event_time, CAST(NULL AS STRING) AS temperature_event_time,
  ingestedAt AS humidity_ingested_at, CAST(NULL AS BIGINT) AS temperature_ingested_at,
  read_at
FROM humidity_readings /*+ OPTIONS('properties.group.id' = 'flink-sensors-enrichment') */
WHERE env IS NOT NULL AND tenant IS NOT NULL AND deviceId IS NOT NULL AND seq IS NOT NULL
  AND humidity IS NOT NULL AND event_ts > TIMESTAMP '1970-01-01 00:00:00.000'
UNION ALL
SELECT CONCAT(env, '|', tenant, '|', deviceId, '|', CAST(seq AS STRING)),
  env, tenant, deviceId, seq, CAST('temperature' AS STRING), CAST(event_ts AS TIMESTAMP(3)),
  CAST(NULL AS DOUBLE), temperature,
  CAST(NULL AS STRING), eventTime,
  CAST(NULL AS BIGINT), ingestedAt,
  read_at
FROM temperature_readings /*+ OPTIONS('properties.group.id' = 'flink-sensors-enrichment') */
WHERE env IS NOT NULL AND tenant IS NOT NULL AND deviceId IS NOT NULL AND seq IS NOT NULL
  AND temperature IS NOT NULL AND event_ts > TIMESTAMP '1970-01-01 00:00:00.000';

-- One row per tick, as soon as its second reading arrives; event_ts is the humidity's (the first kind's), read_at when
-- the second reading was read.
CREATE TEMPORARY VIEW measurements AS
SELECT
  CONCAT(env, '|', tenant, '|', deviceId) AS dim_key,
  env, tenant, deviceId AS device_id, event_ts,
  DATE_FORMAT(event_ts, 'yyyy-MM-dd''T''HH:mm:ss.SSS''Z''') AS measured_at,
  EPOCH_MILLIS(event_ts) AS measured_at_ms,
  seq, humidity, temperature,
  humidity_event_time, temperature_event_time,
  humidity_ingested_at, temperature_ingested_at,
  EPOCH_MILLIS(CURRENT_ROW_TIMESTAMP()) AS measurement_processing_ts_ms,
  rowtime AS read_at
FROM PAIR_ONCE(
  events => TABLE readings PARTITION BY pair_key,
  kinds => 'humidity, temperature',
  within_seconds => 60,
  on_time => DESCRIPTOR(read_at));

-- Each device's reports, each topic read once: ENRICH_AS_OF takes every version, the current state the latest.
CREATE TEMPORARY VIEW locations AS
SELECT CONCAT(env, '|', tenant, '|', deviceId) AS dim_key, env, tenant, deviceId, event_ts, lat, lon, eventTime, ingestedAt, read_at,
  record_offset
FROM location_reports /*+ OPTIONS('properties.group.id' = 'flink-sensors-enrichment') */
WHERE env IS NOT NULL AND tenant IS NOT NULL AND deviceId IS NOT NULL AND event_ts > TIMESTAMP '1970-01-01 00:00:00.000';

CREATE TEMPORARY VIEW states AS
SELECT CONCAT(env, '|', tenant, '|', deviceId) AS dim_key, env, tenant, deviceId, event_ts, rssi, snr, battery, online, eventTime,
  ingestedAt, read_at, record_offset
FROM state_reports /*+ OPTIONS('properties.group.id' = 'flink-sensors-enrichment') */
WHERE env IS NOT NULL AND tenant IS NOT NULL AND deviceId IS NOT NULL AND event_ts > TIMESTAMP '1970-01-01 00:00:00.000';

-- A device's measurements and reports in one stream: kind names what a row is, version_ts is its event time and
-- read_at when this job read it (a measurement's second reading); the wall clock's rows only bring time.
CREATE TEMPORARY VIEW device_events AS
SELECT
  dim_key, CAST('measurement' AS STRING) AS kind, event_ts AS version_ts,
  env, tenant, device_id, event_ts AS measured_ts, measured_at, measured_at_ms, seq, humidity, temperature,
  humidity_event_time, temperature_event_time, humidity_ingested_at, temperature_ingested_at,
  CAST(NULL AS DOUBLE) AS lat, CAST(NULL AS DOUBLE) AS lon,
  CAST(NULL AS STRING) AS location_event_time, CAST(NULL AS BIGINT) AS location_ingested_at,
  CAST(NULL AS INT) AS rssi, CAST(NULL AS DOUBLE) AS snr, CAST(NULL AS DOUBLE) AS battery, CAST(NULL AS BOOLEAN) AS online,
  CAST(NULL AS STRING) AS state_event_time, CAST(NULL AS BIGINT) AS state_ingested_at,
  measurement_processing_ts_ms,
  read_at
FROM measurements
UNION ALL
SELECT
  dim_key, CAST('location' AS STRING), event_ts,
  env, tenant, deviceId, CAST(NULL AS TIMESTAMP(3)), CAST(NULL AS STRING), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT),
  CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE),
  CAST(NULL AS STRING), CAST(NULL AS STRING), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT),
  lat, lon, eventTime, ingestedAt,
  CAST(NULL AS INT), CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), CAST(NULL AS BOOLEAN), CAST(NULL AS STRING), CAST(NULL AS BIGINT),
  CAST(NULL AS BIGINT),
  read_at
FROM locations
UNION ALL
SELECT
  dim_key, CAST('state' AS STRING), event_ts,
  env, tenant, deviceId, CAST(NULL AS TIMESTAMP(3)), CAST(NULL AS STRING), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT),
  CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE),
  CAST(NULL AS STRING), CAST(NULL AS STRING), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT),
  CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), CAST(NULL AS STRING), CAST(NULL AS BIGINT),
  rssi, snr, battery, online, eventTime, ingestedAt,
  CAST(NULL AS BIGINT),
  read_at
FROM states
UNION ALL
SELECT
  CAST('~clock' AS STRING), CAST('clock' AS STRING), CAST(beat_at AS TIMESTAMP(3)),
  CAST(NULL AS STRING), CAST(NULL AS STRING), CAST(NULL AS STRING), CAST(NULL AS TIMESTAMP(3)), CAST(NULL AS STRING),
  CAST(NULL AS BIGINT), CAST(NULL AS BIGINT),
  CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), CAST(NULL AS STRING), CAST(NULL AS STRING), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT),
  CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), CAST(NULL AS STRING), CAST(NULL AS BIGINT),
  CAST(NULL AS INT), CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), CAST(NULL AS BOOLEAN), CAST(NULL AS STRING), CAST(NULL AS BIGINT),
  CAST(NULL AS BIGINT),
  beat_at
FROM wall_clock;

CREATE TEMPORARY VIEW enriched_out AS
SELECT
  env, tenant, device_id, measured_at, measured_at_ms, seq, humidity, temperature,
  humidity_event_time, temperature_event_time, humidity_ingested_at, temperature_ingested_at,
  lat, lon, location_event_time, location_ingested_at,
  rssi, snr, battery, online, state_event_time, state_ingested_at,
  measurement_processing_ts_ms,
  EPOCH_MILLIS(processed_ts) AS enriched_processing_ts_ms,
  measured_ts
FROM (
  SELECT *, CAST(CURRENT_ROW_TIMESTAMP() AS TIMESTAMP(3)) AS processed_ts
  FROM ENRICH_AS_OF(
    events => TABLE device_events PARTITION BY dim_key,
    on_time => DESCRIPTOR(read_at),
    dimensions => 'location: lat, lon, location_event_time, location_ingested_at;
                   state: rssi, snr, battery, online, state_event_time, state_ingested_at')
);

-- The current state's changes: each measurement and report of a device, with what orders it among its kind. A
-- measurement's order is its event time (a late or replayed one never replaces a newer one); a report's is its offset
-- in its device's partition (the report read last: the compacted topic's value for the device's key).
CREATE TEMPORARY VIEW state_changes AS
SELECT env, tenant, device_id,
  measured_at_ms AS measurement_order, CAST(NULL AS BIGINT) AS location_order, CAST(NULL AS BIGINT) AS state_order,
  measured_at, seq, humidity, temperature, humidity_ingested_at, temperature_ingested_at,
  CAST(NULL AS DOUBLE) AS lat, CAST(NULL AS DOUBLE) AS lon, CAST(NULL AS STRING) AS location_event_time,
  CAST(NULL AS INT) AS rssi, CAST(NULL AS DOUBLE) AS snr, CAST(NULL AS DOUBLE) AS battery, CAST(NULL AS BOOLEAN) AS online,
  CAST(NULL AS STRING) AS state_event_time, CAST(NULL AS BIGINT) AS state_ingested_at
FROM measurements
UNION ALL
SELECT env, tenant, deviceId, CAST(NULL AS BIGINT), record_offset, CAST(NULL AS BIGINT),
  CAST(NULL AS STRING), CAST(NULL AS BIGINT), CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE),
  CAST(NULL AS BIGINT), CAST(NULL AS BIGINT),
  lat, lon, eventTime,
  CAST(NULL AS INT), CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), CAST(NULL AS BOOLEAN), CAST(NULL AS STRING), CAST(NULL AS BIGINT)
FROM locations
UNION ALL
SELECT env, tenant, deviceId, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), record_offset,
  CAST(NULL AS STRING), CAST(NULL AS BIGINT), CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE),
  CAST(NULL AS BIGINT), CAST(NULL AS BIGINT),
  CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), CAST(NULL AS STRING),
  rssi, snr, battery, online, eventTime, ingestedAt
FROM states;

-- A device's current state: its newest measurement with its current location and state, each part's columns taken
-- from one row (LATEST_BY, a platform function: the value on the row with the greatest order). One grouped row per
-- device, updated once by each of its measurements and reports. Joining a latest-measurement ranking to latest-report
-- rankings instead updated it up to nine times per tick, with deletes between (a left join's retractions).
CREATE TEMPORARY VIEW current_state AS
SELECT env, tenant, device_id,
  LATEST_BY(measured_at, measurement_order) AS measured_at,
  MAX(measurement_order) AS measured_at_ms,
  LATEST_BY(seq, measurement_order) AS seq,
  LATEST_BY(humidity, measurement_order) AS humidity,
  LATEST_BY(temperature, measurement_order) AS temperature,
  LATEST_BY(humidity_ingested_at, measurement_order) AS humidity_ingested_at,
  LATEST_BY(temperature_ingested_at, measurement_order) AS temperature_ingested_at,
  LATEST_BY(lat, location_order) AS lat,
  LATEST_BY(lon, location_order) AS lon,
  LATEST_BY(location_event_time, location_order) AS location_event_time,
  LATEST_BY(rssi, state_order) AS rssi,
  LATEST_BY(snr, state_order) AS snr,
  LATEST_BY(battery, state_order) AS battery,
  LATEST_BY(online, state_order) AS online,
  LATEST_BY(state_event_time, state_order) AS state_event_time,
  LATEST_BY(state_ingested_at, state_order) AS state_ingested_at
FROM state_changes
GROUP BY env, tenant, device_id;

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
FROM enriched_out;

-- Current state per device, from its first measurement on.
INSERT INTO device_state_latest
SELECT env, tenant, device_id, measured_at, measured_at_ms, seq, humidity, temperature,
  lat, lon, location_event_time, rssi, snr, battery, online, state_event_time, state_ingested_at,
  GREATEST(COALESCE(humidity_ingested_at, 0), COALESCE(temperature_ingested_at, 0), COALESCE(state_ingested_at, 0)) AS last_seen_ms,
  EPOCH_MILLIS(CURRENT_ROW_TIMESTAMP()) AS enriched_processing_ts_ms
FROM current_state
WHERE measured_at_ms IS NOT NULL;

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
