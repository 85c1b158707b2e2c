package dev.iotplatform.flink.functions;

import static dev.iotplatform.flink.functions.OrderedEvents.row;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;

class EpochMillisTest {
    @Test
    void givesTheMillisecondsSinceTheEpochOfTimestampsAndLocalZoneTimestamps() throws Exception {
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        env.getConfig().set("parallelism.default", "1");
        env.getConfig().set("table.local-time-zone", "UTC"); // as every job sets it
        PlatformFunctions.register(env);
        OrderedEvents.create(env, "times", "stamp STRING, ts AS CAST(stamp AS TIMESTAMP(3))",
                List.of(row("stamp", "2026-01-05 10:00:00.123"), row("stamp", "1969-12-31 23:59:59.999"), row("stamp", null)));
        List<String> rows = new ArrayList<>();
        try (CloseableIterator<Row> it = env.executeSql("SELECT EPOCH_MILLIS(ts), EPOCH_MILLIS(TO_TIMESTAMP_LTZ(EPOCH_MILLIS(ts), 3)),"
                // the expression it replaces in the blueprints' SQL, for the same answer
                + " UNIX_TIMESTAMP(DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm:ss')) * 1000 + CAST(DATE_FORMAT(ts, 'SSS') AS BIGINT)"
                + " FROM times").collect()) {
            it.forEachRemaining(r -> rows.add(r.toString()));
        }
        assertEquals(List.of(
                "+I[1767607200123, 1767607200123, 1767607200123]",
                "+I[-1, -1, -1]",
                "+I[null, null, null]"), rows);
    }
}
