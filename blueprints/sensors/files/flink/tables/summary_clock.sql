-- A wall-clock heartbeat, one row per second, for WINDOW_SUMMARY in 30-summary.sql: it lets the windows of a
-- tenant that went quiet close (the function sees time pass without readings).
CREATE TEMPORARY TABLE summary_clock (
  beat INT
) WITH (
  'connector' = 'datagen',
  'rows-per-second' = '1'
);
