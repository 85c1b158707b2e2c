-- PostgreSQL rich_rings (postgres/init/10-rich.sql): every track with its ring fit (trackless mode: every ring found
-- from the hits, track_id its id and the track columns null), JDBC upsert on (env, tenant, run_id, track_id).
-- Written by 10-rings.sql.
CREATE TEMPORARY TABLE rich_rings (
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
  'connector' = 'jdbc',
  'url' = '${POSTGRES_JDBC_URL}',
  'table-name' = 'public.rich_rings',
  'username' = '${POSTGRES_FLINK_USER}',
  'password' = '${POSTGRES_FLINK_PASSWORD}',
  'sink.buffer-flush.max-rows' = '1000',
  'sink.buffer-flush.interval' = '1s',
  'sink.max-retries' = '5'
);
