package dev.iotplatform.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqlRunnerTest {
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8).strip();
    }

    private static String resource(String name) throws URISyntaxException {
        return Path.of(SqlRunnerTest.class.getResource("/sql/" + name).toURI()).toString();
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(2, SqlRunner.run(new String[] {}, Map.of(), err));
        assertEquals(2, SqlRunner.run(new String[] {"--validate"}, Map.of(), err));
        assertEquals(2, SqlRunner.run(new String[] {"--bogus", "x.sql"}, Map.of(), err));
        assertEquals(2, SqlRunner.run(new String[] {"/no/such/file.sql"}, Map.of(), err));
        assertTrue(err().contains(SqlRunner.USAGE), err());
    }

    @Test
    void validatesKafkaUpsertKafkaAndJdbcWithoutConnecting() throws Exception {
        assertEquals(0, SqlRunner.run(new String[] {"--validate", resource("valid.sql")}, Map.of(), err), err());
    }

    @Test
    void invalidScriptGivesOneLineNamingFileAndStatement() throws Exception {
        String file = resource("invalid.sql");
        assertEquals(1, SqlRunner.run(new String[] {"--validate", file}, Map.of(), err));
        assertEquals(1, err().lines().count(), err());
        assertTrue(err().startsWith(file + ":statement#3: "), err());
        assertTrue(err().contains("Column 'humidity' not found"), err());
    }

    @Test
    void errorLinesEndingInAColonKeepWhatFollows() {
        assertEquals("Missing required options are: url, table-name",
                SqlRunner.firstLine(new IllegalStateException("Missing required options are:\n\nurl\ntable-name")));
        assertEquals("Object 'x' not found", SqlRunner.firstLine(new IllegalStateException("Object 'x' not found\nmore")));
    }

    @Test
    void missingVariableNamesVariableAndFile(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("a.sql"), "CREATE TABLE t (x INT) WITH ('connector' = '${CONNECTOR}');");
        assertEquals(1, SqlRunner.run(new String[] {"--validate", dir.toString()}, Map.of(), err));
        assertEquals(file + ": missing environment variable CONNECTOR (set it, or write ${CONNECTOR:-default})", err());
    }

    @Test
    void flinkPropertiesConfigureLocalRunsOnly() throws IOException {
        Map<String, String> env = Map.of(SqlRunner.PROPERTIES,
                "s3.endpoint: http://127.0.0.1:8333\n\n# S3 store\n  s3.path.style.access:  true  \ns3.secret-key: a:b");
        Configuration local = SqlRunner.baseConfiguration(env, true);
        assertEquals("http://127.0.0.1:8333", local.getString("s3.endpoint", null));
        assertEquals("true", local.getString("s3.path.style.access", null));
        assertEquals("a:b", local.getString("s3.secret-key", null));
        // A cluster of the Flink image read them at its start; a job (or --validate) does not set them again.
        assertEquals(null, SqlRunner.baseConfiguration(env, false).getString("s3.endpoint", null));
    }

    @Test
    void aFlinkPropertiesLineWithoutColonFailsNamingItsNumberNotItsValue() {
        IOException e = assertThrows(IOException.class, () -> SqlRunner.baseConfiguration(
                Map.of(SqlRunner.PROPERTIES, "s3.endpoint: http://x\ns3.secret-key secret-value"), true));
        assertEquals("FLINK_PROPERTIES line 2: expected `key: value`", e.getMessage());
    }

    @Test
    void checkpointingDefaultsToTenSecondsUnlessTheScriptSetsIt() {
        var tEnv = SqlRunner.createEnvironment(Path.of("job.sql"), new Configuration(), List.of());
        assertEquals("10 s", tEnv.getConfig().getConfiguration().getString(SqlRunner.CHECKPOINT_INTERVAL, null));
        assertEquals("job.sql", tEnv.getConfig().getConfiguration().getString("pipeline.name", null));
        assertEquals(256 * 1024, tEnv.getConfig().getConfiguration().get(CheckpointingOptions.FS_WRITE_BUFFER_SIZE));
    }

    @Test
    void objectReuseIsOnUnlessTheEngineSettingsTurnItOff() {
        var defaults = SqlRunner.createEnvironment(Path.of("job.sql"), new Configuration(), List.of());
        assertEquals("true", defaults.getConfig().getConfiguration().getString(SqlRunner.OBJECT_REUSE, null));
        var off = new Configuration();
        off.setString(SqlRunner.OBJECT_REUSE, "false");
        var kept = SqlRunner.createEnvironment(Path.of("job.sql"), off, List.of());
        assertEquals("false", kept.getConfig().getConfiguration().getString(SqlRunner.OBJECT_REUSE, null));
    }

    @Test
    void runsAJobInTheLocalMiniClusterOneJobPerFile(@TempDir Path dir) throws IOException {
        Path scripts = Files.createDirectories(dir.resolve("sql"));
        Path out = dir.resolve("out");
        String sink = "CREATE TABLE %s (id INT, note STRING) WITH ('connector' = 'filesystem', "
                + "'path' = '${OUT_DIR}/%s', 'format' = 'json');\n";
        Files.writeString(scripts.resolve("01-values.sql"), "SET 'execution.checkpointing.interval' = '1 s';\n"
                + sink.formatted("notes", "notes")
                + "INSERT INTO notes VALUES (1, 'a;b'), (2, 'it''s -- not a comment'), (3, CAST(NULL AS STRING))");
        Files.writeString(scripts.resolve("02-datagen.sql"), "SET 'execution.runtime-mode' = 'batch';\n"
                + "CREATE TABLE gen (id INT) WITH ('connector' = 'datagen', 'number-of-rows' = '3', "
                + "'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '3');\n"
                + sink.formatted("seq", "seq")
                + "INSERT INTO seq SELECT id, 'n' || CAST(id AS STRING) FROM gen;\n");
        Map<String, String> env = Map.of("OUT_DIR", out.toString(), "FLINK_PARALLELISM", "1",
                "FLINK_CHECKPOINT_DIR", dir.resolve("checkpoints").toUri().toString());

        assertEquals(0, SqlRunner.run(new String[] {scripts.toString()}, env, err), err());

        assertEquals(List.of("{\"id\":1,\"note\":\"a;b\"}", "{\"id\":2,\"note\":\"it's -- not a comment\"}",
                "{\"id\":3,\"note\":null}"), rows(out.resolve("notes")));
        assertEquals(List.of("{\"id\":1,\"note\":\"n1\"}", "{\"id\":2,\"note\":\"n2\"}", "{\"id\":3,\"note\":\"n3\"}"),
                rows(out.resolve("seq")));
    }

    static List<String> rows(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .flatMap(p -> {
                        try {
                            return Files.readAllLines(p).stream();
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .sorted().toList();
        }
    }
}
