-- transport.vehicle-arrival (upsert on vehicle_id): each vehicle's last detected arrival (Redis hash
-- transport:vehicle:{vehicle_id}:arrival, TTL from iot-platform.yaml). Written by 10-arrivals.sql.
CREATE TEMPORARY TABLE vehicle_arrival (
  vehicle_id                STRING,
  trip_id                   STRING,
  route_id                  STRING,
  service_date              STRING,
  stop_id                   STRING,
  stop_sequence             INT,
  arrival_time_ms           BIGINT,
  scheduled_arrival_time_ms BIGINT,
  delay_seconds             INT,
  on_time                   BOOLEAN,
  PRIMARY KEY (vehicle_id) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'transport.vehicle-arrival',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  'key.format' = 'json',
  'value.format' = 'json',
  'value.fields-include' = 'ALL'
);
