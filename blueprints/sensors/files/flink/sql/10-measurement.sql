-- Job 1 — measurement: humidity ⋈ temperature of the same device tick (same env, tenant, deviceId, seq)
-- → sensors.measurement.v1 (one JSON record per joined pair, key "env|tenant|deviceId").
--
-- Prior demo (pvz v2, mqtt_measurement.sql) did an unbounded regular join on (deviceId, seq) with env and
-- tenant hard-coded to 'prod'/'tenant-1' and second-resolution processing stamps. Here:
--   * env and tenant come from the records and are part of the pair's key;
--   * a pair is emitted as soon as its second reading arrives, however late (no watermark involved: an
--     interval join would drop a reading of a partition that was idle while others moved event time on);
--     readings of one tick are at most 1 minute apart in event time;
--   * the platform function PAIR_ONCE forgets both readings once they are paired: a regular join kept every
--     reading of both sides for its state TTL, and the job copied all of it at every checkpoint (25 MiB after
--     a minute at 5,000 msg/s). A reading still without its partner is dropped after a day (state TTL);
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

-- Both kinds of reading in one stream for PAIR_ONCE: kind names the side, each side's own columns are null on the
-- other's rows. CAST drops the time attribute (PAIR_ONCE reads event_ts as a plain timestamp).
CREATE TEMPORARY VIEW readings AS
SELECT env, tenant, deviceId, seq, CAST('humidity' AS STRING) AS kind, CAST(event_ts AS TIMESTAMP(3)) AS event_ts,
  humidity, CAST(NULL AS DOUBLE) AS temperature,
  eventTime AS humidity_event_time, CAST(NULL AS STRING) AS temperature_event_time,
  ingestedAt AS humidity_ingested_at, CAST(NULL AS BIGINT) AS temperature_ingested_at
FROM humidity_readings /*+ OPTIONS('properties.group.id' = 'flink-sensors-measurement') */
WHERE env IS NOT NULL AND tenant IS NOT NULL AND deviceId IS NOT NULL AND seq IS NOT NULL
  AND humidity IS NOT NULL AND event_ts > TIMESTAMP '1970-01-01 00:00:00.000'
UNION ALL
SELECT env, tenant, deviceId, seq, CAST('temperature' AS STRING), CAST(event_ts AS TIMESTAMP(3)),
  CAST(NULL AS DOUBLE), temperature,
  CAST(NULL AS STRING), eventTime,
  CAST(NULL AS BIGINT), ingestedAt
FROM temperature_readings /*+ OPTIONS('properties.group.id' = 'flink-sensors-measurement') */
WHERE env IS NOT NULL AND tenant IS NOT NULL AND deviceId IS NOT NULL AND seq IS NOT NULL
  AND temperature IS NOT NULL AND event_ts > TIMESTAMP '1970-01-01 00:00:00.000';

-- One row per tick, as soon as its second reading arrives; event_ts is the humidity's (the first kind's).
-- PAIR_ONCE is called here, not in a view: Flink 2.2 cannot expand a view whose table argument is partitioned by
-- more than one column.
INSERT INTO measurements
SELECT
  CONCAT(env, '|', tenant, '|', deviceId) AS record_key,
  env, tenant, deviceId AS device_id,
  DATE_FORMAT(event_ts, 'yyyy-MM-dd''T''HH:mm:ss.SSS''Z''') AS measured_at,
  EPOCH_MILLIS(event_ts) AS measured_at_ms,
  seq, humidity, temperature,
  humidity_event_time, temperature_event_time,
  humidity_ingested_at, temperature_ingested_at,
  EPOCH_MILLIS(CURRENT_ROW_TIMESTAMP()) AS measurement_processing_ts_ms
FROM PAIR_ONCE(
  events => TABLE readings PARTITION BY (env, tenant, deviceId, seq),
  kinds => 'humidity, temperature',
  within_seconds => 60);
