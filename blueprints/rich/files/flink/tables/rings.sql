-- rich.rings.v1 (upsert on the track): each track's ring fit, for consumers downstream. Written by 10-rings.sql.
CREATE TEMPORARY TABLE rings (
  env             STRING,
  tenant          STRING,
  run_id          STRING,
  track_id        BIGINT,
  x               DOUBLE,
  y               DOUBLE,
  vx              DOUBLE,
  vy              DOUBLE,
  vz              DOUBLE,
  found           BOOLEAN,
  hits            INT,
  centre_x        DOUBLE,
  centre_y        DOUBLE,
  radius          DOUBLE,
  chi2            DOUBLE,
  ndf             INT,
  cherenkov_angle DOUBLE,
  beta            DOUBLE,
  PRIMARY KEY (env, tenant, run_id, track_id) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'rich.rings.v1',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  'key.format' = 'json',
  'value.format' = 'json',
  'value.fields-include' = 'ALL'
);
