-- PostgreSQL stop_arrivals (postgres/init/10-transport.sql): JDBC upsert on (agency_id, trip_id, service_date,
-- stop_sequence), so a restored job or a replay rewrites the same rows. Written by 10-arrivals.sql.
-- Its TIMESTAMP(3) values hold UTC: the runner's JVM runs in UTC, as the PostgreSQL JDBC driver renders them with
-- the JVM's zone offset.
CREATE TEMPORARY TABLE stop_arrivals (
  agency_id              STRING,
  trip_id                STRING,
  service_date           DATE,
  stop_sequence          INT,
  route_id               STRING,
  vehicle_id             STRING,
  stop_id                STRING,
  arrival_time           TIMESTAMP(3),
  scheduled_arrival_time TIMESTAMP(3),
  delay_seconds          INT,
  on_time                BOOLEAN,
  headway_seconds        INT,
  PRIMARY KEY (agency_id, trip_id, service_date, stop_sequence) NOT ENFORCED
) WITH (
  'connector' = 'jdbc',
  'url' = '${POSTGRES_JDBC_URL}',
  'table-name' = 'public.stop_arrivals',
  'username' = '${POSTGRES_FLINK_USER}',
  'password' = '${POSTGRES_FLINK_PASSWORD}',
  'sink.buffer-flush.max-rows' = '1000',
  'sink.buffer-flush.interval' = '1s',
  'sink.max-retries' = '5'
);
