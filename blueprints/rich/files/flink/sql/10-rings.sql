-- The ring filter (prior demo §4, with its defects fixed: nanoseconds end to end, and a hit is signal by ring
-- geometry, not by time coincidence alone). Per run, the platform function LABEL_RICH_HITS fits each track's
-- Cherenkov ring to the hits of its time window in the track's normal-incidence frame (Taubin fit, then hits within
-- ringSigmas·σr kept, refitted) and labels every hit once: signal with its track, or noise. The rule is the
-- platform's docs/rich-data-contract.md; the parameters are iot-platform.yaml's.
-- Outputs: PostgreSQL rich_hits and rich_rings, rich.rings.v1, and each run's live counters (Redis).
-- Tables (flink/tables/, created by the SQL runner before this script): tracks, hits, wall_clock → rich_hits,
-- rich_rings, rings, run_counters.

SET 'pipeline.name' = 'rich-10-rings';
SET 'execution.checkpointing.interval' = '5s';
SET 'table.local-time-zone' = 'UTC';
-- A run that stopped sending must not hold the clock back: its topics count as idle after 2 s.
SET 'table.exec.source.idle-timeout' = '2 s';
-- The counters change with every hit: folded per second before they go to Kafka and Redis.
SET 'table.exec.mini-batch.enabled' = 'true';
SET 'table.exec.mini-batch.allow-latency' = '1 s';
SET 'table.exec.mini-batch.size' = '10000';

-- Tracks and hits as one stream per run, in the detector's time. The wall clock adds no rows (datagen makes no NULL
-- beat) but its watermark: when every run is quiet, the clock still passes their last windows.
CREATE TEMPORARY VIEW rich_events AS
  SELECT CONCAT_WS('/', env, tenant, runId) AS run_key, 'track' AS kind, x, y, z, vx, vy, vz,
         CAST(NULL AS INT) AS ix, CAST(NULL AS INT) AS iy, time_ns AS timeNs, rowtime
  FROM tracks /*+ OPTIONS('properties.group.id' = 'flink-rich-rings-tracks') */
  WHERE env IS NOT NULL AND tenant IS NOT NULL AND runId IS NOT NULL
  UNION ALL
  SELECT CONCAT_WS('/', env, tenant, runId), 'hit', CAST(NULL AS FLOAT), CAST(NULL AS FLOAT), CAST(NULL AS FLOAT),
         CAST(NULL AS FLOAT), CAST(NULL AS FLOAT), CAST(NULL AS FLOAT), ix, iy, time_ns, rowtime
  FROM hits /*+ OPTIONS('properties.group.id' = 'flink-rich-rings-hits') */
  WHERE env IS NOT NULL AND tenant IS NOT NULL AND runId IS NOT NULL
  UNION ALL
  SELECT CAST(NULL AS STRING), 'beat', CAST(NULL AS FLOAT), CAST(NULL AS FLOAT), CAST(NULL AS FLOAT),
         CAST(NULL AS FLOAT), CAST(NULL AS FLOAT), CAST(NULL AS FLOAT), CAST(NULL AS INT), CAST(NULL AS INT),
         CAST(NULL AS BIGINT), beat_at
  FROM wall_clock
  WHERE beat IS NULL;

CREATE TEMPORARY VIEW labelled AS
  SELECT SPLIT_INDEX(run_key, '/', 0) AS env, SPLIT_INDEX(run_key, '/', 1) AS tenant, SPLIT_INDEX(run_key, '/', 2) AS run_id,
         kind, trackId, ix, iy, timeNs, label, found, hits, centreX, centreY, radius, chi2, ndf, cherenkovAngle, beta,
         x, y, vx, vy, vz
  FROM LABEL_RICH_HITS(
    events => TABLE rich_events PARTITION BY run_key,
    on_time => DESCRIPTOR(rowtime),
    parameters => 'pixelsPerSide=${PIXELS_PER_SIDE}, pixelPitchMm=${PIXEL_PITCH_MM}, distanceMm=${DISTANCE_MM}, refractiveIndex=${REFRACTIVE_INDEX}, betaSpread=${BETA_SPREAD}, angularResolutionMrad=${ANGULAR_RESOLUTION_MRAD}, timeResolutionNs=${TIME_RESOLUTION_NS}, timeWindowSigmas=${TIME_WINDOW_SIGMAS}, ringSigmas=${RING_SIGMAS}, minRingHits=${MIN_RING_HITS}');

EXECUTE STATEMENT SET
BEGIN
  INSERT INTO rich_hits
  SELECT env, tenant, run_id, timeNs, ix, iy, label, trackId FROM labelled WHERE kind = 'hit';

  INSERT INTO rich_rings
  SELECT env, tenant, run_id, trackId, CAST(x AS DOUBLE), CAST(y AS DOUBLE), CAST(vx AS DOUBLE), CAST(vy AS DOUBLE),
         CAST(vz AS DOUBLE), found, hits, centreX, centreY, radius, chi2, ndf, cherenkovAngle, beta
  FROM labelled WHERE kind = 'track';

  INSERT INTO rings
  SELECT env, tenant, run_id, trackId, CAST(x AS DOUBLE), CAST(y AS DOUBLE), CAST(vx AS DOUBLE), CAST(vy AS DOUBLE),
         CAST(vz AS DOUBLE), found, hits, centreX, centreY, radius, chi2, ndf, cherenkovAngle, beta
  FROM labelled WHERE kind = 'track';

  INSERT INTO run_counters
  SELECT env, tenant, run_id,
         COUNT(*) FILTER (WHERE kind = 'hit'),
         COUNT(*) FILTER (WHERE label = 'signal'),
         COUNT(*) FILTER (WHERE label = 'noise'),
         COUNT(*) FILTER (WHERE kind = 'track'),
         COUNT(*) FILTER (WHERE found),
         MAX(timeNs)
  FROM labelled
  GROUP BY env, tenant, run_id;
END;
