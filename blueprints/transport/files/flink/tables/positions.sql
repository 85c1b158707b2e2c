-- transport.positions.v1: GTFS-Realtime vehicle positions as the ingest gateway writes them (key = trip id;
-- iot-platform.yaml events.vehicle_positions). Read by 10-arrivals.sql (once, for the arrivals and the
-- vehicle states), which names its consumer group in an OPTIONS hint.
CREATE TEMPORARY TABLE positions (
  trip_key            STRING,   -- Kafka record key: the trip id
  entityId            STRING,
  vehicleId           STRING,
  vehicleLabel        STRING,
  tripId              STRING,
  routeId             STRING,
  directionId         INT,
  startDate           STRING,   -- YYYYMMDD, when the feed gives it
  startTime           STRING,   -- HH:MM:SS, when the feed gives it
  latitude            DOUBLE,
  longitude           DOUBLE,
  bearing             DOUBLE,
  speed               DOUBLE,
  currentStopSequence INT,
  stopId              STRING,
  currentStatus       STRING,
  `timestamp`         BIGINT,   -- epoch ms: the vehicle's timestamp, else the feed header's
  ingestedAt          BIGINT    -- epoch ms: when the gateway received the feed
) WITH (
  'connector' = 'kafka',
  'topic' = 'transport.positions.v1',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  -- a fetch finding nothing new is answered after 5 s instead of 0.5 s (new records are answered at once): an idle
  -- stack polls the broker a tenth as often
  'properties.fetch.max.wait.ms' = '5000',
  'key.format' = 'raw',
  'key.fields' = 'trip_key',
  'value.format' = 'json',
  'value.fields-include' = 'EXCEPT_KEY',
  'value.json.fail-on-missing-field' = 'false',
  'value.json.ignore-parse-errors' = 'true',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest'
);
