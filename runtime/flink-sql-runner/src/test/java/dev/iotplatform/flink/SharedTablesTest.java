package dev.iotplatform.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --tables: shared table definitions created in every job's environment before the job's script. */
class SharedTablesTest {
    private static final String READINGS = "CREATE TEMPORARY TABLE readings (device_id STRING, t DOUBLE) WITH (\n"
            + "  'connector' = 'kafka', 'topic' = '${TOPIC}', 'properties.bootstrap.servers' = '127.0.0.1:9092',\n"
            + "  'scan.startup.mode' = 'group-offsets', 'format' = 'json');\n";
    private static final String LATEST = "CREATE TEMPORARY TABLE latest (device_id STRING, t DOUBLE,"
            + " PRIMARY KEY (device_id) NOT ENFORCED) WITH ('connector' = 'upsert-kafka', 'topic' = 'latest',"
            + " 'properties.bootstrap.servers' = '127.0.0.1:9092', 'key.format' = 'json', 'value.format' = 'json');\n";
    private static final String JOB = "INSERT INTO latest SELECT device_id, MAX(t) FROM readings"
            + " /*+ OPTIONS('properties.group.id' = '%s') */ GROUP BY device_id;\n";
    private static final Map<String, String> ENV = Map.of("TOPIC", "readings");

