-- sensors.device-state (upsert): the latest state per device for the API (Redis hash
-- sensors:{env}:{tenant}:device:{device_id}:state). Written by 20-enrichment.sql.
CREATE TEMPORARY TABLE device_state_latest (
  env                       STRING,
  tenant                    STRING,
  device_id                 STRING,
  measured_at               STRING,
  measured_at_ms            BIGINT,
  seq                       BIGINT,
  humidity                  DOUBLE,
  temperature               DOUBLE,
  lat                       DOUBLE,
  lon                       DOUBLE,
  location_event_time       STRING,
  rssi                      INT,
  snr                       DOUBLE,
  battery                   DOUBLE,
  online                    BOOLEAN,
  state_event_time          STRING,
  state_ingested_at         BIGINT,
  last_seen_ms              BIGINT,   -- wall clock (gateway ingest, ms) of the device's latest message
  enriched_processing_ts_ms BIGINT,
  PRIMARY KEY (env, tenant, device_id) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'sensors.device-state',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  'key.format' = 'json',
  'value.format' = 'json',
  'value.fields-include' = 'ALL'
);
