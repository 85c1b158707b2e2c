package dev.iotplatform.flink.functions;

import static dev.iotplatform.flink.functions.OrderedEvents.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.api.dataview.ListView;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;

class EnrichAsOfTest {
    /** Events of two devices in arrival order: versions of location and state, and facts (readings). */
    private static final List<String> EVENTS = List.of(
            event("location", "10:00:00", null, 1.0, null),
            event("reading", "09:59:59", 10.0, null, null),
            event("reading", "10:00:00", 11.0, null, null),
            event("state", "10:00:30", null, null, true),
            event("location", "10:10:00", null, 2.0, null),
            event("reading", "10:05:00", 12.0, null, null),
            event("location", "10:10:00", null, 3.0, null),
            event("reading", "10:10:00", 13.0, null, null),
            row("device", "d2", "kind", "reading", "version_ts", "2026-03-02 10:10:00", "humidity", 20.0, "lat", null, "online", null));

    private static String event(String kind, String time, Double humidity, Double lat, Boolean online) {
        return row("device", "d1", "kind", kind, "version_ts", "2026-03-02 " + time, "humidity", humidity, "lat", lat,
                "online", online);
    }

    private static List<String> run(String query) throws Exception {
        return OrderedEvents.query("events", "device STRING, kind STRING, version_ts TIMESTAMP(3), humidity DOUBLE, lat DOUBLE,"
                + " online BOOLEAN", EVENTS, query).stream().map(Row::toString).toList();
    }

    @Test
    void eachReadingGetsTheVersionsValidAtItsTimeAsSoonAsItArrives() throws Exception {
        List<String> rows = run("SELECT * FROM ENRICH_AS_OF(events => TABLE events PARTITION BY device,"
                + " dimensions => 'location: lat; state: online')");
        assertEquals(List.of(
                "+I[d1, 10.0, null, null]",   // before the first location: none
                "+I[d1, 11.0, 1.0, null]",    // location of 10:00 (same time counts); the state of 10:00:30 is later
                "+I[d1, 12.0, 1.0, true]",    // 10:05: the 10:10 location is later still
                "+I[d1, 13.0, 3.0, true]",    // two versions at 10:10: the one that arrived last
                "+I[d2, 20.0, null, null]"),  // another key's versions are not its own
                rows);
    }

    @Test
    void keepsTheNewestVersionsSortedByTimeWhateverTheirArrivalOrder() {
        Row[] versions = null;
        for (int i = EnrichAsOf.MAX_VERSIONS + 2; i >= 1; i--) { // arriving newest first
            Row v = Row.withNames();
            v.setField(EnrichAsOf.TIME, java.time.LocalDateTime.parse("2026-03-02T00:00").plusMinutes(i));
            versions = RowVersions.withVersion(versions, v, v.getFieldAs(EnrichAsOf.TIME));
        }
        assertEquals(EnrichAsOf.MAX_VERSIONS, versions.length);
        assertEquals(List.of("00:03", "00:04"), times(java.util.Arrays.copyOf(versions, 2))); // the two oldest went
        // a fact older than every version kept finds none; one at 00:03:30 finds 00:03
        assertEquals(null, RowVersions.validAt(versions, java.time.LocalDateTime.parse("2026-03-02T00:02:59")));
        assertEquals("00:03", times(new Row[] {RowVersions.validAt(versions, java.time.LocalDateTime.parse("2026-03-02T00:03:30"))}).get(0));
    }

    private static List<String> times(Row[] versions) {
        List<String> out = new ArrayList<>();
        for (Row v : versions) out.add(v.getField(EnrichAsOf.TIME).toString().substring(11));
        return out;
    }

    @Test
    void aBadDimensionsArgumentIsRejectedWhenPlanning() {
        ValidationException e = assertThrows(ValidationException.class, () -> run(
                "SELECT * FROM ENRICH_AS_OF(events => TABLE events PARTITION BY device, dimensions => 'location: latitude')"));
        assertTrue(rootMessage(e).contains("dimension location: column latitude is not an output column of the events table"),
                rootMessage(e));
    }

