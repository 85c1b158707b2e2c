package dev.iotplatform.flink.functions;

import static dev.iotplatform.flink.functions.OrderedEvents.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.table.api.ValidationException;
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
            versions = EnrichAsOf.withVersion(versions, v, v.getFieldAs(EnrichAsOf.TIME));
        }
        assertEquals(EnrichAsOf.MAX_VERSIONS, versions.length);
        assertEquals(List.of("00:03", "00:04"), times(java.util.Arrays.copyOf(versions, 2))); // the two oldest went
        // a fact older than every version kept finds none; one at 00:03:30 finds 00:03
        assertEquals(null, EnrichAsOf.validAt(versions, java.time.LocalDateTime.parse("2026-03-02T00:02:59")));
        assertEquals("00:03", times(new Row[] {EnrichAsOf.validAt(versions, java.time.LocalDateTime.parse("2026-03-02T00:03:30"))}).get(0));
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

    private static String rootMessage(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) all.append(t.getMessage()).append(" | ");
        return all.toString();
    }
}
