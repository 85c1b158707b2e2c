package dev.iotplatform.flink.functions;

import static dev.iotplatform.flink.functions.OrderedEvents.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;

class PairOnceTest {
    private static final String COLUMNS = "device STRING, seq BIGINT, kind STRING, event_ts TIMESTAMP(3), humidity DOUBLE,"
            + " temperature DOUBLE, humidity_at STRING, temperature_at STRING";

    private static String humidity(String device, long seq, String time, double value) {
        return row("device", device, "seq", seq, "kind", "humidity", "event_ts", "2026-03-02 " + time, "humidity", value,
                "humidity_at", time);
    }

    private static String temperature(String device, long seq, String time, double value) {
        return row("device", device, "seq", seq, "kind", "temperature", "event_ts", "2026-03-02 " + time, "temperature", value,
                "temperature_at", time);
    }

    private static List<String> run(String kinds, String... events) throws Exception {
        String query = "SELECT * FROM PAIR_ONCE(events => TABLE readings PARTITION BY (device, seq), kinds => '" + kinds
                + "', within_seconds => 60)";
        return OrderedEvents.query("readings", COLUMNS, List.of(events), query).stream().map(Row::toString).toList();
    }

    @Test
    void pairsEachKeyOnceInEitherOrderAsSoonAsTheSecondArrives() throws Exception {
        List<String> rows = run("humidity, temperature",
                humidity("d1", 1, "10:00:00", 40),
                temperature("d1", 1, "10:00:01", 20),      // pairs with d1/1: the humidity's time is the pair's
                temperature("d1", 2, "10:01:00", 21),
                row("device", "d1", "seq", 2, "kind", "location", "event_ts", "2026-03-02 10:01:00"), // another kind: ignored
                humidity("d1", 2, "10:00:00", 41),         // 60 s before its partner: still within, pairs
                temperature("d1", 1, "10:00:01", 20),      // d1/1 again after its pair: waits, no second pair
                humidity("d2", 1, "10:00:00", 50),
                temperature("d2", 1, "10:01:01", 30),      // 61 s apart: no pair, both wait
                temperature("d2", 1, "10:00:30", 31));     // replaces the waiting temperature and pairs with the humidity
        assertEquals(List.of(
                "+I[d1, 1, 2026-03-02T10:00, 40.0, 20.0, 10:00:00, 10:00:01]",
                "+I[d1, 2, 2026-03-02T10:00, 41.0, 21.0, 10:00:00, 10:01:00]",
                "+I[d2, 1, 2026-03-02T10:00, 50.0, 31.0, 10:00:00, 10:00:30]"),
                rows);
    }

    /**
     * With on_time the pair keeps a time attribute, the read time of the reading that completed it, which event-time
     * operators downstream accept (a window here); the on_time column itself is not an output column.
     */
    @Test
    void withOnTimeAPairCarriesTheReadTimeOfItsSecondReadingAsRowtime() throws Exception {
        String columns = "pair_key STRING, kind STRING, event_ts TIMESTAMP(3), humidity DOUBLE, temperature DOUBLE,"
                + " read_at TIMESTAMP(3), WATERMARK FOR read_at AS read_at - INTERVAL '2' SECOND";
        List<String> events = List.of(
                row("pair_key", "d1|1", "kind", "humidity", "event_ts", "2026-03-02 10:00:00", "humidity", 40, "read_at", "2026-03-02 12:00:00.100"),
                row("pair_key", "d1|1", "kind", "temperature", "event_ts", "2026-03-02 10:00:01", "temperature", 20, "read_at", "2026-03-02 12:00:00.900"),
                row("pair_key", "d2|1", "kind", "temperature", "event_ts", "2026-03-02 10:00:00", "temperature", 30, "read_at", "2026-03-02 12:00:01.000"),
                row("pair_key", "d2|1", "kind", "humidity", "event_ts", "2026-03-02 10:00:00", "humidity", 50, "read_at", "2026-03-02 12:01:05.000"));
        String pairs = "CREATE TEMPORARY VIEW pairs AS SELECT * FROM PAIR_ONCE(events => TABLE readings PARTITION BY pair_key,"
                + " kinds => 'humidity, temperature', within_seconds => 60, on_time => DESCRIPTOR(read_at))";
        assertEquals(List.of(
                "+I[d1|1, 2026-03-02T10:00, 40.0, 20.0, 2026-03-02T12:00:00.900]",
                "+I[d2|1, 2026-03-02T10:00, 50.0, 30.0, 2026-03-02T12:01:05]"),
                OrderedEvents.query("readings", columns, events, pairs, "SELECT * FROM pairs").stream().map(Row::toString).toList());
        assertEquals(List.of("+I[2026-03-02T12:00, 1]", "+I[2026-03-02T12:01, 1]"),
                OrderedEvents.query("readings", columns, events, pairs,
                        "SELECT window_start, COUNT(*) FROM TUMBLE(TABLE pairs, DESCRIPTOR(rowtime), INTERVAL '1' MINUTE)"
                                + " GROUP BY window_start, window_end").stream().map(Row::toString).toList());
    }

    @Test
    void kindsMustBeTwoDifferentNames() {
        ValidationException e = assertThrows(ValidationException.class, () -> run("humidity, humidity", humidity("d1", 1, "10:00:00", 40)));
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) all.append(t.getMessage()).append(" | ");
        assertTrue(all.toString().contains("PAIR_ONCE: kinds must name two different kinds, 'first, second', not 'humidity, humidity'"),
                all.toString());
    }
}
