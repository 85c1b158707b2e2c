-- sensors.recent-summary (upsert on (env, tenant)): the latest 10-minute window per tenant (Redis hash
-- sensors:{env}:{tenant}:summary:recent). Written by 30-summary.sql.
CREATE TEMPORARY TABLE recent_summary (
  env                              STRING,
  tenant                           STRING,
  window_start                     STRING,   -- ISO-8601 UTC
  window_end                       STRING,
  window_seconds                   INT,
  total_devices                    BIGINT,
  online_devices                   BIGINT,
  offline_devices                  BIGINT,
  avg_temperature                  DOUBLE,
  avg_humidity                     DOUBLE,
  min_measured_at_ms               BIGINT,
  max_measured_at_ms               BIGINT,
  min_measurement_processing_ts_ms BIGINT,
  max_measurement_processing_ts_ms BIGINT,
  min_enriched_processing_ts_ms    BIGINT,
  max_enriched_processing_ts_ms    BIGINT,
  PRIMARY KEY (env, tenant) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'sensors.recent-summary',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  'key.format' = 'json',
  'value.format' = 'json',
  'value.fields-include' = 'ALL'
);
