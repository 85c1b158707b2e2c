-- Job 1 — measurement: humidity ⋈ temperature of the same device tick (same env, tenant, deviceId, seq)
-- → sensors.measurement.v1 (one JSON record per joined pair, key "env|tenant|deviceId").
--
-- Prior demo (pvz v2, mqtt_measurement.sql) did an unbounded regular join on (deviceId, seq) with env and
-- tenant hard-coded to 'prod'/'tenant-1' and second-resolution processing stamps. Here:
--   * env and tenant come from the records and are part of the join key;
--   * a time-bounded interval join (readings of one tick are at most 1 minute apart) so Flink drops join
--     state as the watermark passes, instead of keeping every unmatched reading forever;
--   * processing stamps in milliseconds.
-- Records with a missing key or an unparseable timestamp are dropped (the gateway already routes payloads
-- it cannot parse to sensors.dlq).
-- Connection settings are substituted from the environment by the platform SQL runner.

SET 'pipeline.name' = 'sensors-10-measurement';
SET 'execution.checkpointing.interval' = '10s';
SET 'table.local-time-zone' = 'UTC';
-- Partitions without traffic must not hold back the watermark (and with it the join output).
SET 'table.exec.source.idle-timeout' = '30 s';
-- One subtask: each partition of sensors.measurement.v1 then receives its records in the order of the input
-- partitions (event-time order per device), which the next job's watermark (latest - 5 s) relies on. With
-- several subtasks writing into one partition, a replay or backfill interleaves them hours apart, and the
-- enrichment job drops the "late" ones from its temporal joins (rows without location and state).
SET 'parallelism.default' = '1';

CREATE TEMPORARY TABLE humidity_readings (
  env        STRING,
  tenant     STRING,
  deviceId   STRING,
  eventTime  STRING,
  humidity   DOUBLE,
  seq        BIGINT,
  ingestedAt BIGINT,
  -- "2026-01-05T10:00:00.000Z" → TIMESTAMP(3) in UTC; an unparseable value becomes 1970-01-01 and is filtered below.
  event_ts AS COALESCE(TRY_CAST(REPLACE(REPLACE(eventTime, 'T', ' '), 'Z', '') AS TIMESTAMP(3)), TIMESTAMP '1970-01-01 00:00:00.000'),
  WATERMARK FOR event_ts AS event_ts - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'sensors.humidity.v1',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  'properties.group.id' = 'flink-sensors-measurement',
  -- committed group offsets when the job restarts without a checkpoint, else from the earliest offset
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'json',
  'json.fail-on-missing-field' = 'false',
  'json.ignore-parse-errors' = 'true'
);

CREATE TEMPORARY TABLE temperature_readings (
  env         STRING,
  tenant      STRING,
  deviceId    STRING,
  eventTime   STRING,
  temperature DOUBLE,
  seq         BIGINT,
  ingestedAt  BIGINT,
  event_ts AS COALESCE(TRY_CAST(REPLACE(REPLACE(eventTime, 'T', ' '), 'Z', '') AS TIMESTAMP(3)), TIMESTAMP '1970-01-01 00:00:00.000'),
  WATERMARK FOR event_ts AS event_ts - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'sensors.temperature.v1',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  'properties.group.id' = 'flink-sensors-measurement',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'json',
  'json.fail-on-missing-field' = 'false',
  'json.ignore-parse-errors' = 'true'
);

CREATE TEMPORARY TABLE measurements (
  record_key                   STRING,   -- Kafka record key "env|tenant|deviceId" (not in the JSON value)
  env                          STRING,
  tenant                       STRING,
  device_id                    STRING,
  measured_at                  STRING,   -- humidity event time, ISO-8601 UTC with ms
  measured_at_ms               BIGINT,
  seq                          BIGINT,
  humidity                     DOUBLE,
  temperature                  DOUBLE,
  humidity_event_time          STRING,
  temperature_event_time       STRING,
  humidity_ingested_at         BIGINT,
  temperature_ingested_at      BIGINT,
  measurement_processing_ts_ms BIGINT
) WITH (
  'connector' = 'kafka',
  'topic' = 'sensors.measurement.v1',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  'key.format' = 'raw',
  'key.fields' = 'record_key',
  'value.format' = 'json',
  'value.fields-include' = 'EXCEPT_KEY'
);

CREATE TEMPORARY VIEW humidity_clean AS
SELECT * FROM humidity_readings
WHERE env IS NOT NULL AND tenant IS NOT NULL AND deviceId IS NOT NULL AND seq IS NOT NULL
  AND humidity IS NOT NULL AND event_ts > TIMESTAMP '1970-01-01 00:00:00.000';

CREATE TEMPORARY VIEW temperature_clean AS
SELECT * FROM temperature_readings
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
