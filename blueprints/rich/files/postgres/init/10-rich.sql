-- Labelled hits and ring fits, written by the Flink job flink/sql/10-rings.sql (JDBC upserts on the primary keys, so
-- a replay or a restored job rewrites the same rows) and read by dbt (dbt/) and the API.
-- Times are nanoseconds since the epoch (time_ns = timeSec·1e9 + timeNanosec of the wire records), never mixed with
-- milliseconds. Runs once, as the PostgreSQL superuser, after the roles script of the base template (00-roles.sh).

CREATE TABLE IF NOT EXISTS public.rich_hits (
  env         text    NOT NULL,
  tenant      text    NOT NULL,
  run_id      text    NOT NULL,
  time_ns     bigint  NOT NULL,
  ix          integer NOT NULL,
  iy          integer NOT NULL,
  label       text    NOT NULL CHECK (label IN ('signal', 'noise')),
  track_id    bigint,                 -- the track whose ring the hit belongs to (its time_ns; trackless: the ring's id); null for noise
  inserted_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT rich_hits_pkey PRIMARY KEY (env, tenant, run_id, time_ns, ix, iy)
);
-- A track's hits (the event display, the API).
CREATE INDEX IF NOT EXISTS rich_hits_track_idx ON public.rich_hits (env, tenant, run_id, track_id) WHERE track_id IS NOT NULL;

-- One row per track: its ring fit in the track's normal-incidence frame (found = false: no ring, fit columns null),
-- and the track itself (impact point in mm at z = 0, unit direction) so that the ring can be drawn on the plane.
-- Trackless mode (iot-platform.yaml declares no tracks event): one row per ring found from the hits alone, track_id
-- the ring's id (the time_ns of its first hit; +1 ns when another ring of the run has it), the track columns null,
-- found true, the fit on the detector plane (centre and radius in the plane's mm) and no cherenkov_angle or beta.
CREATE TABLE IF NOT EXISTS public.rich_rings (
  env             text    NOT NULL,
  tenant          text    NOT NULL,
  run_id          text    NOT NULL,
  track_id        bigint  NOT NULL,   -- the track's time_ns (trackless: the ring's id)
  x               double precision,   -- null in trackless mode (and vx, vy, vz with it)
  y               double precision,
  vx              double precision,
  vy              double precision,
  vz              double precision,
  found           boolean NOT NULL,
  hits            integer NOT NULL,
  centre_x        double precision,   -- mm, track frame (trackless: the plane's)
  centre_y        double precision,
  radius          double precision,   -- mm, track frame (trackless: on the plane)
  chi2            double precision,
  ndf             integer,
  cherenkov_angle double precision,   -- rad
  beta            double precision,
  inserted_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT rich_rings_pkey PRIMARY KEY (env, tenant, run_id, track_id)
);

-- Flink's JDBC upsert is INSERT … ON CONFLICT DO UPDATE: it needs INSERT, UPDATE and SELECT.
GRANT SELECT, INSERT, UPDATE ON public.rich_hits, public.rich_rings TO flink_writer;

DO $$
DECLARE
  reader text;
BEGIN
  FOREACH reader IN ARRAY ARRAY['api_reader', 'dbt_runner'] LOOP
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = reader) THEN
      EXECUTE format('GRANT SELECT ON public.rich_hits, public.rich_rings TO %I', reader);
    END IF;
  END LOOP;
END
$$;

COMMENT ON TABLE public.rich_hits IS 'Every hit of the photodetector, labelled signal (with its track) or noise by the ring filter; written by Flink';
COMMENT ON TABLE public.rich_rings IS 'Every track with its Cherenkov ring fit (or found = false), or in trackless mode every ring found; written by Flink';
