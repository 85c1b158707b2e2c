-- rich.rings.v1 (upsert on the track): each track's ring fit (trackless mode: each ring found), for consumers
-- downstream; the columns of rich_rings (rich_rings.sql). Written by 10-rings.sql.
CREATE TEMPORARY TABLE rings WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'rich.rings.v1',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  'key.format' = 'json',
  'value.format' = 'json',
  'value.fields-include' = 'ALL'
) LIKE rich_rings (EXCLUDING OPTIONS);
