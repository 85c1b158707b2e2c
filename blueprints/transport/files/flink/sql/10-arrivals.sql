-- Job 1 — stop arrivals (prior demo §1, with its defects fixed): every vehicle position is projected onto its trip's
-- shape (geodesic, orthogonal; the polyline through the stops when the trip has none); a stop whose distance along
-- the shape lies between two consecutive samples of a vehicle is arrived at the interpolated second; its delay is
-- taken against the GTFS schedule of the trip's service date in the agency's time zone (times past 24:00:00 and
-- daylight-saving days included). The platform functions DETECT_ARRIVALS and STOP_HEADWAYS do it, with their state
-- in Flink checkpoints (the platform's docs/transport-data-contract.md states the rules). Three sinks:
--   * transport.arrivals.v1 and PostgreSQL stop_arrivals: one row per observed arrival (upserts on its key);
--   * transport.vehicle-arrival: each vehicle's last arrival (Redis).
-- On time: parameters onTimeMinDelaySeconds ≤ delay ≤ onTimeMaxDelaySeconds (iot-platform.yaml parameters:).
-- Tables (flink/tables/, created by the SQL runner before this script): trips, positions → arrivals,
-- stop_arrivals, vehicle_arrival. Each source names this job's consumer group in an OPTIONS hint.

SET 'pipeline.name' = 'transport-10-arrivals';
SET 'execution.checkpointing.interval' = '5s';
SET 'table.local-time-zone' = 'UTC';

-- Trip records and positions as one stream per trip: DETECT_ARRIVALS keeps each trip's record and each vehicle's
-- run on it in keyed state (a position that comes before its trip's record waits for it).
CREATE TEMPORARY VIEW transit_events AS
  SELECT 'trip' AS kind, trip_key AS tripId, trip,
         CAST(NULL AS STRING) AS vehicleId, CAST(NULL AS DOUBLE) AS latitude, CAST(NULL AS DOUBLE) AS longitude,
         CAST(NULL AS BIGINT) AS timestampMs, CAST(NULL AS STRING) AS startDate, CAST(NULL AS STRING) AS startTime
  FROM trips /*+ OPTIONS('properties.group.id' = 'flink-transport-arrivals-trips') */
  WHERE trip_key IS NOT NULL
  UNION ALL
  SELECT 'position', tripId, CAST(NULL AS STRING), vehicleId, latitude, longitude, `timestamp`, startDate, startTime
  FROM positions /*+ OPTIONS('properties.group.id' = 'flink-transport-arrivals') */
  WHERE tripId IS NOT NULL;

CREATE TEMPORARY VIEW detected AS
  SELECT * FROM DETECT_ARRIVALS(
    events => TABLE transit_events PARTITION BY tripId,
    on_time_from_seconds => CAST(${ON_TIME_MIN_DELAY_SECONDS} AS INT),
    on_time_to_seconds => CAST(${ON_TIME_MAX_DELAY_SECONDS} AS INT));

-- STOP_HEADWAYS adds the headways of frequency trips with exact_times = 0 (the others pass through with NULL). It is
-- called in each INSERT rather than through a view (Flink 2.2 fails to validate a view over a table argument
-- partitioned by two columns); the planner reuses the one sub-plan for both sinks.
EXECUTE STATEMENT SET
BEGIN
  INSERT INTO arrivals
  SELECT agencyId, tripId, serviceDate, stopSequence, routeId, vehicleId, stopId, arrivalTime,
         scheduledArrivalTime, delaySeconds, onTime, headwaySeconds
  FROM STOP_HEADWAYS(arrivals => TABLE detected PARTITION BY (routeId, stopId));

  INSERT INTO stop_arrivals
  SELECT agencyId, tripId, CAST(serviceDate AS DATE), stopSequence, routeId, vehicleId, stopId,
         CAST(TO_TIMESTAMP_LTZ(arrivalTime, 3) AS TIMESTAMP(3)),
         CAST(TO_TIMESTAMP_LTZ(scheduledArrivalTime, 3) AS TIMESTAMP(3)),
         delaySeconds, onTime, headwaySeconds
  FROM STOP_HEADWAYS(arrivals => TABLE detected PARTITION BY (routeId, stopId));

  -- From the detector itself (in time order per trip), not from the headways, which re-emit an earlier arrival
  -- when a later-detected one comes in between.
  INSERT INTO vehicle_arrival
  SELECT vehicleId, tripId, routeId, serviceDate, stopId, stopSequence, arrivalTime, scheduledArrivalTime,
         delaySeconds, onTime
  FROM detected;
END;
