package dev.iotplatform.flink.functions;

import static dev.iotplatform.flink.functions.OrderedEvents.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.api.dataview.MapView;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;
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

    @Test
    void countsEntitiesExactlyWhenAGroupHasManyOfThem() throws Exception {
        List<String> rows = new ArrayList<>();
        Map<String, Integer> bits = new HashMap<>();
        long sum = 0;
        int count = 0;
        // three slices of the window [10:00:00, 10:10:00), overlapping in entities, some entities flagged both ways (the
        // clock passing slide boundaries on the way emits the windows ending there first)
        for (int i = 0; i < 300; i++) {
            rows.add(reading("g1", "10:00:0" + i % 10, "e" + i, i % 3 == 0, i, i));
            bits.merge("e" + i, i % 3 == 0 ? 1 : 2, (a, b) -> a | b);
            sum += i;
            count++;
        }
        for (int i = 150; i < 450; i++) {
            rows.add(reading("g1", "10:05:1" + i % 10, "e" + i, i % 5 != 0, 2 * i, i + 1000));
            bits.merge("e" + i, i % 5 != 0 ? 1 : 2, (a, b) -> a | b);
            sum += 2 * i;
            count++;
        }
        for (int i = 0; i < 100; i++) {
            rows.add(reading("g1", "10:09:5" + i % 10, "e" + i * 4, false, 7, -i));
            bits.merge("e" + i * 4, 2, (a, b) -> a | b);
            sum += 7;
            count++;
        }
        // moves the clock to the window's end
        rows.add(reading("g2", "10:10:05", "x", true, 1, 9));
        long flagged = bits.values().stream().filter(b -> (b & 1) != 0).count();
        long unflagged = bits.values().stream().filter(b -> (b & 2) != 0).count();
        assertEquals(List.of("+I[window, g1, 2026-03-02 10:00:00.000, 2026-03-02 10:10:00.000, " + bits.size() + ", " + flagged + ", "
                + unflagged + ", " + (double) sum / count + ", -99, 1449, null]"), lastOf(run(3600, rows.toArray(String[]::new))));
    }

    private static List<String> lastOf(List<String> rows) {
        return rows.subList(rows.size() - 1, rows.size());
    }

    private static final long T0 = LocalDateTime.of(2026, 3, 2, 10, 0).toInstant(ZoneOffset.UTC).toEpochMilli();

    @Test
    void dropsASliceWithItsMembersOnceNoReadingCanReachIt() throws Exception {
        // windows of 60 s sliding by 10 s, no delay, no lateness
        Direct f = new Direct(60, 10, 0, 0);
        for (int slice = 0; slice < 30; slice++) {
            for (int j = 0; j < 20; j++) {
                f.reading("g1", T0 + slice * 10_000L + j * 100, "e" + (slice * 7 + j) % 50, j % 2 == 0);
                f.assertConsistent();
                // the six slices of the window emitted last, one slide of margin and the slice the clock is in
                assertTrue(f.groups.get("g1").slices.length <= 8, "slices kept: " + f.groups.get("g1").slices.length);
                assertTrue(f.members.getMap().size() <= 8 * 20, "members kept: " + f.members.getMap().size());
            }
        }
        // an hour later (another group moves the clock): only the last slice, the last emitted window's, stays
        f.reading("g2", T0 + 3_600_000, "x", true);
        f.assertConsistent();
        assertEquals(1, f.groups.get("g1").slices.length);
        assertEquals(2, f.sliceStats.getMap().size());
        assertEquals(21, f.members.getMap().size());
        assertEquals(21, f.memberAt.getMap().size());
    }

    @Test
    void movesTheSlicesOfThePreviousVersionIntoThePresentLayout() throws Exception {
        Direct f = new Direct(600, 10, 5, 3600);
        // the state the previous version left after the first four readings of the first test
        f.clock.clockMs = T0 + 1_195_000;
        f.clock.firedAtMs = T0 + 1_190_000;
        f.groups.put("g1", group(T0 + 600_000, T0));
        f.groups.put("g2", group(null, T0 + 1_200_000));
        f.legacySlices.put("g1\u0001" + T0, legacySlice(Map.of("a", 3, "b", 2), 60, 3, 1, 3));
        f.legacySlices.put("g2\u0001" + (T0 + 1_200_000), legacySlice(Map.of("x", 1), 1, 1, 9, 9));
        // into the window g1 emitted last: emitted again, with the entities and sums carried over
        f.reading("g1", T0 + 1000, "c", true);
        assertTrue(f.legacySlices.isEmpty());
        f.assertConsistent();
        assertEquals(4, f.members.getMap().size());
        assertEquals(1, f.out.size());
        Row row = f.out.get(0);
        assertEquals(List.of("window", "g1", 3L, 2L, 2L, 15.25, 1L, 3L), List.of(row.getField(0), row.getField(1), row.getField(4),
                row.getField(5), row.getField(6), ((Double[]) row.getField(7))[0], ((Long[]) row.getField(8))[0], ((Long[]) row.getField(9))[0]));
    }

    private static WindowSummary.Group group(Long emittedEnd, long... slices) {
        WindowSummary.Group g = new WindowSummary.Group();
        g.slices = slices;
        g.emittedEnd = emittedEnd;
        return g;
    }

    private static WindowSummary.Slice legacySlice(Map<String, Integer> entities, double sum, long count, long min, long max) {
        WindowSummary.Slice s = new WindowSummary.Slice();
        s.entities = new HashMap<>(entities);
        s.sums = new double[] {sum};
        s.counts = new long[] {count};
        s.mins = new Long[] {min};
        s.maxs = new Long[] {max};
        return s;
    }

    /** The function called directly, its state in plain map views, so that a test can look at the state between rows. */
    private static final class Direct {
        final WindowSummary function = new WindowSummary();
        final List<Row> out = new ArrayList<>();
        final WindowSummary.Clock clock = new WindowSummary.Clock();
        final MapView<String, WindowSummary.Group> groups = new MapView<>();
        final MapView<String, WindowSummary.SliceStats> sliceStats = new MapView<>();
        final MapView<String, Integer> members = new MapView<>();
        final MapView<String, String> memberAt = new MapView<>();
        final MapView<String, WindowSummary.Slice> legacySlices = new MapView<>();
        final int size, slide, delay, lateness;

        Direct(int size, int slide, int delay, int lateness) {
            this.size = size;
            this.slide = slide;
            this.delay = delay;
            this.lateness = lateness;
            function.setCollector(new Collector<>() {
                @Override
                public void collect(Row row) {
                    out.add(row);
                }

                @Override
                public void close() {}
            });
            function.open(new FunctionContext(null));
        }

        void reading(String group, long t, String entity, boolean flag) throws Exception {
            Row row = Row.withNames();
            row.setField("kind", "reading");
            row.setField("group_key", group);
            row.setField("event_ts", LocalDateTime.ofEpochSecond(t / 1000, (int) (t % 1000) * 1_000_000, ZoneOffset.UTC));
            row.setField("entity", entity);
            row.setField("flag", flag);
            row.setField("averaged", new Double[] {(double) (t / 1000 % 100)});
            row.setField("ranged", new Long[] {t / 1000 % 7});
            row.setField("record", entity);
            function.eval(null, clock, groups, sliceStats, members, memberAt, legacySlices, row, size, slide, delay, lateness, 3600);
        }

        /** Every slice of a group has its stats and members, and nothing else is left. */
        void assertConsistent() throws Exception {
            int slices = 0;
            int entities = 0;
            for (Map.Entry<String, WindowSummary.Group> g : groups.entries()) {
                for (long start : g.getValue().slices) {
                    String sliceKey = g.getKey() + '\u0001' + start;
                    WindowSummary.SliceStats stats = sliceStats.get(sliceKey);
                    assertTrue(stats != null, "no stats for " + sliceKey);
                    for (int n = 0; n < stats.entities; n++) {
                        String entity = memberAt.get(sliceKey + '\u0001' + n);
                        assertTrue(entity != null && members.contains(sliceKey + '\u0001' + entity), "member " + n + " of " + sliceKey);
                    }
                    slices++;
                    entities += stats.entities;
                }
            }
            assertEquals(slices, sliceStats.getMap().size());
            assertEquals(entities, members.getMap().size());
            assertEquals(entities, memberAt.getMap().size());
        }
    }
}
