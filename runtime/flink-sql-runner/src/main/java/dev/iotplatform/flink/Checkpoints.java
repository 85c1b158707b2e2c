package dev.iotplatform.flink;

import java.io.IOException;
import java.util.Optional;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Where a job resumes from: each job checkpoints under {@code <checkpoint dir>/<job name>/<job id>/chk-N}, and a
 * restarted job (a new job id) starts from the newest completed checkpoint (a chk-N with its {@code _metadata}) of
 * any earlier run of the same name. On any file system Flink has (file://, s3://).
 */
final class Checkpoints {
    static final String DIR = "execution.checkpointing.dir";
    static final String RECOVERY_PATH = "execution.state-recovery.path";

    private Checkpoints() {}

    /** A job's own checkpoint folder: a file-system-safe form of its name under the base folder. */
    static String jobDir(String baseDir, String jobName) {
        String base = baseDir.endsWith("/") ? baseDir.substring(0, baseDir.length() - 1) : baseDir;
        return base + "/" + jobName.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** The newest completed checkpoint under {@code jobDir}, if a run of the job left one. */
    static Optional<String> latest(String jobDir) throws IOException {
        Path root = new Path(jobDir);
        FileSystem fs = root.getFileSystem();
        if (!fs.exists(root)) return Optional.empty();
        Path best = null;
        long bestTime = Long.MIN_VALUE;
        for (FileStatus run : list(fs, root)) {
            if (!run.isDir()) continue;
            for (FileStatus checkpoint : list(fs, run.getPath())) {
                if (!checkpoint.isDir() || !checkpoint.getPath().getName().startsWith("chk-")) continue;
                Path metadata = new Path(checkpoint.getPath(), "_metadata");
                if (!fs.exists(metadata)) continue; // still being written, or abandoned
                long time = fs.getFileStatus(metadata).getModificationTime();
                if (time > bestTime) {
                    best = checkpoint.getPath();
                    bestTime = time;
                }
            }
        }
        return Optional.ofNullable(best).map(Path::toString);
    }

    private static FileStatus[] list(FileSystem fs, Path dir) throws IOException {
        FileStatus[] children = fs.listStatus(dir);
        return children == null ? new FileStatus[0] : children;
    }
}
