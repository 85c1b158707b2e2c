package dev.iotplatform.flink.functions;

import static dev.iotplatform.flink.functions.OrderedEvents.row;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;

class WindowSummaryTest {
    private static String reading(String group, String time, String entity, boolean flag, double measure, long range) {
        return row("kind", "reading", "group_key", group, "event_ts", "2026-03-02 " + time, "entity", entity, "flag", flag,
                "averaged", List.of(measure), "ranged", List.of(range), "record", entity + "@" + time);
    }

    private static String tick(int n) {
        return row("kind", "tick", "record", "tick " + n);
    }

    private static List<String> run(int quietSeconds, String... rows) throws Exception {
        String query = "SELECT output, group_key, CAST(window_start AS STRING), CAST(window_end AS STRING), entities, flagged,"
                + " unflagged, averages[1], range_mins[1], range_maxs[1], late_record FROM WINDOW_SUMMARY(events => TABLE events,"
                + " size_seconds => 600, slide_seconds => 10, delay_seconds => 5, lateness_seconds => 3600, quiet_seconds => " + quietSeconds + ")";
        return OrderedEvents.query("events", "kind STRING, group_key STRING, event_ts TIMESTAMP(3), entity STRING, flag BOOLEAN,"
                + " averaged ARRAY<DOUBLE>, ranged ARRAY<BIGINT>, record STRING", List.of(rows), query).stream().map(Row::toString).toList();
    }

    @Test
    void closesWindowsWhenTheClockPassesTheirEndUpdatesThemWhenLateAndRejectsTooLate() throws Exception {
        List<String> rows = run(3600,
                reading("g1", "10:00:00", "a", true, 10, 1),
                reading("g1", "10:00:05", "b", false, 20, 2),
                reading("g1", "10:00:09", "a", false, 30, 3),
                // g2 moves the clock to 10:19:55: g1's newest closed window with readings is [10:00:00, 10:10:00)
                reading("g2", "10:20:00", "x", true, 1, 9),
                // late but within the allowed hour, into the window g1 emitted: emitted again
                reading("g1", "10:00:01", "c", true, 40, 0),
                // late, into an older window of g1 that was never the newest: counted in its slice, nothing emitted
                reading("g1", "09:55:00", "d", true, 50, 5),
                // more than an hour after the end of the newest window holding it (09:10 + 1 h <= 10:19:55): rejected
                reading("g1", "09:00:00", "e", true, 60, 6));
        assertEquals(List.of(
                "+I[window, g1, 2026-03-02 10:00:00.000, 2026-03-02 10:10:00.000, 2, 1, 2, 20.0, 1, 3, null]",
                "+I[window, g1, 2026-03-02 10:00:00.000, 2026-03-02 10:10:00.000, 3, 2, 2, 25.0, 0, 3, null]",
                "+I[late, g1, null, null, null, null, null, null, null, null, e@09:00:00]"),
                rows);
    }

    @Test
    void aLateReadingThatMakesAClosedWindowNewerThanTheLastEmittedOneEmitsItAtOnce() throws Exception {
        List<String> rows = run(3600,
                reading("g1", "10:00:00", "a", true, 10, 1),
                // g2 moves the clock to 10:29:55; g1's newest closed window with readings: [10:00:00, 10:10:00)
                reading("g2", "10:30:00", "x", true, 1, 9),
                // g1 reading at 10:15 (late, within the hour): its window [10:15:00, 10:25:00) is closed, newer
                reading("g1", "10:15:00", "b", false, 20, 2));
        assertEquals(List.of(
                "+I[window, g1, 2026-03-02 10:00:00.000, 2026-03-02 10:10:00.000, 1, 1, 0, 10.0, 1, 1, null]",
                "+I[window, g1, 2026-03-02 10:15:00.000, 2026-03-02 10:25:00.000, 1, 0, 1, 20.0, 2, 2, null]"),
                rows);
    }

    @Test
    void aQuietGroupClosesTheWindowOfItsNewestReadingOnTheNextTick() throws Exception {
        List<String> rows = run(0,
                reading("g1", "10:00:00", "a", true, 10, 1),
                // the clock reaches 10:00:25: the newest closed window holding a reading ends at 10:00:20
                reading("g1", "10:00:30", "b", true, 20, 2),
                // quiet: the window of its newest reading closes at once, though the clock is not at its end
                tick(1),
                // readings for the window emitted last update it, also one that opens a newer window
                reading("g1", "10:00:31", "c", false, 30, 3),
                reading("g1", "10:05:00", "d", false, 40, 4),
                // quiet again: the newer window closes
                tick(2));
        assertEquals(List.of(
                "+I[window, g1, 2026-03-02 09:50:20.000, 2026-03-02 10:00:20.000, 1, 1, 0, 10.0, 1, 1, null]",
                "+I[window, g1, 2026-03-02 10:00:30.000, 2026-03-02 10:10:30.000, 1, 1, 0, 20.0, 2, 2, null]",
                "+I[window, g1, 2026-03-02 10:00:30.000, 2026-03-02 10:10:30.000, 2, 1, 1, 25.0, 2, 3, null]",
                "+I[window, g1, 2026-03-02 10:00:30.000, 2026-03-02 10:10:30.000, 3, 1, 2, 30.0, 2, 4, null]",
                "+I[window, g1, 2026-03-02 10:05:00.000, 2026-03-02 10:15:00.000, 1, 0, 1, 40.0, 4, 4, null]"),
                rows);
    }
}
