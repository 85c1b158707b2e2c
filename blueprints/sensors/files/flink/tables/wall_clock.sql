-- The wall clock as a stream: a row every 100 ms on each subtask (the platform's wall-clock connector, evenly spaced),
-- each stamped with the time it was made, and a watermark 2 s behind that stamp (as the topics' read_at).
-- 20-enrichment.sql mixes it into ENRICH_AS_OF's input so that time goes on while every topic is idle; 30-summary.sql
-- feeds it to WINDOW_SUMMARY so that quiet tenants' windows close.
CREATE TEMPORARY TABLE wall_clock (
  beat BIGINT,
  beat_at AS CURRENT_TIMESTAMP,
  WATERMARK FOR beat_at AS beat_at - INTERVAL '2' SECOND
) WITH (
  'connector' = 'wall-clock',
  'interval' = '100 ms'
);
