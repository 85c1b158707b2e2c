package dev.iotplatform.flink.functions.rich;

import dev.iotplatform.flink.functions.PlatformFunctions;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;

/**
 * A throughput measurement, not a test: hits per second through LABEL_RICH_HITS on a local MiniCluster at
 * parallelism 1, against the same job without the function (reading and parsing the rows alone).
 *
 * <pre>{@code
 * mvn -q -o test-compile && java -cp "target/classes:target/test-classes:$(cat target/runner.classpath)" \
 *   dev.iotplatform.flink.functions.rich.LabelRichHitsThroughput 200
 * }</pre>
 * (argument: seconds of detector time at the contract's defaults, about 2,500 hits each).
 */
public final class LabelRichHitsThroughput {
    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 200;
        RichGeometry g = RichGeometry.defaults();
        RichSimulation sim = new RichSimulation(g, 1L).run(0, seconds * 1_000_000_000L, 10, 0.0347 * 240 * 240);
        Path file = Files.createTempFile("rich-events", ".json");
        record Line(long time, String json) {}
        List<Line> lines = new ArrayList<>();
        for (RingFilter.Track t : sim.tracks) {
            lines.add(new Line(t.timeNs(), String.format(Locale.ROOT,
                    "{\"detector\":\"A\",\"kind\":\"track\",\"x\":%s,\"y\":%s,\"z\":0,\"vx\":%s,\"vy\":%s,\"vz\":%s,\"timeNs\":%d}",
                    t.x(), t.y(), t.vx(), t.vy(), t.vz(), t.timeNs())));
        }
        for (RingFilter.Hit h : sim.hits) {
            lines.add(new Line(h.timeNs(), "{\"detector\":\"A\",\"kind\":\"hit\",\"ix\":" + h.ix() + ",\"iy\":" + h.iy()
                    + ",\"timeNs\":" + h.timeNs() + "}"));
        }
        lines.sort(Comparator.comparingLong(Line::time));
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            for (Line l : lines) {
                w.write(l.json());
                w.newLine();
            }
        }
        System.out.printf("%d hits, %d tracks%n", sim.hits.size(), sim.tracks.size());
        for (int round = 0; round < 3; round++) {
            double base = time(file, "SELECT detector, kind, CAST(NULL AS BIGINT), ix, iy, timeNs FROM rich_events");
            double ptf = time(file, "SELECT detector, kind, trackId, ix, iy, timeNs FROM LABEL_RICH_HITS("
                    + "events => TABLE rich_events PARTITION BY detector, on_time => DESCRIPTOR(rowtime))");
            System.out.printf(Locale.ROOT, "read only: %.1f s (%.0f hits/s); with LABEL_RICH_HITS: %.1f s (%.0f hits/s);"
                    + " the function alone: %.0f hits/s%n", base, sim.hits.size() / base, ptf, sim.hits.size() / ptf,
                    sim.hits.size() / Math.max(1e-9, ptf - base));
        }
        Files.delete(file);
    }

    private static double time(Path file, String query) throws Exception {
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        env.getConfig().set("parallelism.default", "1");
        PlatformFunctions.register(env);
        env.executeSql("CREATE TEMPORARY TABLE rich_events (detector STRING, kind STRING, x FLOAT, y FLOAT, z FLOAT,"
                + " vx FLOAT, vy FLOAT, vz FLOAT, ix INT, iy INT, timeNs BIGINT,"
                + " rowtime AS TO_TIMESTAMP_LTZ(timeNs / 1000000, 3), WATERMARK FOR rowtime AS rowtime - INTERVAL '0.001' SECOND)"
                + " WITH ('connector' = 'filesystem', 'path' = '" + file.toUri() + "', 'format' = 'json')");
        env.executeSql("CREATE TEMPORARY TABLE sink (detector STRING, kind STRING, trackId BIGINT, ix INT, iy INT, timeNs BIGINT)"
                + " WITH ('connector' = 'blackhole')");
        long start = System.nanoTime();
        env.executeSql("INSERT INTO sink " + query).await();
        return (System.nanoTime() - start) / 1e9;
    }
}
