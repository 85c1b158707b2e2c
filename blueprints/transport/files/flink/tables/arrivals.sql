-- transport.arrivals.v1 (upsert on agencyId, tripId, serviceDate, stopSequence): every detected stop arrival with
-- its delay (or headway). Written by 10-arrivals.sql; history (S3) reads it when that component is on.
CREATE TEMPORARY TABLE arrivals (
  agencyId             STRING,
  tripId               STRING,
  serviceDate          STRING,   -- YYYY-MM-DD in the agency's time zone
  stopSequence         INT,
  routeId              STRING,
  vehicleId            STRING,
  stopId               STRING,
  arrivalTime          BIGINT,   -- epoch ms, whole seconds
  scheduledArrivalTime BIGINT,   -- epoch ms; null for frequency trips with exact_times = 0
  delaySeconds         INT,
  onTime               BOOLEAN,
  headwaySeconds       INT,
  PRIMARY KEY (agencyId, tripId, serviceDate, stopSequence) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'transport.arrivals.v1',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  'key.format' = 'json',
  'value.format' = 'json',
  'value.fields-include' = 'ALL'
);
