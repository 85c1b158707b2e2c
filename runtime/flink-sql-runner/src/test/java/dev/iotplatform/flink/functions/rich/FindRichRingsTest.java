package dev.iotplatform.flink.functions.rich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FIND_RICH_RINGS (trackless mode) on a real Flink (MiniCluster): a simulated run's hits go through SQL by event time,
 * and what comes out equals {@link HoughRingFinder#find} on the whole run at once, each hit and each ring exactly
 * once, although the function sees the run a millisecond slice at a time (flashes straddle slice boundaries here on
 * purpose). The last test fails the job once and checks that it resumed from a checkpoint with the same answer.
 */
class FindRichRingsTest {
    private static final RichGeometry G = RichGeometry.defaults();
    private static final HoughRingFinder FINDER = new HoughRingFinder(G);
    /** An epoch in nanoseconds (2026), so that times need all 64 bits. */
    private static final long START = 1_780_000_000_000_000_000L;
    private static final long MS = 1_000_000L;

    /**
     * Two seconds of tracks at 10 Hz with the 2 kHz dark rate; tracks right before millisecond ends (their flashes,
     * 10 to 16 µs after the track, straddle the end) and a burst of tracks within 100 µs; a quiet tail.
     */
    private static RichSimulation run() {
        RichSimulation sim = new RichSimulation(G, 7L).run(START, 2_000_000_000L, 10, 2000);
        for (int k = 0; k < 8; k++) sim.track(START + (2_100 + 37L * k) * MS - 10_000L + 300L * (k - 4));
        sim.run(START + 2_500_000_000L - 50_000L, 100_000L, 100_000, 2000);
        sim.run(START + 2_600_000_000L, 30_000_000L, 0.001, 2000); // dark counts only
        return sim;
    }

    /** HoughRingFinder's answer on the whole run, as the function's rows (ring ids as the function gives them). */
    private static List<String> expected(RichSimulation sim, String detector) {
        List<HoughRingFinder.FoundRing> rings = new ArrayList<>(FINDER.find(sim.hits));
        rings.sort((a, b) -> RingFilter.HIT_ORDER.compare(a.hits().get(0), b.hits().get(0)));
        Map<RingFilter.Hit, Long> ringOf = new HashMap<>();
        List<String> rows = new ArrayList<>();
        long last = Long.MIN_VALUE;
        for (HoughRingFinder.FoundRing r : rings) {
            long first = r.hits().get(0).timeNs();
            long id = last == Long.MIN_VALUE || first > last ? first : last + 1;
            last = id;
            for (RingFilter.Hit h : r.hits()) ringOf.put(h, id);
            rows.add(String.join(" ", detector, "ring", "" + id, "null", "null", "" + first, "null", "" + r.hits().size(),
                    "" + r.centreX(), "" + r.centreY(), "" + r.radius(), "" + FINDER.chi2(r), "" + (r.hits().size() - 3)));
        }
        for (RingFilter.Hit h : sim.hits) {
            Long id = ringOf.get(h);
            rows.add(String.join(" ", detector, "hit", "" + id, "" + h.ix(), "" + h.iy(), "" + h.timeNs(),
                    id == null ? "noise" : "signal", "null null null null null null"));
        }
        return rows;
    }

    private List<String> find(RichSimulation sim, Long failAfter, String... detectors) throws Exception {
        RingFilter.Hit[] hits = sim.hits.toArray(new RingFilter.Hit[0]);
        Arrays.sort(hits, RingFilter.HIT_ORDER); // as the merged stream comes, in time order
        List<String> lines = new ArrayList<>();
        for (RingFilter.Hit h : hits) {
            for (String d : detectors) {
                lines.add("{\"detector\":\"" + d + "\",\"ix\":" + h.ix() + ",\"iy\":" + h.iy() + ",\"timeNs\":" + h.timeNs() + "}");
            }
        }
        Path file = dir.resolve("hits.json");
        Files.write(file, lines);

        TableEnvironment env = FailingJob.environment(failAfter);
        String source = failAfter == null ? "hits_in" : "failing_hits";
        env.executeSql("CREATE TEMPORARY TABLE hits_in (detector STRING, ix INT, iy INT, timeNs BIGINT,"
                + " rowtime AS TO_TIMESTAMP_LTZ(timeNs / 1000000, 3), WATERMARK FOR rowtime AS rowtime - INTERVAL '0.001' SECOND)"
                + " WITH ('connector' = 'filesystem', 'path' = '" + file.toUri() + "', 'format' = 'json')");
        if (failAfter != null) env.executeSql("CREATE TEMPORARY VIEW failing_hits AS SELECT * FROM hits_in WHERE FAIL_ONCE(timeNs)");
        String query = "SELECT detector, kind, ringId, ix, iy, timeNs, label, hits, centreX, centreY, radius, chi2, ndf"
                + " FROM FIND_RICH_RINGS(hits => TABLE " + source + " PARTITION BY detector, on_time => DESCRIPTOR(rowtime),"
                + " parameters => 'timeResolutionNs=1000, minRingHits = 5,trackRateHz=10')";
        List<String> out = new ArrayList<>();
        try (CloseableIterator<Row> it = env.executeSql(query).collect()) {
            it.forEachRemaining(r -> {
                StringBuilder s = new StringBuilder();
                for (int i = 0; i < r.getArity(); i++) s.append(i > 0 ? " " : "").append(r.getField(i));
                out.add(s.toString());
            });
        }
        return out;
    }

    @TempDir
    Path dir;

    /** The same rows in any order; else the counts and the first rows missing or extra (not thousands of rows). */
    private static void assertSameRows(List<String> expected, List<String> actual) {
        Map<String, Integer> count = new HashMap<>();
        for (String row : expected) count.merge(row, 1, Integer::sum);
        for (String row : actual) count.merge(row, -1, Integer::sum);
        List<String> missing = new ArrayList<>(), extra = new ArrayList<>();
        count.forEach((row, n) -> (n > 0 ? missing : extra).addAll(n == 0 ? List.of() : List.of(row)));
        assertTrue(missing.isEmpty() && extra.isEmpty(), expected.size() + " rows expected, " + actual.size() + " came; missing "
                + missing.subList(0, Math.min(5, missing.size())) + ", extra " + extra.subList(0, Math.min(5, extra.size())));
    }

    @Test
    void aScanCutAnywhereResumesToTheWholeRunsAnswer() {
        RichSimulation sim = run();
        RingFilter.Hit[] all = sim.hits.toArray(new RingFilter.Hit[0]);
        Arrays.sort(all, RingFilter.HIT_ORDER);
        List<HoughRingFinder.FoundRing> whole = FINDER.find(sim.hits);
        // cut every 0.25 ms, and at each millisecond's end
        for (long step : new long[] {250_000L, MS}) {
            List<HoughRingFinder.FoundRing> pieces = new ArrayList<>();
            int from = 0;
            for (long cut = START; from < all.length; cut += step) {
                int to = from;
                while (to < all.length && all[to].timeNs() < cut) to++;
                HoughRingFinder.Scan scan = FINDER.scan(Arrays.copyOfRange(all, from, to), cut);
                pieces.addAll(scan.rings());
                from += scan.decided();
            }
            assertEquals(whole, pieces, "cut every " + step + " ns");
        }
    }

    @Test
    void everyHitAndRingComesOutOnceWithTheFindersAnswerOnTheWholeRun() throws Exception {
        RichSimulation sim = run();
        List<String> actual = find(sim, null, "A", "B");
        List<String> expected = new ArrayList<>(expected(sim, "A"));
        expected.addAll(expected(sim, "B"));
        assertSameRows(expected, actual);
        long rings = actual.stream().filter(s -> s.startsWith("A ring")).count();
        assertEquals(sim.hits.size(), actual.stream().filter(s -> s.startsWith("A hit")).count());
        assertTrue(rings > 25, "rings: " + rings);
        // rings whose hits lie on both sides of a millisecond's end: the slices did not cut them
        long straddling = FINDER.find(sim.hits).stream()
                .filter(r -> Math.floorDiv(r.hits().get(0).timeNs(), MS) != Math.floorDiv(r.hits().get(r.hits().size() - 1).timeNs(), MS))
                .count();
        assertTrue(straddling >= 5, "rings straddling a millisecond's end: " + straddling);
    }

    @Test
    void theHitsOfTheInputsLastMicrosecondsComeOutWhenTheInputEnds() throws Exception {
        // The end of a bounded input moves the watermark to its end at once: a timer registered then would be ignored.
        RichSimulation sim = run();
        long last = sim.hits.stream().mapToLong(RingFilter.Hit::timeNs).max().orElseThrow();
        long end = (Math.floorDiv(last, MS) + 1) * MS;
        for (int k = 1; k <= 3; k++) sim.hits.add(new RingFilter.Hit(10 * k, 20 * k, end + MS - 1_000L * k));
        List<String> actual = find(sim, null, "A");
        assertSameRows(expected(sim, "A"), actual);
        assertEquals(sim.hits.size(), actual.stream().filter(s -> s.startsWith("A hit")).count());
    }

    @Test
    void aJobThatFailsAndResumesFromItsCheckpointStillLabelsEveryHitOnce() throws Exception {
        RichSimulation sim = run();
        long failAt = sim.hits.size() * 2L / 3;
        List<String> actual = find(sim, failAt, "A");
        assertTrue(FailingJob.FailOnce.FAILED.get(), "the job failed once");
        assertTrue(FailingJob.FailOnce.ROWS.get() < failAt + sim.hits.size(), FailingJob.FailOnce.ROWS.get() + " rows read, " + sim.hits.size() + " in the file");
        assertSameRows(expected(sim, "A"), actual);
    }
}
