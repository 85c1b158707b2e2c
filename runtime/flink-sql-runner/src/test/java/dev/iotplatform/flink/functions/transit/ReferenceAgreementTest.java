package dev.iotplatform.flink.functions.transit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.iotplatform.flink.functions.PlatformFunctions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DETECT_ARRIVALS + STOP_HEADWAYS on a real Flink against the independent reference implementation
 * (scenarios/transport/reference_arrivals.py, Python with GeographicLib), on the same static GTFS and positions:
 * the arrival rows must be equal, field by field (the Flink rows reduced by their key, last one wins, as the
 * upsert sinks do). The Flink side gets the feed as transport.trips.v1 records (GtfsTripRecords).
 */
class ReferenceAgreementTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path REPO = Path.of("../..").toAbsolutePath().normalize();
    private static final Path SCENARIO = REPO.resolve("scenarios/transport");
    private static final Path REAL_DATA = REPO.resolve("../shared/reference/data/gtfs");
    private static final String[] FIELDS = {"agencyId", "tripId", "routeId", "vehicleId", "serviceDate", "stopId", "stopSequence",
        "arrivalTime", "scheduledArrivalTime", "delaySeconds", "onTime", "headwaySeconds"};

    @TempDir
    Path tmp;

    @Test
    void theSyntheticFeedGivesTheReferenceRows() throws Exception {
        Path feed = SCENARIO.resolve("fixtures/synthetic-gtfs");
        Path positions = SCENARIO.resolve("fixtures/synthetic-positions.jsonl");
        // T100's record comes after its positions: they wait for it
        List<String> flink = flink(feed, positions, Set.of("T100"));
        List<String> reference = reference(feed, positions);
        assertEquals(29, reference.size(), String.join("\n", reference));
        assertEquals(reference, flink);
        // the counts agree too, but for the position of trip T999: the reference knows the feed has no such trip,
        // the stream cannot, and holds it for a record that may still come
        String counts = exec(List.of(python(), SCENARIO.resolve("reference_arrivals.py").toString(), "--gtfs", feed.toString(),
                "--positions", positions.toString(), "--counts")).lines().reduce((a, b) -> b).orElseThrow();
        assertEquals("{\"counts\":{\"unobservedStops\":10,\"positionsBehind\":1,\"positionsWithoutTrip\":2,\"positionsOutOfService\":2}}", counts);
        assertEquals(List.of(10L, 1L, 1L, 2L, 0L), List.of(CountersReporter.count("unobservedStops"), CountersReporter.count("positionsBehind"),
                CountersReporter.count("positionsWithoutTrip"), CountersReporter.count("positionsOutOfService"), CountersReporter.count("tripsRejected")));
    }

    @Test
    void theRealSoundTransitSnapshotsGiveTheReferenceRows() throws Exception {
        Path data = REAL_DATA.resolve("sound-transit-2023-05");
        Path positions = positionsOf(data, 5);
        List<String> flink = flink(data.resolve("gtfs"), positions, Set.of());
        List<String> reference = reference(data.resolve("gtfs"), positions);
        assertEquals(89, reference.size(), String.join("\n", reference));
        assertEquals(reference, flink);
    }

    @Test
    void theRealCaltrainSnapshotFindsEveryTripsServiceDateWithoutStartDates() throws Exception {
        // one snapshot: first samples only, so no arrival; its positions carry no start date, and every one finds its
        // trip's service date (today or yesterday) and its unobserved stops as the reference does
        Path data = REAL_DATA.resolve("caltrain-2023-11");
        Path positions = positionsOf(data, 1);
        assertEquals(List.of(), flink(data.resolve("gtfs"), positions, Set.of()));
        assertEquals(List.of(), reference(data.resolve("gtfs"), positions));
        String counts = exec(List.of(python(), SCENARIO.resolve("reference_arrivals.py").toString(), "--gtfs", data.resolve("gtfs").toString(),
                "--positions", positions.toString(), "--counts")).trim();
        assertEquals("{\"counts\":{\"unobservedStops\":81,\"positionsBehind\":0,\"positionsWithoutTrip\":0,\"positionsOutOfService\":0}}", counts);
        assertEquals(List.of(81L, 0L), List.of(CountersReporter.count("unobservedStops"), CountersReporter.count("positionsOutOfService")));
    }

    /** The positions of a real dataset's VehiclePositions snapshots (decoded JSON), in time order. */
    private Path positionsOf(Path data, int expectedSnapshots) throws Exception {
        List<String> snapshots = new ArrayList<>();
        try (var files = Files.list(data.resolve("realtime"))) {
            files.map(Path::toString).filter(f -> f.matches(".*/vehicle-positions-\\d+\\.json")).sorted().forEach(snapshots::add);
        }
        assertEquals(expectedSnapshots, snapshots.size());
        List<String> command = new ArrayList<>(List.of("python3", SCENARIO.resolve("rt_positions.py").toString()));
        command.addAll(snapshots);
        Path positions = tmp.resolve("positions.jsonl");
        Files.writeString(positions, exec(command));
        return positions;
    }

    /** The reference's rows, as canonical lines, sorted. */
    private List<String> reference(Path feed, Path positions) throws Exception {
        String out = exec(List.of(python(), SCENARIO.resolve("reference_arrivals.py").toString(),
                "--gtfs", feed.toString(), "--positions", positions.toString()));
        List<String> rows = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.isBlank()) continue;
            JsonNode row = JSON.readTree(line);
            List<String> values = new ArrayList<>();
            for (String field : FIELDS) values.add(row.get(field).isNull() ? "null" : row.get(field).asText());
            rows.add(String.join("|", values));
        }
        Collections.sort(rows);
        return rows;
    }

    private static String python() throws Exception {
        return exec(List.of("bash", REPO.resolve("scripts/ensure-transport-reference.sh").toString())).trim();
    }

    /** DETECT_ARRIVALS + STOP_HEADWAYS on Flink: trip records first (those of {@code late} after the positions). */
    private List<String> flink(Path feed, Path positions, Set<String> late) throws Exception {
        Map<String, String> trips = GtfsTripRecords.read(feed);
        List<String> lines = Files.readAllLines(positions, StandardCharsets.UTF_8);
        Set<String> used = new LinkedHashSet<>();
        List<String> positionEvents = new ArrayList<>();
        for (String line : lines) {
            if (line.isBlank()) continue;
            JsonNode p = JSON.readTree(line);
            ObjectNode e = JSON.createObjectNode().put("kind", "position");
            e.put("tripId", text(p, "tripId")).put("vehicleId", text(p, "vehicleId"))
                    .put("latitude", p.get("latitude").doubleValue()).put("longitude", p.get("longitude").doubleValue())
                    .put("timestampMs", p.get("timestamp").longValue())
                    .put("startDate", text(p, "startDate")).put("startTime", text(p, "startTime"));
            positionEvents.add(JSON.writeValueAsString(e));
            if (trips.containsKey(text(p, "tripId"))) used.add(text(p, "tripId"));
        }
        List<String> events = new ArrayList<>();
        for (String id : used) if (!late.contains(id)) events.add(tripEvent(id, trips.get(id)));
        events.addAll(positionEvents);
        for (String id : used) if (late.contains(id)) events.add(tripEvent(id, trips.get(id)));
        Path input = tmp.resolve("events-" + System.nanoTime() + ".jsonl");
        Files.write(input, events, StandardCharsets.UTF_8);

        Configuration conf = new Configuration();
        conf.setString("metrics.reporter.counters.factory.class", CountersReporter.class.getName());
        CountersReporter.COUNTERS.clear();
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.newInstance().inStreamingMode().withConfiguration(conf).build());
        env.getConfig().set("parallelism.default", "1");
        PlatformFunctions.register(env);
        env.executeSql("CREATE TEMPORARY TABLE events (kind STRING, tripId STRING, trip STRING, vehicleId STRING, latitude DOUBLE,"
                + " longitude DOUBLE, timestampMs BIGINT, startDate STRING, startTime STRING) WITH ('connector' = 'filesystem',"
                + " 'path' = '" + input + "', 'format' = 'json')");
        env.executeSql("CREATE TEMPORARY VIEW detected AS SELECT * FROM DETECT_ARRIVALS(events => TABLE events PARTITION BY tripId)");
        Map<String, String> byKey = new LinkedHashMap<>();
        String query = "SELECT agencyId, tripId, routeId, vehicleId, serviceDate, stopId, stopSequence, arrivalTime,"
                + " scheduledArrivalTime, delaySeconds, onTime, headwaySeconds"
                + " FROM STOP_HEADWAYS(arrivals => TABLE detected PARTITION BY (routeId, stopId))";
        try (CloseableIterator<Row> it = env.executeSql(query).collect()) {
            while (it.hasNext()) {
                Row r = it.next();
                List<String> values = new ArrayList<>();
                for (int i = 0; i < r.getArity(); i++) values.add(String.valueOf(r.getField(i)));
                byKey.put(r.getField(0) + "|" + r.getField(1) + "|" + r.getField(4) + "|" + r.getField(6), String.join("|", values));
            }
        }
        List<String> rows = new ArrayList<>(byKey.values());
        Collections.sort(rows);
        return rows;
    }

    private static String tripEvent(String tripId, String record) throws IOException {
        return JSON.writeValueAsString(JSON.createObjectNode().put("kind", DetectArrivals.TRIP).put("tripId", tripId).put("trip", record));
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String exec(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException(command + " did not finish within 10 minutes");
        }
        assertEquals(0, process.exitValue(), command + " failed");
        return out;
    }
}
