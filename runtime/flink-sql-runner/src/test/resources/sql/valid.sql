-- Kafka JSON source -> upsert-kafka and Postgres (JDBC upsert). Plans without any broker or database.
SET 'parallelism.default' = '1';

CREATE TABLE readings (
  device_id STRING,
  temperature DOUBLE,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = '${READINGS_TOPIC:-readings}',
  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP:-127.0.0.1:9092}',
  'properties.group.id' = 'flink-sql-runner-test',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'json'
);

CREATE TABLE latest_by_device (
  device_id STRING,
  temperature DOUBLE,
  PRIMARY KEY (device_id) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'latest-by-device',
  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP:-127.0.0.1:9092}',
  'key.format' = 'json',
  'value.format' = 'json'
);

CREATE TABLE device_minute (
  device_id STRING,
  window_start TIMESTAMP(3),
  avg_temperature DOUBLE,
  PRIMARY KEY (device_id, window_start) NOT ENFORCED
) WITH (
  'connector' = 'jdbc',
  'url' = 'jdbc:postgresql://127.0.0.1:5432/iot',
  'table-name' = 'device_minute',
  'username' = 'flink',
  'password' = '${PG_PASSWORD:-unused-in-validate}'
);

EXECUTE STATEMENT SET BEGIN
  INSERT INTO latest_by_device
  SELECT device_id, LAST_VALUE(temperature) FROM readings GROUP BY device_id;
  INSERT INTO device_minute
  SELECT device_id, window_start, AVG(temperature)
  FROM TABLE(TUMBLE(TABLE readings, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
  GROUP BY device_id, window_start, window_end;
END;
