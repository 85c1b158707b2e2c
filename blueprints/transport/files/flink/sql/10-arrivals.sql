-- Job 1 — stop arrivals (prior demo §1, with its defects fixed): every vehicle position is projected onto its trip's
-- shape (geodesic, orthogonal; the polyline through the stops when the trip has none); a stop whose distance along
-- the shape lies between two consecutive samples of a vehicle is arrived at the interpolated second; its delay is
-- taken against the GTFS schedule of the trip's service date in the agency's time zone (times past 24:00:00 and
-- daylight-saving days included). The platform functions DETECT_ARRIVALS and STOP_HEADWAYS do it, with their state
-- in Flink checkpoints (the platform's docs/transport-data-contract.md states the rules). Four sinks:
--   * transport.arrivals.v1 and PostgreSQL stop_arrivals: one row per observed arrival (upserts on its key);
--   * transport.vehicle-arrival: each vehicle's last arrival (Redis);
--   * transport.vehicle-state: each vehicle's newest position, trip and the stop the feed says it is at or going to,
--     an upsert per vehicle (Redis hash transport:vehicle:{vehicle_id}, expiring after the TTL of iot-platform.yaml's
--     sinks.redis when the vehicle stops reporting).
-- On time: parameters onTimeMinDelaySeconds ≤ delay ≤ onTimeMaxDelaySeconds (iot-platform.yaml parameters:).
-- Tables (flink/tables/, created by the SQL runner before this script): trips, positions → arrivals,
-- stop_arrivals, vehicle_arrival, vehicle_state. Each source names this job's consumer group in an OPTIONS hint;
-- positions are read once (positions_read) for both the arrivals and the vehicle states.

SET 'pipeline.name' = 'transport-10-arrivals';
SET 'execution.checkpointing.interval' = '5s';
SET 'table.local-time-zone' = 'UTC';
-- The newest position per vehicle: a vehicle silent for a day is forgotten (its Redis hash expired long before).
-- DETECT_ARRIVALS and STOP_HEADWAYS keep their state without TTL (their state hints say so): a trip's record must
-- outlive days without service.
SET 'table.exec.state.ttl' = '1 d';

CREATE TEMPORARY VIEW positions_read AS
  SELECT * FROM positions /*+ OPTIONS('properties.group.id' = 'flink-transport-arrivals') */;

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
  FROM positions_read
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

  -- The newest position per vehicle by its own time: positions are keyed by trip, so a vehicle that changed trips
  -- may be read out of order across partitions; an older position never replaces a newer one. The gateway already
  -- dropped repeated feeds and unmoved vehicles.
  INSERT INTO vehicle_state
  SELECT vehicleId, vehicleLabel, tripId, routeId, directionId, startDate, latitude, longitude, bearing, speed,
         stopId, currentStopSequence, currentStatus, `timestamp`, ingestedAt
  FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY vehicleId ORDER BY `timestamp` DESC) AS newest
    FROM positions_read
    WHERE vehicleId IS NOT NULL AND `timestamp` IS NOT NULL
  )
  WHERE newest = 1;
END;
