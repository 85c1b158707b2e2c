-- transport.trips.v1 (compacted, key = trip id): the trip reference data `npm run gtfs:load` publishes, one JSON
-- record per trip (route, agency time zone, shape, stops with GTFS times, frequencies, service dates;
-- docs/transport-data-contract.md of the platform). Read whole by 10-arrivals.sql, which hands it to DETECT_ARRIVALS
-- as text. (A plain Kafka source drops tombstones: a trip removed from the feed keeps its last record in the job.)
CREATE TEMPORARY TABLE trips (
  trip_key STRING,   -- Kafka record key: the trip id
  trip     STRING    -- the record's JSON text
) WITH (
  'connector' = 'kafka',
  'topic' = 'transport.trips.v1',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  -- a fetch finding nothing new is answered after 5 s instead of 0.5 s (new records are answered at once): an idle
  -- stack polls the broker a tenth as often
  'properties.fetch.max.wait.ms' = '5000',
  'key.format' = 'raw',
  'key.fields' = 'trip_key',
  'value.format' = 'raw',
  'value.fields-include' = 'EXCEPT_KEY',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest'
);
