-- Job 2 — vehicles now: each vehicle's newest position, trip and the stop the feed says it is at or going to, as
-- an upsert per vehicle (Redis hash transport:vehicle:{vehicle_id}, expiring after the TTL of iot-platform.yaml's
-- sinks.redis when the vehicle stops reporting). The gateway already dropped repeated feeds and unmoved vehicles.
-- Tables (flink/tables/, created by the SQL runner before this script): positions → vehicle_state.

SET 'pipeline.name' = 'transport-20-vehicles';
SET 'execution.checkpointing.interval' = '5s';
SET 'table.local-time-zone' = 'UTC';
-- A vehicle silent for a day is forgotten here (its Redis hash expired long before).
SET 'table.exec.state.ttl' = '1 d';

-- The newest position per vehicle by its own time: positions are keyed by trip, so a vehicle that changed trips
-- may be read out of order across partitions; an older position never replaces a newer one.
INSERT INTO vehicle_state
SELECT vehicleId, vehicleLabel, tripId, routeId, directionId, startDate, latitude, longitude, bearing, speed,
       stopId, currentStopSequence, currentStatus, `timestamp`, ingestedAt
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY vehicleId ORDER BY `timestamp` DESC) AS newest
  FROM positions /*+ OPTIONS('properties.group.id' = 'flink-transport-vehicles') */
  WHERE vehicleId IS NOT NULL AND `timestamp` IS NOT NULL
)
WHERE newest = 1;
