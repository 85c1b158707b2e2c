package dev.iotplatform.flink.functions;

import org.apache.flink.table.api.TableEnvironment;

/** The platform's functions, available under these names in every job the runner starts. */
public final class PlatformFunctions {
    private PlatformFunctions() {}

    public static void register(TableEnvironment tEnv) {
        tEnv.createTemporarySystemFunction("ENRICH_AS_OF", EnrichAsOf.class);
        tEnv.createTemporarySystemFunction("WINDOW_SUMMARY", WindowSummary.class);
    }
}
