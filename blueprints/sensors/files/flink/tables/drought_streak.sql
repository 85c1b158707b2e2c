-- sensors.drought-streak (upsert on (env, tenant, device_id)): the "dry days" streak per device (Redis hash
-- sensors:{env}:{tenant}:device:{device_id}:drought). Written by 30-summary.sql.
CREATE TEMPORARY TABLE drought_streak (
  env                               STRING,
  tenant                            STRING,
  device_id                         STRING,
  threshold                         DOUBLE,
  streak_days                       DOUBLE,
  last_humidity                     DOUBLE,
  last_event_ts                     STRING,   -- latest reading (ISO-8601 UTC)
  last_ok_event_ts                  STRING,   -- latest reading with humidity >= threshold; null if none yet
  first_event_ts                    STRING,   -- first reading (the streak's start when there was no ok reading)
  last_seen_ms                      BIGINT,   -- wall clock (gateway ingest, ms) of the device's latest message
  last_measurement_processing_ts_ms BIGINT,
  last_enriched_processing_ts_ms    BIGINT,
  last_humidity_ingested_at         BIGINT,
  PRIMARY KEY (env, tenant, device_id) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'sensors.drought-streak',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  'key.format' = 'json',
  'value.format' = 'json',
  'value.fields-include' = 'ALL'
);
