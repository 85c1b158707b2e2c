package dev.iotplatform.flink.functions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

/**
 * A test table whose rows reach the job in exactly the order given: one JSON-lines file, read by one source split.
 * A multi-row SQL {@code VALUES} does not promise that: the planner turns rows whose literal types differ (a NULL
 * here, a shorter string there) into a union of one-row sources, which run in any order.
 */
public final class OrderedEvents {
    private OrderedEvents() {}

    /**
     * Runs {@code queries} in a streaming environment of parallelism 1 with the platform functions, over the table
     * {@code name (columns)} holding the rows: every statement but the last is executed first (views), the last is
     * collected, each change as {@link Row}.
     */
    public static List<Row> query(String name, String columns, List<String> rows, String... queries) throws Exception {
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        env.getConfig().set("parallelism.default", "1");
        PlatformFunctions.register(env);
        create(env, name, columns, rows);
        for (int i = 0; i < queries.length - 1; i++) env.executeSql(queries[i]);
        List<Row> out = new ArrayList<>();
        try (CloseableIterator<Row> it = env.executeSql(queries[queries.length - 1]).collect()) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    /** Creates the temporary table {@code name (columns)} holding the rows, each a JSON object (see {@link #row}). */
    public static void create(TableEnvironment env, String name, String columns, List<String> rows) {
        try {
            Path file = Files.createTempFile("ordered-" + name + "-", ".json");
            file.toFile().deleteOnExit();
            Files.write(file, rows);
            env.executeSql("CREATE TEMPORARY TABLE " + name + " (" + columns + ") WITH ('connector' = 'filesystem',"
                    + " 'path' = '" + file.toUri() + "', 'format' = 'json')");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JSON object from names and values: strings quoted, lists as arrays, null, numbers and booleans as they are. */
    public static String row(Object... namesAndValues) {
        StringBuilder json = new StringBuilder("{");
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (i > 0) json.append(',');
            json.append(quote((String) namesAndValues[i])).append(':');
            Object v = namesAndValues[i + 1];
            json.append(value(v));
        }
        return json.append('}').toString();
    }

    private static String value(Object v) {
        if (v instanceof String s) return quote(s);
        if (v instanceof List<?> list) return list.stream().map(OrderedEvents::value).collect(Collectors.joining(",", "[", "]"));
        return String.format(Locale.ROOT, "%s", v);
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
