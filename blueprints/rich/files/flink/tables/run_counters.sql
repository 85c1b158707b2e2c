-- rich.run-counters (upsert on the run): live counters of each run (Redis hash rich:{env}:{tenant}:run:{run_id}).
-- Written by 10-rings.sql.
CREATE TEMPORARY TABLE run_counters (
  env          STRING,
  tenant       STRING,
  run_id       STRING,
  hits         BIGINT,
  signal_hits  BIGINT,
  noise_hits   BIGINT,
  tracks       BIGINT,   -- trackless mode: the rings found (rich_rings rows, as the API's tracks)
  rings_found  BIGINT,
  last_time_ns BIGINT,   -- the newest labelled hit or finalised track
  PRIMARY KEY (env, tenant, run_id) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'rich.run-counters',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  'key.format' = 'json',
  'value.format' = 'json',
  'value.fields-include' = 'ALL'
);
