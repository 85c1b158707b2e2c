package dev.iotplatform.flink.connectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;

class WallClockTableFactoryTest {
    private static TableEnvironment streaming() {
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        env.getConfig().set("parallelism.default", "1");
        return env;
    }

    @Test
    void beatsEvenlySpacedAndNumberedInOrder() throws Exception {
        TableEnvironment env = streaming();
        env.executeSql("CREATE TEMPORARY TABLE clock (beat BIGINT, beat_at AS CURRENT_TIMESTAMP,"
                + " WATERMARK FOR beat_at AS beat_at - INTERVAL '2' SECOND) WITH ('connector' = 'wall-clock', 'interval' = '50 ms')");
        List<Long> beats = new ArrayList<>();
        List<Instant> stamps = new ArrayList<>();
        try (CloseableIterator<Row> it = env.executeSql("SELECT beat, beat_at FROM clock").collect()) {
            while (beats.size() < 21) {
                Row row = it.next();
                beats.add(row.getFieldAs(0));
                stamps.add(row.getFieldAs(1));
            }
        }
        assertEquals(LongStream.rangeClosed(0, 20).boxed().toList(), beats);
        // datagen's burst a second would stamp them all within a few milliseconds; here a beat comes every 50 ms
        // (after the first few: the rate limiter starts with a small store of permits)
        long spanMs = stamps.get(20).toEpochMilli() - stamps.get(4).toEpochMilli();
        assertTrue(spanMs >= 16 * 50 - 20, "16 intervals took " + spanMs + " ms: " + stamps);
        for (int i = 5; i < stamps.size(); i++) {
            long gapMs = stamps.get(i).toEpochMilli() - stamps.get(i - 1).toEpochMilli();
            assertTrue(gapMs >= 20, "beats " + (i - 1) + " and " + i + " " + gapMs + " ms apart: " + stamps);
        }
    }

    @Test
    void refusesATableThatIsNotOneBigintColumnNamingTheTable() {
        TableEnvironment env = streaming();
        env.executeSql("CREATE TEMPORARY TABLE clock (beat INT, beat_at AS CURRENT_TIMESTAMP) WITH ('connector' = 'wall-clock')");
        Exception error = assertThrows(Exception.class, () -> env.executeSql("SELECT * FROM clock").collect().close());
        String message = rootMessage(error);
        assertTrue(message.contains("table default_catalog.default_database.clock: a wall-clock table has one physical column, BIGINT"),
                message);
        assertTrue(message.contains("[beat INT]"), message);
    }

    @Test
    void refusesAnIntervalShorterThanAMillisecond() {
        TableEnvironment env = streaming();
        env.executeSql("CREATE TEMPORARY TABLE clock (beat BIGINT) WITH ('connector' = 'wall-clock', 'interval' = '0 ms')");
        Exception error = assertThrows(Exception.class, () -> env.executeSql("SELECT * FROM clock").collect().close());
        assertTrue(rootMessage(error).contains("'interval' = '0 ms' is shorter than 1 ms"), rootMessage(error));
    }

    private static String rootMessage(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null) cause = cause.getCause();
        return cause.getMessage();
    }
}
