-- History of enriched measurements, written by the Flink job flink/sql/20-enrichment.sql (JDBC upsert on the
-- primary key, so a replay rewrites the same rows) and read by dbt (dbt/) and the API.
-- Runs once, as the PostgreSQL superuser, after the roles script of the base template (00-roles.sh).

CREATE TABLE IF NOT EXISTS public.sensor_readings (
  env                          text             NOT NULL,
  tenant                       text             NOT NULL,
  device_id                    text             NOT NULL,
  measured_at                  timestamptz      NOT NULL,  -- event time of the humidity reading
  seq                          bigint,                      -- device tick counter (humidity and temperature share it)
  humidity                     double precision,            -- %
  temperature                  double precision,            -- °C
  temperature_measured_at      timestamptz,
  lat                          double precision,            -- location valid at measured_at (latest report at or before it)
  lon                          double precision,
  location_event_time          timestamptz,
  rssi                         integer,                     -- state valid at measured_at (latest report at or before it)
  snr                          double precision,
  battery                      double precision,            -- %
  online                       boolean,
  state_event_time             timestamptz,
  humidity_ingested_at         bigint,                      -- epoch ms, ingest gateway
  temperature_ingested_at      bigint,
  location_ingested_at         bigint,
  state_ingested_at            bigint,
  measurement_processing_ts_ms bigint,                      -- epoch ms, Flink: the readings paired
  enriched_processing_ts_ms    bigint,                      -- epoch ms, Flink: the measurement enriched
  inserted_at                  timestamptz      NOT NULL DEFAULT now(),
  CONSTRAINT sensor_readings_pkey PRIMARY KEY (env, tenant, device_id, measured_at)
  -- no CHECK constraints on purpose: a rejected row would stop the Flink sink; the gateway validates
  -- ranges, and the dbt source tests report anything that slips through.
);

-- The primary key's index (env, tenant, device_id, measured_at) also serves "latest readings of a device"
-- (ORDER BY measured_at DESC) by a backward index scan, so no second, descending copy of it is kept: it would
-- double the index writes of every upsert. (PostgreSQL cannot back a primary key with a DESC index.)
CREATE INDEX IF NOT EXISTS sensor_readings_measured_at_idx
  ON public.sensor_readings (measured_at DESC);

-- Flink's JDBC upsert is INSERT … ON CONFLICT DO UPDATE: it needs INSERT, UPDATE and SELECT.
GRANT SELECT, INSERT, UPDATE ON public.sensor_readings TO flink_writer;

-- api_reader and dbt_runner already get SELECT through the default privileges of the roles script;
-- grant it explicitly as well (for roles that exist), so the table does not depend on who created it.
DO $$
DECLARE
  reader text;
BEGIN
  FOREACH reader IN ARRAY ARRAY['api_reader', 'dbt_runner'] LOOP
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = reader) THEN
      EXECUTE format('GRANT SELECT ON public.sensor_readings TO %I', reader);
    END IF;
  END LOOP;
END
$$;

COMMENT ON TABLE public.sensor_readings IS
  'Enriched sensor measurements (humidity ⋈ temperature, with location and state at measurement time); written by Flink';
