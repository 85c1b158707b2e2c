package dev.iotplatform.flink.functions.rich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LABEL_RICH_HITS on a real Flink (MiniCluster): a simulated run goes through SQL by event time, and what comes out
 * equals {@link RingFilter}'s answer on the whole run at once, each hit and each track exactly once.
 *
 * <p>Restart safety: the function's memory is Flink keyed state (parameters, open tracks, hits by millisecond
 * bucket) and event-time timers, all checkpointed with the job; it has no static fields and only a cache of the
 * parameters' derived values. The second test fails the job once, two thirds in, and checks that the job resumed
 * from a checkpoint (the source re-read only part of the file) with the same answer, each hit once.
 */
class LabelRichHitsTest {
    private static final RichGeometry G = RichGeometry.defaults();
    /** An epoch in nanoseconds (2026), so that times need all 64 bits. */
    private static final long START = 1_780_000_000_000_000_000L;

    @TempDir
    Path dir;

    /**
     * A second of tracks at 10 Hz with the 2 kHz dark rate; a burst of about 20 tracks within 100 µs around a
     * millisecond's end, so that windows overlap each other and the cut (tracks 7 to 13 µs before the millisecond's
     * end have hits on both sides of it); and a quiet tail.
     */
    private static RichSimulation run() {
        RichSimulation sim = new RichSimulation(G, 42L).run(START, 1_000_000_000L, 10, 2000);
        sim.run(START + 1_200_000_000L - 60_000L, 100_000L, 200_000, 2000);
        sim.run(START + 1_300_000_000L, 50_000_000L, 0.001, 2000); // dark counts only
        return sim;
    }

    private List<String> label(RichSimulation sim, String... detectors) throws Exception {
        return label(sim, null, detectors);
    }

    /** The function's rows for the run; with {@code failAfter}, the job fails once after that many rows and resumes. */
    private List<String> label(RichSimulation sim, Long failAfter, String... detectors) throws Exception {
        record Line(long time, String json) {}
        List<Line> lines = new ArrayList<>();
        for (String d : detectors) {
            for (RingFilter.Track t : sim.tracks) {
                lines.add(new Line(t.timeNs(), String.format(Locale.ROOT,
                        "{\"detector\":\"%s\",\"kind\":\"track\",\"x\":%s,\"y\":%s,\"z\":%s,\"vx\":%s,\"vy\":%s,\"vz\":%s,\"timeNs\":%d}",
                        d, t.x(), t.y(), t.z(), t.vx(), t.vy(), t.vz(), t.timeNs())));
            }
            for (RingFilter.Hit h : sim.hits) {
                lines.add(new Line(h.timeNs(), String.format(Locale.ROOT,
                        "{\"detector\":\"%s\",\"kind\":\"hit\",\"ix\":%d,\"iy\":%d,\"timeNs\":%d}", d, h.ix(), h.iy(), h.timeNs())));
            }
        }
        lines.sort(Comparator.comparingLong(Line::time)); // as a merged stream would come, in time order
        Path file = dir.resolve("events.json");
        Files.write(file, lines.stream().map(Line::json).toList());

        TableEnvironment env = FailingJob.environment(failAfter);
        String source = failAfter == null ? "rich_events" : "failing_events";
        env.executeSql("CREATE TEMPORARY TABLE rich_events (detector STRING, kind STRING, x FLOAT, y FLOAT, z FLOAT,"
                + " vx FLOAT, vy FLOAT, vz FLOAT, ix INT, iy INT, timeNs BIGINT,"
                + " rowtime AS TO_TIMESTAMP_LTZ(timeNs / 1000000, 3), WATERMARK FOR rowtime AS rowtime - INTERVAL '0.001' SECOND)"
                + " WITH ('connector' = 'filesystem', 'path' = '" + file.toUri() + "', 'format' = 'json')");
        if (failAfter != null) env.executeSql("CREATE TEMPORARY VIEW failing_events AS SELECT * FROM rich_events WHERE FAIL_ONCE(timeNs)");
        List<String> out = new ArrayList<>();
        String query = "SELECT detector, kind, trackId, ix, iy, timeNs, label, found, hits, centreX, centreY, radius, chi2, ndf,"
                + " cherenkovAngle, beta FROM LABEL_RICH_HITS(events => TABLE " + source + " PARTITION BY detector,"
                + " on_time => DESCRIPTOR(rowtime), parameters => 'refractiveIndex=1.05, minRingHits = 5,timeResolutionNs=1000')";
        try (CloseableIterator<Row> it = env.executeSql(query).collect()) {
            it.forEachRemaining(r -> out.add(format(r)));
        }
        return out;
    }


    private static String format(Row r) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < r.getArity(); i++) {
            if (i > 0) s.append(' ');
            s.append(r.getField(i));
        }
        return s.toString();
    }

    /** RingFilter's answer on the whole run, as the function's rows. */
    private static List<String> expected(RichSimulation sim, String detector) {
        RingFilter.Result result = new RingFilter(G).run(sim.tracks, sim.hits);
        List<String> rows = new ArrayList<>();
        for (RingFilter.Ring r : result.rings()) {
            rows.add(String.join(" ", detector, "track", "" + r.trackId(), "null", "null", "" + r.trackId(), "null",
                    "" + r.found(), "" + r.hits(), "" + r.centreX(), "" + r.centreY(), "" + r.radius(), "" + r.chi2(),
                    "" + r.ndf(), "" + r.cherenkovAngle(), "" + r.beta()));
        }
        for (int i = 0; i < sim.hits.size(); i++) {
            RingFilter.Hit h = sim.hits.get(i);
            Long t = result.trackOf()[i];
            rows.add(String.join(" ", detector, "hit", "" + t, "" + h.ix(), "" + h.iy(), "" + h.timeNs(),
                    t == null ? "noise" : "signal", "null null null null null null null null null"));
        }
        return rows;
    }

    @Test
    void everyHitAndTrackComesOutOnceWithRingFiltersAnswerOnTheWholeRun() throws Exception {
        RichSimulation sim = run();
        List<String> actual = label(sim, "A", "B");
        List<String> expected = new ArrayList<>(expected(sim, "A"));
        expected.addAll(expected(sim, "B"));
        assertEquals(2 * (sim.hits.size() + sim.tracks.size()), actual.size());
        actual.sort(null);
        expected.sort(null);
        assertEquals(expected, actual);
        // the burst's rings overlap in time, so cuts were held back and claims were contested
        assertTrue(sim.tracks.size() > 20, "tracks: " + sim.tracks.size());
        assertTrue(actual.stream().filter(s -> s.startsWith("A hit") && s.contains(" signal ")).count() > 500);
    }

    @Test
    void aJobThatFailsAndResumesFromItsCheckpointStillLabelsEveryHitOnce() throws Exception {
        RichSimulation sim = run();
        int rows = sim.hits.size() + sim.tracks.size();
        long failAt = rows * 2L / 3;
        List<String> actual = label(sim, failAt, "A");
        assertTrue(FailingJob.FailOnce.FAILED.get(), "the job failed once");
        // resumed from a checkpoint, not from the start: the source re-read fewer rows than the whole file
        assertTrue(FailingJob.FailOnce.ROWS.get() < failAt + rows, FailingJob.FailOnce.ROWS.get() + " rows read, " + rows + " in the file");
        List<String> expected = new ArrayList<>(expected(sim, "A"));
        actual.sort(null);
        expected.sort(null);
        assertEquals(expected, actual);
    }
}
