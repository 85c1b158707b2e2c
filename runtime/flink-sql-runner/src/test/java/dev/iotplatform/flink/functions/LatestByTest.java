package dev.iotplatform.flink.functions;

import static dev.iotplatform.flink.functions.OrderedEvents.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;

class LatestByTest {
    private static final String COLUMNS = "device STRING, at_ms BIGINT, humidity DOUBLE, seq BIGINT, note STRING, at_ts TIMESTAMP(3), rssi INT, online BOOLEAN";

    private static String reading(String device, Long atMs, double humidity, long seq, String note) {
        return row("device", device, "at_ms", atMs, "humidity", humidity, "seq", seq, "note", note);
    }

    private static List<String> run(String select, String... readings) throws Exception {
        return OrderedEvents.query("readings", COLUMNS, List.of(readings), select).stream().map(Row::toString).toList();
    }

    @Test
    void keepsTheValuesOfTheRowWithTheGreatestOrderTogetherInEveryUpdate() throws Exception {
        List<String> rows = run("SELECT device, MAX(at_ms), LATEST_BY(humidity, at_ms), LATEST_BY(seq, at_ms), LATEST_BY(note, at_ms),"
                        + " COUNT(*) FROM readings GROUP BY device",
                reading("d1", 1000L, 45.5, 1, "first"),
                reading("d1", 3000L, 43.5, 3, "third"),    // newer: replaces
                reading("d1", 2000L, 44.5, 2, "second"),   // older, arriving late: the latest stays
                reading("d1", 3000L, 40.0, 4, "tie"),      // same order: the row seen first stays
                reading("d1", null, 10.0, 5, "no order"),  // null order: skipped
                reading("d2", 500L, 50.0, 1, "other"));
        assertEquals(List.of(
                "+I[d1, 1000, 45.5, 1, first, 1]",
                "-U[d1, 1000, 45.5, 1, first, 1]",
                "+U[d1, 3000, 43.5, 3, third, 2]",
                "-U[d1, 3000, 43.5, 3, third, 2]",
                "+U[d1, 3000, 43.5, 3, third, 3]",
                "-U[d1, 3000, 43.5, 3, third, 3]",
                "+U[d1, 3000, 43.5, 3, third, 4]",
                "-U[d1, 3000, 43.5, 3, third, 4]",
                "+U[d1, 3000, 43.5, 3, third, 5]",
                "+I[d2, 500, 50.0, 1, other, 1]"),
                rows);
    }

    @Test
    void takesIntAndBooleanValues() throws Exception {
        // the older third row changes nothing: no update
        assertEquals(List.of("+I[d1, -70, true]", "-U[d1, -70, true]", "+U[d1, -90, false]"),
                run("SELECT device, LATEST_BY(rssi, at_ms), LATEST_BY(online, at_ms) FROM readings GROUP BY device",
                        row("device", "d1", "at_ms", 1000L, "rssi", -70, "online", true),
                        row("device", "d1", "at_ms", 2000L, "rssi", -90, "online", false),
                        row("device", "d1", "at_ms", 1500L, "rssi", -60, "online", true)));
    }

    @Test
    void isNullUntilARowHasAnOrder() throws Exception {
        assertEquals(List.of("+I[d1, null, 1]"),
                run("SELECT device, LATEST_BY(humidity, at_ms), COUNT(*) FROM readings GROUP BY device",
                        reading("d1", null, 45.5, 1, "no order")));
    }

    @Test
    void refusesAnOrderThatIsNotBigint() {
        ValidationException e = assertThrows(ValidationException.class,
                () -> run("SELECT device, LATEST_BY(humidity, at_ts) FROM readings GROUP BY device", reading("d1", 1000L, 45.5, 1, "x")));
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) all.append(t.getMessage()).append(" | ");
        assertTrue(all.toString().contains("LATEST_BY"), all.toString());
    }
}
