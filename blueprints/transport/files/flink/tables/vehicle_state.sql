-- transport.vehicle-state (upsert on vehicle_id): each vehicle's newest position, trip and the stop the feed says it
-- is at or going to (Redis hash transport:vehicle:{vehicle_id}, TTL from iot-platform.yaml). Written by
-- 10-arrivals.sql.
CREATE TEMPORARY TABLE vehicle_state (
  vehicle_id            STRING,
  vehicle_label         STRING,
  trip_id               STRING,
  route_id              STRING,
  direction_id          INT,
  start_date            STRING,
  latitude              DOUBLE,
  longitude             DOUBLE,
  bearing               DOUBLE,
  speed                 DOUBLE,
  stop_id               STRING,
  current_stop_sequence INT,
  current_status        STRING,
  position_time_ms      BIGINT,
  ingested_at_ms        BIGINT,
  PRIMARY KEY (vehicle_id) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'transport.vehicle-state',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  'key.format' = 'json',
  'value.format' = 'json',
  'value.fields-include' = 'ALL'
);