    @TempDir
    Path dir;

    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8).strip();
    }

    private Path write(String path, String sql) throws IOException {
        Path file = dir.resolve(path);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, sql);
    }

    private int validate(Map<String, String> env, String... args) {
        String[] all = Stream.concat(Stream.of("--validate"), Stream.of(args)).toArray(String[]::new);
        return SqlRunner.run(all, env, err);
    }

    @Test
    void everyJobPlansAgainstTheSharedTablesWithItsVariablesSubstituted() throws IOException {
        write("tables/10-readings.sql", READINGS);
        write("tables/20-latest.sql", LATEST);
        write("sql/10-a.sql", JOB.formatted("job-a"));
        write("sql/20-b.sql", "CREATE TEMPORARY VIEW hot AS SELECT * FROM readings"
                + " /*+ OPTIONS('properties.group.id' = 'job-b') */ WHERE t > 30;\n"
                + "INSERT INTO latest SELECT device_id, t FROM hot;\n");
        assertEquals(0, validate(ENV, "--tables", dir.resolve("tables").toString(), dir.resolve("sql").toString()), err());
        assertEquals("", err());
    }

    @Test
    void withoutTheSharedTablesAJobThatReliesOnThemFails() throws IOException {
        Path job = write("sql/10-a.sql", JOB.formatted("job-a"));
        assertEquals(1, validate(ENV, job.toString()));
        assertEquals(1, err().lines().count(), err());
        assertEquals(true, err().startsWith(job + ":statement#1: ") && err().endsWith("Object 'readings' not found"), err());
    }

    @Test
    void aMissingTablesFolderMeansNoSharedTables() throws IOException {
        Path job = write("sql/10-a.sql", READINGS + LATEST + JOB.formatted("job-a"));
        assertEquals(0, validate(ENV, "--tables", dir.resolve("no-such-folder").toString(), job.toString()), err());
        assertEquals(0, validate(ENV, job.toString(), "--tables", Files.createDirectories(dir.resolve("empty")).toString()), err());
    }

    @Test
    void aTableDefinedInTheSharedFilesAndInAJobFailsNamingBothFiles() throws IOException {
        Path tables = write("tables/readings.sql", READINGS);
        Path job = write("sql/10-a.sql", "SET 'parallelism.default' = '1';\n" + LATEST
                + READINGS.replace("TABLE readings", "TABLE IF NOT EXISTS readings") + JOB.formatted("job-a"));
        assertEquals(1, validate(ENV, "--tables", tables.getParent().toString(), job.toString()));
        assertEquals(job + ":statement#3: readings is already defined in " + tables
                + "; define each table once, in the shared table files or in one job", err());
    }

    @Test
    void aViewNamedLikeASharedTableFailsToo() throws IOException {
        Path tables = write("tables/readings.sql", READINGS);
        Path job = write("sql/10-a.sql", "CREATE TEMPORARY VIEW readings AS SELECT 1 AS x;\n");
        assertEquals(1, validate(ENV, "--tables", tables.getParent().toString(), job.toString()));
        assertEquals(job + ":statement#1: readings is already defined in " + tables
                + "; define each table once, in the shared table files or in one job", err());
    }

    @Test
    void twoSharedFilesDefiningOneTableFailNamingBoth() throws IOException {
        Path first = write("tables/a.sql", READINGS);
        Path second = write("tables/b.sql", LATEST + READINGS);
        Path job = write("sql/10-a.sql", JOB.formatted("job-a"));
        assertEquals(1, validate(ENV, "--tables", first.getParent().toString(), job.toString()));
        assertEquals(second + ":statement#2: readings is already defined in " + first
                + "; define each table once, in the shared table files or in one job", err());
    }

    @Test
    void sharedFilesHoldOnlyTableAndViewDefinitions() throws IOException {
        Path tables = write("tables/a.sql", READINGS + "SET 'parallelism.default' = '2';\n");
        Path job = write("sql/10-a.sql", LATEST + JOB.formatted("job-a"));
        assertEquals(1, validate(ENV, "--tables", tables.getParent().toString(), job.toString()));
        assertEquals(tables + ":statement#2: shared table files hold only CREATE TABLE and CREATE VIEW statements;"
                + " move this one into a job script", err());

        errBytes.reset();
        write("tables/a.sql", READINGS + "CREATE TABLE copy WITH ('connector' = 'blackhole') AS SELECT * FROM readings;\n");
        assertEquals(1, validate(ENV, "--tables", tables.getParent().toString(), job.toString()));
        assertEquals(tables + ":statement#2: shared table files hold only CREATE TABLE and CREATE VIEW statements;"
                + " move this one into a job script", err());
    }

    @Test
    void aSharedFileReportsItsOwnErrorsAndMissingVariables() throws IOException {
        Path tables = write("tables/a.sql", READINGS);
        Path job = write("sql/10-a.sql", LATEST + JOB.formatted("job-a"));
        assertEquals(1, validate(Map.of(), "--tables", tables.getParent().toString(), job.toString()));
        assertEquals(tables + ": missing environment variable TOPIC (set it, or write ${TOPIC:-default})", err());

        errBytes.reset();
        write("tables/a.sql", "CREATE TEMPORARY TABLE broken (x NO_SUCH_TYPE) WITH ('connector' = 'datagen');\n");
        assertEquals(1, validate(ENV, "--tables", tables.getParent().toString(), job.toString()));
        assertEquals(1, err().lines().count(), err());
        assertEquals(true, err().startsWith(tables + ":statement#1: "), err());
    }

    @Test
    void optionsComeInAnyOrderAndTablesNeedsAFolder() throws IOException {
        assertEquals(new SqlRunner.Options(true, Path.of("t"), List.of("a.sql", "b")),
                SqlRunner.Options.parse(new String[] {"a.sql", "--tables", "t", "--validate", "b"}));
        assertEquals(new SqlRunner.Options(false, null, List.of("a.sql")), SqlRunner.Options.parse(new String[] {"a.sql"}));
        assertEquals("--tables needs a directory",
                assertThrows(IOException.class, () -> SqlRunner.Options.parse(new String[] {"a.sql", "--tables"})).getMessage());
        Path file = write("tables.sql", READINGS);
        Path job = write("sql/10-a.sql", READINGS);
        assertEquals(2, validate(ENV, "--tables", file.toString(), job.toString()));
        assertEquals("--tables: not a directory: " + file + "\n" + SqlRunner.USAGE, err());
    }

    @Test
    void runsJobsInTheLocalMiniClusterOnTheSharedTables() throws IOException {
        write("tables/gen.sql", "CREATE TEMPORARY TABLE gen (id INT) WITH ('connector' = 'datagen',"
                + " 'number-of-rows' = '${ROWS}', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1',"
                + " 'fields.id.end' = '${ROWS}');\n");
        String job = "SET 'execution.runtime-mode' = 'batch';\n"
                + "CREATE TEMPORARY TABLE %1$s (id INT, note STRING) WITH ('connector' = 'filesystem',"
                + " 'path' = '${OUT_DIR}/%1$s', 'format' = 'json');\n"
                + "INSERT INTO %1$s SELECT id, '%1$s' FROM gen;\n";
        write("sql/01-a.sql", job.formatted("a"));
        write("sql/02-b.sql", job.formatted("b"));
        Path out = dir.resolve("out");
        Map<String, String> env = Map.of("ROWS", "2", "OUT_DIR", out.toString(), "FLINK_PARALLELISM", "1",
                "FLINK_CHECKPOINT_DIR", dir.resolve("checkpoints").toUri().toString());

        String[] args = {"--tables", dir.resolve("tables").toString(), dir.resolve("sql").toString()};
        assertEquals(0, SqlRunner.run(args, env, err), err());

        assertEquals(List.of("{\"id\":1,\"note\":\"a\"}", "{\"id\":2,\"note\":\"a\"}"), SqlRunnerTest.rows(out.resolve("a")));
        assertEquals(List.of("{\"id\":1,\"note\":\"b\"}", "{\"id\":2,\"note\":\"b\"}"), SqlRunnerTest.rows(out.resolve("b")));
    }
}
