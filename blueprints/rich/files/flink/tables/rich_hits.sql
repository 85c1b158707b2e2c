-- PostgreSQL rich_hits (postgres/init/10-rich.sql): every hit with its label, JDBC upsert on (env, tenant, run_id,
-- time_ns, ix, iy), so a restored job or a replay rewrites the same rows. Written by 10-rings.sql.
CREATE TEMPORARY TABLE rich_hits (
  env      STRING,
  tenant   STRING,
  run_id   STRING,
  time_ns  BIGINT,
  ix       INT,
  iy       INT,
  label    STRING,
  track_id BIGINT,
  PRIMARY KEY (env, tenant, run_id, time_ns, ix, iy) NOT ENFORCED
) WITH (
  'connector' = 'jdbc',
  'url' = '${POSTGRES_JDBC_URL}',
  'table-name' = 'public.rich_hits',
  'username' = '${POSTGRES_FLINK_USER}',
  'password' = '${POSTGRES_FLINK_PASSWORD}',
  'sink.buffer-flush.max-rows' = '5000',
  'sink.buffer-flush.interval' = '1s',
  'sink.max-retries' = '5'
);