    @Test
    void aDimensionColumnOfATypeAVersionCannotKeepIsRejectedWhenPlanning() {
        ValidationException e = assertThrows(ValidationException.class, () -> OrderedEvents.query("events",
                "device STRING, kind STRING, version_ts TIMESTAMP(3), humidity DOUBLE, tags ARRAY<STRING>", List.of(),
                "SELECT * FROM ENRICH_AS_OF(events => TABLE events PARTITION BY device, dimensions => 'meta: tags')"));
        assertTrue(rootMessage(e).contains("dimension meta: column tags is of type ARRAY<STRING>, which a version cannot keep"),
                rootMessage(e));
    }

    @Test
    void everyKeptTypeComesOutAsItWentIn() throws Exception {
        String columns = "device STRING, kind STRING, version_ts TIMESTAMP(9), x DOUBLE, v_string STRING, v_double DOUBLE,"
                + " v_float FLOAT, v_int INT, v_bigint BIGINT, v_smallint SMALLINT, v_tinyint TINYINT, v_boolean BOOLEAN,"
                + " v_timestamp TIMESTAMP(9), v_ltz TIMESTAMP_LTZ(3), v_decimal DECIMAL(10, 3), v_date DATE, v_time TIME,"
                + " v_bytes BYTES";
        List<String> events = List.of(
                row("device", "d1", "kind", "all", "version_ts", "2026-03-02 10:00:00.000000002", "v_string", "Zürich",
                        "v_double", -2.5, "v_float", 1.5, "v_int", -7, "v_bigint", 9007199254740993L, "v_smallint", -300,
                        "v_tinyint", 12, "v_boolean", true, "v_timestamp", "2026-03-02 09:00:00.123456789",
                        "v_ltz", "2026-03-02 08:00:00.250Z", "v_decimal", 12.345, "v_date", "2026-03-01", "v_time", "23:59:58",
                        "v_bytes", "AAEC"),
                fact("2026-03-02 10:00:00.000000001", 1.0),  // a nanosecond before the version
                fact("2026-03-02 10:00:00.000000002", 2.0),
                row("device", "d1", "kind", "all", "version_ts", "2026-03-02 11:00:00"), // every column null
                fact("2026-03-02 11:00:00", 3.0));
        List<String> rows = OrderedEvents.query("events", columns, events, "SELECT * FROM ENRICH_AS_OF(events => TABLE events"
                        + " PARTITION BY device, dimensions => 'all: v_string, v_double, v_float, v_int, v_bigint, v_smallint,"
                        + " v_tinyint, v_boolean, v_timestamp, v_ltz, v_decimal, v_date, v_time, v_bytes')").stream()
                .map(EnrichAsOfTest::deepString).toList();
        assertEquals(List.of(
                "d1, 1.0, null, null, null, null, null, null, null, null, null, null, null, null, null, null",
                "d1, 2.0, Zürich, -2.5, 1.5, -7, 9007199254740993, -300, 12, true, 2026-03-02T09:00:00.123456789,"
                        + " 2026-03-02T08:00:00.250Z, 12.345, 2026-03-01, 23:59:58, [0, 1, 2]",
                "d1, 3.0, null, null, null, null, null, null, null, null, null, null, null, null, null, null"), rows);
    }

    private static String fact(String time, double x) {
        return row("device", "d1", "kind", "reading", "version_ts", time, "x", x);
    }

    private static String deepString(Row row) {
        List<String> fields = new ArrayList<>();
        for (int i = 0; i < row.getArity(); i++) {
            Object v = row.getField(i);
            fields.add(v instanceof byte[] bytes ? Arrays.toString(bytes) : String.valueOf(v));
        }
        return String.join(", ", fields);
    }

