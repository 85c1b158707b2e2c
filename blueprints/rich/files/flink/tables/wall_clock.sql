-- The wall clock as a stream: a row every 100 ms on each subtask (the platform's wall-clock connector, evenly spaced)
-- stamped with the time it was made, the watermark 5 s behind. Mixed into LABEL_RICH_HITS's input (10-rings.sql) so
-- that the detector's clock goes on when a run stops sending: its last tracks are finalised and its last hits labelled
-- 5 s (plus the sources' idle timeout) after the wall clock passed them.
CREATE TEMPORARY TABLE wall_clock (
  beat BIGINT,
  beat_at AS CURRENT_TIMESTAMP,
  WATERMARK FOR beat_at AS beat_at - INTERVAL '5' SECOND
) WITH (
  'connector' = 'wall-clock',
  'interval' = '100 ms'
);
