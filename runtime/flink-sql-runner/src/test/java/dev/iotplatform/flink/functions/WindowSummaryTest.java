package dev.iotplatform.flink.functions;

import static dev.iotplatform.flink.functions.OrderedEvents.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
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

    @Test
    void readingsBehindTheClockUpdateTheEmittedWindowAsAnIndependentCountOfItsReadingsSays() throws Exception {
        for (boolean copying : new boolean[] {false, true}) {
            Random random = new Random(7);
            List<Row> readings = new ArrayList<>();
            // g1's readings of [10:00:00, 10:10:00) in time order: the clock passing slide boundaries emits windows
            for (int i = 0; i < 300; i++) readings.add(randomReading(random, "g1", T0 + i * 2000L, 50));
            // g2 moves the clock to 10:10:00: g1's window [10:00:00, 10:10:00) is emitted
            readings.add(randomReading(random, "g2", T0 + 605_000, 50));
            // readings behind the clock into that window in any order, of many entities, most of them new to it
            for (int i = 0; i < 3000; i++) readings.add(randomReading(random, "g1", T0 + random.nextInt(600_000), 400));
            Direct f = new Direct(600, 10, 5, 3600, copying);
            Reference reference = new Reference(600_000, 10_000);
            for (int i = 0; i < readings.size(); i++) {
                int from = f.out.size();
                f.send(reference.add(readings.get(i)));
                for (Row row : f.out.subList(from, f.out.size())) assertEquals(reference.row(row), show(row), "reading " + i);
                if (i > 300) {
                    assertEquals(from + 1, f.out.size());
                    assertEquals(time(T0 + 600_000), f.out.get(from).getField(3));
                }
            }
            assertEquals(59 + 1 + 3000, f.out.size());
            f.assertWindowsConsistent();
        }
    }

    @Test
    void keepsTheEntitiesOfTheWindowEmittedLastOnly() throws Exception {
        for (boolean copying : new boolean[] {false, true}) {
            // windows of 60 s sliding by 10 s, no delay, readings up to 10 minutes late counted
            Direct f = new Direct(60, 10, 0, 600, copying);
            for (int slice = 0; slice < 40; slice++) {
                for (int j = 0; j < 10; j++) {
                    f.reading("g1", T0 + slice * 10_000L + j * 500, "s" + slice + "-" + j % 5, j % 3 == 0);
                    f.assertWindowsConsistent();
                }
                Long emittedEnd = f.groups.get("g1").emittedEnd;
                if (emittedEnd == null) continue;
                // behind the clock, into the window emitted last: updates it
                int rows = f.out.size();
                f.reading("g1", emittedEnd - 1, "late" + slice, slice % 2 == 0);
                assertEquals(rows + 1, f.out.size());
                f.assertWindowsConsistent();
                // the six slices of the window emitted last, five entities each, and its late entities
                assertTrue(f.windowMembers.getMap().size() <= 6 * 5 + 6, "kept: " + f.windowMembers.getMap().size());
            }
            // an hour later (another group moves the clock): only the entities of g1's last window, [10:06:30, 10:07:30), stay
            f.reading("g2", T0 + 3_600_000, "x", true);
            f.assertWindowsConsistent();
            assertEquals(T0 + 450_000, f.emitted.get("g1").end);
            Set<String> kept = new HashSet<>();
            for (int j = 0; j < 5; j++) kept.add("g1\u0001s39-" + j);
            assertEquals(kept, f.windowMembers.getMap().keySet());
        }
    }

    @Test
    void aWindowSizeChangedAcrossARestoreRecountsTheWindowEmittedLastAndIgnoresWhatItsOldEntitiesLeft() throws Exception {
        // windows of 10 minutes sliding by 10 s, no delay, no lateness
        Direct f = new Direct(600, 10, 0, 0);
        f.reading("g1", T0 + 5_000, "a", true);
        // the clock at 10:09:05: g1's window [09:59:00, 10:09:00) comes out
        f.reading("g1", T0 + 545_000, "b", true);
        // the clock at 10:10:01: g1's window [10:00:00, 10:10:00) comes out
        f.reading("g2", T0 + 601_000, "x", true);
        // restored with windows of a minute: g1's window emitted last is [10:09:00, 10:10:00) now; the clock at 10:10:41
        // drops the slice of a, which no reading can reach any more
        f.size = 60;
        f.reading("g2", T0 + 641_000, "x", true);
        // into g1's window emitted last: counted from its slices (b, c), then updated with a, new to it
        f.reading("g1", T0 + 595_000, "c", false);
        f.reading("g1", T0 + 596_000, "a", true);
        assertEquals(List.of(
                List.of(WindowSummary.WINDOW, "g1", time(T0 - 60_000), time(T0 + 540_000), 1L, 1L, 0L),
                List.of(WindowSummary.WINDOW, "g1", time(T0), time(T0 + 600_000), 2L, 2L, 0L),
                List.of(WindowSummary.WINDOW, "g2", time(T0 + 580_000), time(T0 + 640_000), 1L, 1L, 0L),
                List.of(WindowSummary.WINDOW, "g1", time(T0 + 540_000), time(T0 + 600_000), 2L, 1L, 1L),
                List.of(WindowSummary.WINDOW, "g1", time(T0 + 540_000), time(T0 + 600_000), 3L, 2L, 1L)),
                f.out.stream().map(row -> List.of(row.getField(0), row.getField(1), row.getField(2), row.getField(3), row.getField(4),
                        row.getField(5), row.getField(6))).toList());
    }

    @Test
    void emitsWhatARecountOfTheWindowGivesForRandomInput() throws Exception {
        for (int seed = 1; seed <= 4; seed++) {
            Random random = new Random(seed);
            List<Row> rows = randomRows(random, 2000);
            // no emitted window is kept in recount: each reading into one counts it from its slices again
            Direct recount = new Direct(60, 10, 5, 120, false);
            Direct heap = new Direct(60, 10, 5, 120, false);
            Direct copying = new Direct(60, 10, 5, 120, true);
            for (Direct f : List.of(recount, heap, copying)) f.quiet = 0;
            for (int i = 0; i < rows.size(); i++) {
                recount.emitted.clear();
                recount.windowMembers.clear();
                if (i == rows.size() / 2) {
                    // as after a restore of a checkpoint taken before these entries existed
                    heap.emitted.clear();
                    heap.windowMembers.clear();
                    copying.emitted.clear();
                    copying.windowMembers.clear();
                }
                int from = recount.out.size();
                for (Direct f : List.of(recount, heap, copying)) f.send(rows.get(i));
                String expected = shown(recount.out.subList(from, recount.out.size()));
                assertEquals(expected, shown(heap.out.subList(from, heap.out.size())), "seed " + seed + ", row " + i);
                assertEquals(expected, shown(copying.out.subList(from, copying.out.size())), "seed " + seed + ", row " + i);
                heap.assertWindowsConsistent();
                copying.assertWindowsConsistent();
            }
            assertEquals(recount.out.size(), heap.out.size());
            assertTrue(updates(recount.out) > 300, "updates: " + updates(recount.out));
            if (seed == 1) {
                // and so does the function in a job, its state in a state backend
                List<String> json = rows.stream().map(WindowSummaryTest::json).toList();
                List<Row> job = OrderedEvents.query("events", "kind STRING, group_key STRING, event_ts TIMESTAMP(3), entity STRING,"
                        + " flag BOOLEAN, averaged ARRAY<DOUBLE>, ranged ARRAY<BIGINT>, record STRING", json,
                        "SELECT output, group_key, window_start, window_end, entities, flagged, unflagged, averages, range_mins,"
                                + " range_maxs, late_record, late_reason FROM WINDOW_SUMMARY(events => TABLE events, size_seconds => 60,"
                                + " slide_seconds => 10, delay_seconds => 5, lateness_seconds => 120, quiet_seconds => 0)");
                assertEquals(shown(recount.out), shown(job));
            }
        }
    }

    /** Rows of three groups: most move the clock, many fall behind it (into the window emitted last or older ones, a few too late), some are ticks. */
    private static List<Row> randomRows(Random random, int n) {
        List<Row> rows = new ArrayList<>();
        long head = T0;
        for (int i = 0; i < n; i++) {
            double p = random.nextDouble();
            if (p < 0.04) {
                Row tick = Row.withNames();
                tick.setField("kind", "tick");
                tick.setField("record", "tick " + i);
                rows.add(tick);
                continue;
            }
            long t;
            if (p < 0.5) t = head += random.nextInt(4000);
            else if (p < 0.52) t = head += 30_000 + random.nextInt(120_000);
            else t = head - random.nextInt(p < 0.95 ? 80_000 : 300_000);
            Row row = randomReading(random, "g" + random.nextInt(3), t, 40);
            // arrays of other lengths, or none: a window's arrays are as long as its first slice's
            if (random.nextInt(10) == 0) row.setField("averaged", random.nextInt(4) == 0 ? null : measures(random, random.nextInt(4)));
            if (random.nextInt(10) == 0) row.setField("ranged", random.nextInt(4) == 0 ? null : ranges(random, random.nextInt(4)));
            rows.add(row);
        }
        return rows;
    }

    /** A reading at {@code t}: an entity of {@code entities} (now and then none), flagged TRUE, FALSE or NULL, two measures and two ranged values, some NULL. */
    private static Row randomReading(Random random, String group, long t, int entities) {
        Row row = Row.withNames();
        row.setField("kind", "reading");
        row.setField("group_key", group);
        row.setField("event_ts", time(t));
        row.setField("entity", random.nextInt(20) == 0 ? null : "d" + random.nextInt(entities));
        row.setField("flag", new Boolean[] {true, false, null}[random.nextInt(3)]);
        row.setField("averaged", measures(random, 2));
        row.setField("ranged", ranges(random, 2));
        row.setField("record", "r" + t);
        return row;
    }

    private static Double[] measures(Random random, int length) {
        Double[] measures = new Double[length];
        for (int i = 0; i < length; i++) {
            // magnitudes far apart, so that the order of additions shows in the last bits of a sum
            if (random.nextInt(7) > 0) measures[i] = (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(9) - 3);
        }
        return measures;
    }

    private static Long[] ranges(Random random, int length) {
        Long[] ranges = new Long[length];
        for (int i = 0; i < length; i++) {
            if (random.nextInt(7) > 0) ranges[i] = (long) (random.nextGaussian() * 1000);
        }
        return ranges;
    }

    /** Window rows that repeat their group's previous window row's window: updates. */
    private static int updates(List<Row> rows) {
        Map<String, Object> last = new HashMap<>();
        int updates = 0;
        for (Row row : rows) {
            if (!WindowSummary.WINDOW.equals(row.getField(0))) continue;
            if (row.getField(3).equals(last.put((String) row.getField(1), row.getField(3)))) updates++;
        }
        return updates;
    }

    private static String json(Row event) {
        if ("tick".equals(event.getField("kind"))) return row("kind", "tick", "record", event.getField("record"));
        Object[] averaged = event.getFieldAs("averaged");
        Object[] ranged = event.getFieldAs("ranged");
        return row("kind", "reading", "group_key", event.getField("group_key"),
                "event_ts", ((LocalDateTime) event.getField("event_ts")).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")),
                "entity", event.getField("entity"), "flag", event.getField("flag"),
                "averaged", averaged == null ? null : Arrays.asList(averaged), "ranged", ranged == null ? null : Arrays.asList(ranged),
                "record", event.getField("record"));
    }

    /** A row as text, doubles to the last bit (a double's shortest decimal form tells it apart from every other). */
    private static String show(Row row) {
        Object[] fields = new Object[row.getArity()];
        for (int i = 0; i < fields.length; i++) fields[i] = row.getField(i);
        return row.getKind().shortString() + Arrays.deepToString(fields);
    }

    private static String shown(List<Row> rows) {
        return String.join("\n", rows.stream().map(WindowSummaryTest::show).toList());
    }

    private static LocalDateTime time(long t) {
        return LocalDateTime.ofEpochSecond(Math.floorDiv(t, 1000), (int) Math.floorMod(t, 1000) * 1_000_000, ZoneOffset.UTC);
    }

    private static long millis(LocalDateTime time) {
        return time.toInstant(ZoneOffset.UTC).toEpochMilli();
    }

    /**
     * Windows counted straight from the readings, for readings that each carry two measures and two ranged values: the
     * sum of a measure is added up per slice in arrival order, then over the slices in time order, as the function does.
     */
    private static final class Reference {
        final long size, slide;
        final Map<String, List<Row>> readings = new HashMap<>();

        Reference(long size, long slide) {
            this.size = size;
            this.slide = slide;
        }

        Row add(Row reading) {
            readings.computeIfAbsent(reading.getFieldAs("group_key"), g -> new ArrayList<>()).add(reading);
            return reading;
        }

        /** What {@code emitted}, a window row, should be after the readings added so far. */
        String row(Row emitted) {
            String group = (String) emitted.getField(1);
            long end = millis((LocalDateTime) emitted.getField(3));
            TreeMap<Long, double[]> sums = new TreeMap<>();
            long[] counts = new long[2];
            Long[] mins = new Long[2];
            Long[] maxs = new Long[2];
            Map<String, Integer> bits = new HashMap<>();
            for (Row r : readings.get(group)) {
                long t = millis(r.getFieldAs("event_ts"));
                if (t < end - size || t >= end) continue;
                String entity = r.getFieldAs("entity");
                if (entity != null) bits.merge(entity, Boolean.TRUE.equals(r.getField("flag")) ? 1 : 2, (a, b) -> a | b);
                double[] slice = sums.computeIfAbsent(Math.floorDiv(t, slide) * slide, s -> new double[2]);
                Double[] measures = r.getFieldAs("averaged");
                for (int i = 0; i < 2; i++) {
                    if (measures[i] == null) continue;
                    slice[i] += measures[i];
                    counts[i]++;
                }
                Long[] ranged = r.getFieldAs("ranged");
                for (int i = 0; i < 2; i++) {
                    if (ranged[i] == null) continue;
                    mins[i] = mins[i] == null ? ranged[i] : Math.min(mins[i], ranged[i]);
                    maxs[i] = maxs[i] == null ? ranged[i] : Math.max(maxs[i], ranged[i]);
                }
            }
            double[] total = new double[2];
            for (double[] slice : sums.values()) {
                for (int i = 0; i < 2; i++) total[i] += slice[i];
            }
            Double[] averages = new Double[2];
            for (int i = 0; i < 2; i++) averages[i] = counts[i] == 0 ? null : total[i] / counts[i];
            return show(Row.of(WindowSummary.WINDOW, group, time(end - size), time(end), (long) bits.size(),
                    bits.values().stream().filter(b -> (b & 1) != 0).count(), bits.values().stream().filter(b -> (b & 2) != 0).count(),
                    averages, mins, maxs, null, null));
        }
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

    /**
     * The function called directly, its state in map views, so that a test can look at the state between rows. Plain
     * map views hand out the objects they hold, as the heap state backend does; copying ones (as a backend that
     * serializes values does) hand out and keep copies, so that a change the function does not put back is lost.
     */
    private static final class Direct {
        final WindowSummary function = new WindowSummary();
        final List<Row> out = new ArrayList<>();
        final WindowSummary.Clock clock = new WindowSummary.Clock();
        final MapView<String, WindowSummary.Group> groups;
        final MapView<String, WindowSummary.SliceStats> sliceStats;
        final MapView<String, Integer> members;
        final MapView<String, String> memberAt;
        final MapView<String, WindowSummary.EmittedWindow> emitted;
        final MapView<String, Long> windowMembers;
        final MapView<String, WindowSummary.Slice> legacySlices;
        final int slide, delay, lateness;
        int size;
        int quiet = 3600;

        Direct(int size, int slide, int delay, int lateness) {
            this(size, slide, delay, lateness, false);
        }

        Direct(int size, int slide, int delay, int lateness, boolean copying) {
            this.size = size;
            this.slide = slide;
            this.delay = delay;
            this.lateness = lateness;
            groups = view(copying);
            sliceStats = view(copying);
            members = view(copying);
            memberAt = view(copying);
            emitted = view(copying);
            windowMembers = view(copying);
            legacySlices = view(copying);
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
            send(row);
        }

        void send(Row row) throws Exception {
            function.eval(null, clock, groups, sliceStats, members, memberAt, emitted, windowMembers, legacySlices, row, size, slide,
                    delay, lateness, quiet);
        }

        /**
         * Each group's emitted window, where kept, is what its slices hold now (stats, entity counts), and
         * {@code windowMembers} holds exactly its entities with their flag bits.
         */
        void assertWindowsConsistent() throws Exception {
            int kept = 0;
            for (Map.Entry<String, WindowSummary.Group> g : groups.entries()) {
                WindowSummary.EmittedWindow window = emitted.get(g.getKey());
                if (window == null) continue;
                assertEquals(g.getValue().emittedEnd, window.end);
                assertEquals(window.end - size * 1000L, window.start);
                List<Long> starts = new ArrayList<>();
                List<String> stats = new ArrayList<>();
                Map<String, Integer> bits = new HashMap<>();
                for (long start : g.getValue().slices) {
                    if (start < window.start || start >= window.end) continue;
                    String sliceKey = g.getKey() + '\u0001' + start;
                    WindowSummary.SliceStats slice = sliceStats.get(sliceKey);
                    starts.add(start);
                    stats.add(show(slice));
                    for (int n = 0; n < slice.entities; n++) {
                        String entity = memberAt.get(sliceKey + '\u0001' + n);
                        bits.merge(entity, members.get(sliceKey + '\u0001' + entity), (a, b) -> a | b);
                    }
                }
                assertEquals(starts, Arrays.stream(window.sliceStarts).boxed().toList());
                assertEquals(stats, Arrays.stream(window.slices).map(WindowSummaryTest::show).toList());
                assertEquals(bits.size(), window.entities);
                assertEquals(bits.values().stream().filter(b -> (b & 1) != 0).count(), window.flagged);
                assertEquals(bits.values().stream().filter(b -> (b & 2) != 0).count(), window.unflagged);
                for (Map.Entry<String, Integer> e : bits.entrySet()) {
                    assertEquals(Long.valueOf(window.generation * 4 + e.getValue()), windowMembers.get(g.getKey() + '\u0001' + e.getKey()),
                            e.getKey());
                }
                kept += bits.size();
            }
            assertEquals(kept, windowMembers.getMap().size());
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

    private static <V> MapView<String, V> view(boolean copying) {
        return copying ? new CopyingMapView<>() : new MapView<>();
    }

    /** A map view that hands out and keeps copies of its values. */
    private static final class CopyingMapView<V> extends MapView<String, V> {
        @Override
        public V get(String key) throws Exception {
            return copy(super.get(key));
        }

        @Override
        public void put(String key, V value) throws Exception {
            super.put(key, copy(value));
        }

        @Override
        public Iterable<Map.Entry<String, V>> entries() throws Exception {
            List<Map.Entry<String, V>> entries = new ArrayList<>();
            for (Map.Entry<String, V> e : super.entries()) entries.add(new AbstractMap.SimpleEntry<>(e.getKey(), copy(e.getValue())));
            return entries;
        }
    }

    @SuppressWarnings("unchecked")
    private static <V> V copy(V value) {
        if (value instanceof WindowSummary.SliceStats s) return (V) copyStats(s);
        if (value instanceof WindowSummary.EmittedWindow w) {
            WindowSummary.EmittedWindow c = new WindowSummary.EmittedWindow();
            c.start = w.start;
            c.end = w.end;
            c.sliceStarts = w.sliceStarts.clone();
            c.slices = Arrays.stream(w.slices).map(WindowSummaryTest::copyStats).toArray(WindowSummary.SliceStats[]::new);
            c.entities = w.entities;
            c.flagged = w.flagged;
            c.unflagged = w.unflagged;
            c.generation = w.generation;
            return (V) c;
        }
        if (value instanceof WindowSummary.Group g) {
            WindowSummary.Group c = new WindowSummary.Group();
            c.slices = g.slices.clone();
            c.emittedEnd = g.emittedEnd;
            c.lastArrivalMs = g.lastArrivalMs;
            return (V) c;
        }
        if (value instanceof WindowSummary.Slice s) {
            WindowSummary.Slice c = new WindowSummary.Slice();
            c.entities = new HashMap<>(s.entities);
            c.sums = s.sums.clone();
            c.counts = s.counts.clone();
            c.mins = s.mins.clone();
            c.maxs = s.maxs.clone();
            return (V) c;
        }
        // String, Integer, Long: immutable
        return value;
    }

    private static WindowSummary.SliceStats copyStats(WindowSummary.SliceStats s) {
        WindowSummary.SliceStats c = new WindowSummary.SliceStats();
        c.entities = s.entities;
        c.sums = s.sums.clone();
        c.counts = s.counts.clone();
        c.mins = s.mins.clone();
        c.maxs = s.maxs.clone();
        return c;
    }

    private static String show(WindowSummary.SliceStats s) {
        return s.entities + " " + Arrays.toString(s.sums) + " " + Arrays.toString(s.counts) + " " + Arrays.toString(s.mins) + " "
                + Arrays.toString(s.maxs);
    }
}
