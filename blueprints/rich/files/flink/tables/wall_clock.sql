-- The wall clock as a stream: ten rows a second stamped with the time they were made, the watermark 5 s behind. Mixed
-- into LABEL_RICH_HITS's input (10-rings.sql) so that the detector's clock goes on when a run stops sending: its last
-- tracks are finalised and its last hits labelled 5 s (plus the sources' idle timeout) after the wall clock passed them.
CREATE TEMPORARY TABLE wall_clock (
  beat INT,
  beat_at AS CURRENT_TIMESTAMP,
  WATERMARK FOR beat_at AS beat_at - INTERVAL '5' SECOND
) WITH (
  'connector' = 'datagen',
  'rows-per-second' = '10'
);
