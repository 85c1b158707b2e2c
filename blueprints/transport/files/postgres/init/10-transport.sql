-- Stop arrivals, written by the Flink job flink/sql/10-arrivals.sql (JDBC upsert on the primary key, so a replay or
-- a restored job rewrites the same rows) and read by dbt (dbt/) and the API. The static GTFS feed lives in schema
-- gtfs, created and filled by `npm run gtfs:load` (the platform's iot-gtfs-load).
-- Runs once, as the PostgreSQL superuser, after the roles script of the base template (00-roles.sh).

CREATE TABLE IF NOT EXISTS public.stop_arrivals (
  agency_id              text        NOT NULL,
  trip_id                text        NOT NULL,
  service_date           date        NOT NULL,  -- the trip's service day in the agency's time zone
  stop_sequence          integer     NOT NULL,
  route_id               text,
  vehicle_id             text,
  stop_id                text        NOT NULL,
  arrival_time           timestamptz NOT NULL,  -- detected: interpolated between two positions, whole seconds
  scheduled_arrival_time timestamptz,           -- null for frequency trips with exact_times = 0
  delay_seconds          integer,               -- arrival_time - scheduled_arrival_time
  on_time                boolean,               -- onTimeMinDelaySeconds <= delay <= onTimeMaxDelaySeconds
  headway_seconds        integer,               -- frequency trips with exact_times = 0: since the previous vehicle
  inserted_at            timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT stop_arrivals_pkey PRIMARY KEY (agency_id, trip_id, service_date, stop_sequence)
);

-- "A stop's recent arrivals" (the API) and delay per stop (dbt).
CREATE INDEX IF NOT EXISTS stop_arrivals_stop_idx ON public.stop_arrivals (stop_id, arrival_time DESC);
-- A route's performance per service date (the API, dbt).
CREATE INDEX IF NOT EXISTS stop_arrivals_route_idx ON public.stop_arrivals (route_id, service_date);

-- Flink's JDBC upsert is INSERT … ON CONFLICT DO UPDATE: it needs INSERT, UPDATE and SELECT.
GRANT SELECT, INSERT, UPDATE ON public.stop_arrivals TO flink_writer;

-- The static feed: created here (owned by the superuser, who runs npm run gtfs:load), readable by the API and dbt.
CREATE SCHEMA IF NOT EXISTS gtfs;

DO $$
DECLARE
  reader text;
BEGIN
  FOREACH reader IN ARRAY ARRAY['api_reader', 'dbt_runner'] LOOP
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = reader) THEN
      EXECUTE format('GRANT SELECT ON public.stop_arrivals TO %I', reader);
      EXECUTE format('GRANT USAGE ON SCHEMA gtfs TO %I', reader);
      EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA gtfs TO %I', reader);
      EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA gtfs GRANT SELECT ON TABLES TO %I', reader);
    END IF;
  END LOOP;
END
$$;

COMMENT ON TABLE public.stop_arrivals IS
  'Stop arrivals detected on the trips'' shapes from GTFS-Realtime positions, with their delay; written by Flink';
