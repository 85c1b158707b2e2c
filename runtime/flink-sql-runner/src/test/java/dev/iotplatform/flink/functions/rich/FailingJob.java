package dev.iotplatform.flink.functions.rich;

import dev.iotplatform.flink.functions.PlatformFunctions;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.functions.ScalarFunction;

/**
 * The streaming environment of the RICH functions' MiniCluster tests (parallelism 1, the platform functions), and, when
 * asked, one whose job fails once after a number of rows and resumes from its checkpoint: a view that filters through
 * {@code FAIL_ONCE(timeNs)} then reads the source.
 */
final class FailingJob {
    private FailingJob() {}

    /** failAfter null: a plain environment; else checkpoints every 100 ms, one restart, and FAIL_ONCE armed for it. */
    static TableEnvironment environment(Long failAfter) {
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        env.getConfig().set("parallelism.default", "1");
        PlatformFunctions.register(env);
        if (failAfter == null) return env;
        env.getConfig().set("execution.checkpointing.interval", "100 ms");
        env.getConfig().set("restart-strategy.type", "fixed-delay");
        env.getConfig().set("restart-strategy.fixed-delay.attempts", "1");
        env.getConfig().set("restart-strategy.fixed-delay.delay", "100 ms");
        FailOnce.arm(failAfter);
        env.createTemporarySystemFunction("FAIL_ONCE", FailOnce.class);
        return env;
    }

    /**
     * Passes every row; after {@link #slowFrom} rows it slows down (so that checkpoints complete), and at
     * {@link #failAt} it fails the job, once. Its counters are static: they must outlive the job's restart.
     */
    public static class FailOnce extends ScalarFunction {
        static final AtomicLong ROWS = new AtomicLong();
        static final AtomicBoolean FAILED = new AtomicBoolean();
        static volatile long failAt;
        static volatile long slowFrom;

        static void arm(long rows) {
            ROWS.set(0);
            FAILED.set(false);
            failAt = rows;
            slowFrom = Math.max(0, rows - 300);
        }

        public boolean eval(Long timeNs) throws InterruptedException {
            long n = ROWS.incrementAndGet();
            if (FAILED.get() || n < slowFrom) return true;
            Thread.sleep(3);
            if (n >= failAt && FAILED.compareAndSet(false, true)) throw new IllegalStateException("injected failure");
            return true;
        }

        @Override
        public boolean isDeterministic() {
            return false;
        }
    }
}