    @Test
    void withOnTimeAFactWaitsForTheVersionsReadWithinTheHold() throws Exception {
        List<String> events = List.of(
                timed("reading", "10:00:00", 1.0, null, "12:00:00"),
                timed("location", "09:59:00", null, 5.0, "12:00:01"),  // read after the fact, within its hold
                timed("reading", "10:01:00", 2.0, null, "12:00:05"),
                timed("location", "10:00:30", null, 6.0, "12:00:06"),
                timed("reading", "09:59:30", 3.0, null, "12:00:07")); // out of order: the 09:59 location
        List<String> rows = OrderedEvents.query("events", "device STRING, kind STRING, version_ts TIMESTAMP(3), humidity DOUBLE,"
                + " lat DOUBLE, read_at TIMESTAMP(3), WATERMARK FOR read_at AS read_at - INTERVAL '2' SECOND", events,
                "SELECT device, humidity, lat FROM ENRICH_AS_OF(events => TABLE events PARTITION BY device,"
                        + " on_time => DESCRIPTOR(read_at), dimensions => 'location: lat')").stream().map(Row::toString).toList();
        assertEquals(List.of("+I[d1, 1.0, 5.0]", "+I[d1, 2.0, 6.0]", "+I[d1, 3.0, 5.0]"), rows);
    }

    private static String timed(String kind, String time, Double humidity, Double lat, String readAt) {
        return row("device", "d1", "kind", kind, "version_ts", "2026-03-02 " + time, "humidity", humidity, "lat", lat,
                "read_at", "2026-03-02 " + readAt);
    }

    /**
     * Facts of one key that wait at once leave by their timers, a timer taking those read at or before its time in
     * arrival order and leaving the others waiting; versions read in between within the hold apply. The read times
     * keep the answer the same whenever the source's periodic watermarks come.
     */
    @Test
    void factsWaitingAtOnceLeaveBySuccessiveTimersInArrivalOrder() throws Exception {
        List<String> events = List.of(
                timed("reading", "10:00:00", 1.0, null, "12:00:00"),
                timed("location", "09:59:00", null, 5.0, "12:00:00.500"),
                row("device", "d2", "kind", "reading", "version_ts", "2026-03-02 10:00:00", "humidity", 5.0,
                        "read_at", "2026-03-02 12:00:00.800"),
                timed("reading", "10:00:10", 2.0, null, "12:00:01"),
                timed("reading", "09:59:30", 3.0, null, "12:00:01"),     // the same timer as the one before, after it
                timed("location", "10:00:05", null, 6.0, "12:00:01.500"),
                timed("reading", "10:00:20", 4.0, null, "12:00:02.500"),
                timed("location", "10:00:15", null, 7.0, "12:00:03"),
                timed("reading", "10:00:12", 6.0, null, "12:00:01.200")); // read before the one above: its timer first
        List<String> rows = OrderedEvents.query("events", "device STRING, kind STRING, version_ts TIMESTAMP(3), humidity DOUBLE,"
                + " lat DOUBLE, read_at TIMESTAMP(3), WATERMARK FOR read_at AS read_at - INTERVAL '2' SECOND", events,
                "SELECT device, humidity, lat FROM ENRICH_AS_OF(events => TABLE events PARTITION BY device,"
                        + " on_time => DESCRIPTOR(read_at), dimensions => 'location: lat')").stream().map(Row::toString).toList();
        assertEquals(List.of("+I[d1, 1.0, 5.0]", "+I[d2, 5.0, null]", "+I[d1, 2.0, 6.0]", "+I[d1, 3.0, 5.0]",
                "+I[d1, 6.0, 6.0]", "+I[d1, 4.0, 7.0]"), rows);
    }

