package dev.iotplatform.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointsTest {
    /** A completed checkpoint chk-N of one run of a job, written at {@code minute}. */
    private static Path checkpoint(Path jobDir, String run, int n, int minute) throws IOException {
        Path chk = Files.createDirectories(jobDir.resolve(run).resolve("chk-" + n));
        Path metadata = Files.writeString(chk.resolve("_metadata"), "x");
        Files.setLastModifiedTime(metadata, FileTime.fromMillis(1_700_000_000_000L + minute * 60_000L));
        return chk;
    }

    private static Path local(String uri) {
        return Path.of(java.net.URI.create(uri));
    }

    @Test
    void theNewestCompletedCheckpointOfAnyEarlierRunIsTheOneToResumeFrom(@TempDir Path dir) throws IOException {
        Path job = dir.resolve("sensors-20-enrichment");
        checkpoint(job, "run-a", 41, 1);
        Path newest = checkpoint(job, "run-b", 3, 2); // a later run: numbering started again
        Files.createDirectories(job.resolve("run-b").resolve("chk-4")); // in progress: no _metadata yet
        Files.createDirectories(job.resolve("run-b").resolve("shared"));
        assertEquals(Optional.of(newest), Checkpoints.latest(job.toUri().toString()).map(CheckpointsTest::local));
        assertEquals(Optional.empty(), Checkpoints.latest(dir.resolve("never-ran").toUri().toString()));
    }

    @Test
    void aJobCheckpointsUnderItsNameAndResumesUnlessToldNotTo(@TempDir Path dir) throws IOException {
        String base = dir.toUri().toString();
        Path chk = checkpoint(dir.resolve("sensors-30-summary"), "run-a", 7, 1);
        Configuration conf = new Configuration();
        conf.setString(Checkpoints.DIR, base);
        conf.setString("pipeline.name", "sensors-30-summary");
        SqlRunner.resumeFromCheckpoint(conf, Map.of());
        assertEquals(Checkpoints.jobDir(base, "sensors-30-summary"), conf.getString(Checkpoints.DIR, null));
        assertEquals("RETAIN_ON_CANCELLATION", conf.getString("execution.checkpointing.externalized-checkpoint-retention", null));
        assertEquals(chk, local(conf.getString(Checkpoints.RECOVERY_PATH, null)));

        Configuration fresh = new Configuration();
        fresh.setString(Checkpoints.DIR, base);
        fresh.setString("pipeline.name", "sensors-30-summary");
        SqlRunner.resumeFromCheckpoint(fresh, Map.of("FLINK_RESTORE", "none"));
        assertNull(fresh.getString(Checkpoints.RECOVERY_PATH, null));

        Configuration operator = new Configuration();
        operator.setString(Checkpoints.DIR, base);
        operator.setString(Checkpoints.RECOVERY_PATH, "s3://checkpoints/by-the-operator");
        SqlRunner.resumeFromCheckpoint(operator, Map.of());
        assertEquals("s3://checkpoints/by-the-operator", operator.getString(Checkpoints.RECOVERY_PATH, null));
    }

    @Test
    void aClusterRunnerTakesTheCheckpointFolderFromFlinkProperties() throws IOException {
        Configuration cluster = SqlRunner.baseConfiguration(
                Map.of(SqlRunner.PROPERTIES, "execution.checkpointing.dir: file:///opt/flink/checkpoints\ns3.endpoint: http://x"), false);
        assertEquals("file:///opt/flink/checkpoints", cluster.getString(Checkpoints.DIR, null));
        assertNull(cluster.getString("s3.endpoint", null));
    }
}
