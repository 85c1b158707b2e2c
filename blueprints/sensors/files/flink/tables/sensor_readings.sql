-- PostgreSQL history (postgres/init/10-sensors.sql): JDBC upsert on (env, tenant, device_id, measured_at),
-- idempotent under replay. Written by 20-enrichment.sql.
-- Its TIMESTAMP(3) values hold UTC: the runner's JVM must run in UTC (user.timezone=UTC), as the PostgreSQL
-- JDBC driver renders them with the JVM's zone offset.
CREATE TEMPORARY TABLE sensor_readings (
  env                          STRING,
  tenant                       STRING,
  device_id                    STRING,
  measured_at                  TIMESTAMP(3),
  seq                          BIGINT,
  humidity                     DOUBLE,
  temperature                  DOUBLE,
  temperature_measured_at      TIMESTAMP(3),
  lat                          DOUBLE,
  lon                          DOUBLE,
  location_event_time          TIMESTAMP(3),
  rssi                         INT,
  snr                          DOUBLE,
  battery                      DOUBLE,
  online                       BOOLEAN,
  state_event_time             TIMESTAMP(3),
  humidity_ingested_at         BIGINT,
  temperature_ingested_at      BIGINT,
  location_ingested_at         BIGINT,
  state_ingested_at            BIGINT,
  measurement_processing_ts_ms BIGINT,
  enriched_processing_ts_ms    BIGINT,
  PRIMARY KEY (env, tenant, device_id, measured_at) NOT ENFORCED
) WITH (
  'connector' = 'jdbc',
  'url' = '${POSTGRES_JDBC_URL}',
  'table-name' = 'public.sensor_readings',
  'username' = '${POSTGRES_FLINK_USER}',
  'password' = '${POSTGRES_FLINK_PASSWORD}',
  -- a row waits at most 200 ms in the buffer (the history's latency goal is seconds); the JDBC URL has
  -- reWriteBatchedInserts, so a flush is a few multi-row upserts (the buffer keeps one row per key)
  'sink.buffer-flush.max-rows' = '1000',
  'sink.buffer-flush.interval' = '200ms',
  'sink.max-retries' = '5'
);