    /** Facts waiting in the layout before the list (state pending) move to it ahead of later ones and leave as before. */
    @Test
    void factsWaitingInTheLayoutBeforeMoveToTheListAheadOfLaterOnes() throws Exception {
        Row a = waitingFact("12:00:01", 1.0);
        Row b = waitingFact("12:00:00", 2.0);
        Row c = waitingFact("12:00:01", 3.0);
        Row pending = Row.withPositions(2); // dimensions, facts in arrival order
        pending.setField(0, "location: lat");
        pending.setField(1, new Row[] {a, b});
        ListView<Row> waiting = new ListView<>();
        Row dimensions = Row.withPositions(1);

        EnrichAsOf.migrateWaiting(pending, waiting, dimensions);
        assertNull(pending.getField(0));
        assertNull(pending.getField(1));
        assertEquals(List.of(a, b), waiting.getList());
        assertEquals("location: lat", dimensions.getField(0));
        EnrichAsOf.migrateWaiting(pending, waiting, dimensions); // nothing left to move
        waiting.add(c); // a fact arriving in that call
        assertEquals(List.of(a, b, c), waiting.getList());

        assertEquals(List.of(), EnrichAsOf.takeDue(waiting, dimensions, "read_at", instant("11:59:59")));
        assertEquals(List.of(a, b, c), waiting.getList());
        assertEquals(List.of(b), EnrichAsOf.takeDue(waiting, dimensions, "read_at", instant("12:00:00")));
        assertEquals(List.of(a, c), waiting.getList());
        assertEquals("location: lat", dimensions.getField(0));
        assertEquals(List.of(a, c), EnrichAsOf.takeDue(waiting, dimensions, "read_at", instant("12:00:01")));
        assertEquals(List.of(), waiting.getList());
        assertNull(dimensions.getField(0)); // they go with the last fact

        Row emptied = Row.withPositions(2); // the layout before kept the dimensions once no fact waited
        emptied.setField(0, "location: lat");
        EnrichAsOf.migrateWaiting(emptied, waiting, dimensions);
        assertNull(emptied.getField(0));
        assertEquals(List.of(), waiting.getList());
        assertNull(dimensions.getField(0));
    }

    private static Row waitingFact(String readAt, double humidity) {
        Row fact = Row.withNames();
        fact.setField("device", "d1");
        fact.setField("kind", "reading");
        fact.setField("read_at", LocalDateTime.parse("2026-03-02T" + readAt));
        fact.setField("humidity", humidity);
        return fact;
    }

    private static Instant instant(String time) {
        return LocalDateTime.parse("2026-03-02T" + time).toInstant(ZoneOffset.UTC);
    }

    /** A key's versions as the state before the packed form held them: moved over, they answer every fact as before. */
    @Test
    void versionsOfTheLayoutBeforeMoveToThePackedStateAndAnswerAsBefore() {
        DimensionSpec dims = DimensionSpec.parse("location: lat, place; state: online", new DimensionSpec.Input(
                List.of("device", "kind", "version_ts", "lat", "place", "online"), List.of("device"), null));
        LocalDateTime t0 = LocalDateTime.parse("2026-03-02T10:00");
        Random random = new Random(7);
        Row[] locations = null;
        for (int seq = 0; seq < EnrichAsOf.MAX_VERSIONS + 20; seq++) {
            Row v = Row.withNames();
            v.setField(EnrichAsOf.TIME, t0.plusSeconds(random.nextInt(50)).plusNanos(random.nextInt(2)));
            v.setField("lat", random.nextBoolean() ? null : (double) seq);
            v.setField("place", "p" + seq);
            locations = RowVersions.withVersion(locations, v, v.getFieldAs(EnrichAsOf.TIME));
        }
        Row versions = Row.withPositions(2); // state versions: location's versions, none of state
        versions.setField(0, locations);
        Row packed = Row.withPositions(2);

        EnrichAsOf.migrate(dims, versions, packed);
        assertNull(versions.getField(0));
        assertNull(versions.getField(1));
        assertNull(packed.getField(1));
        byte[] moved = (byte[]) packed.getField(0);
        assertEquals(locations.length, PackedVersions.count(moved));
        for (int s = -1; s <= 51; s++) {
            for (int nanos = 0; nanos <= 1; nanos++) {
                LocalDateTime time = t0.plusSeconds(s).plusNanos(nanos);
                Row before = RowVersions.validAt(locations, time);
                int after = PackedVersions.validAt(moved, time);
                assertEquals(before == null ? "none" : before.getField("lat") + " " + before.getField("place"),
                        after < 0 ? "none" : Arrays.stream(PackedVersions.values(moved, after)).map(String::valueOf)
                                .reduce((a, b) -> a + " " + b).orElseThrow(), "at " + time);
            }
        }
        EnrichAsOf.migrate(dims, versions, packed); // nothing left to move
        assertSame(moved, packed.getField(0));
    }

    private static String rootMessage(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) all.append(t.getMessage()).append(" | ");
        return all.toString();
    }
}
