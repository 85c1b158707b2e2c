package dev.iotplatform.flink.functions;

import dev.iotplatform.flink.functions.rich.FindRichRings;
import dev.iotplatform.flink.functions.rich.LabelRichHits;
import dev.iotplatform.flink.functions.transit.DetectArrivals;
import dev.iotplatform.flink.functions.transit.StopHeadways;
import org.apache.flink.table.api.TableEnvironment;

/** The platform's functions, available under these names in every job the runner starts. */
public final class PlatformFunctions {
    private PlatformFunctions() {}

    public static void register(TableEnvironment tEnv) {
        tEnv.createTemporarySystemFunction("ENRICH_AS_OF", EnrichAsOf.class);
        tEnv.createTemporarySystemFunction("PAIR_ONCE", PairOnce.class);
        tEnv.createTemporarySystemFunction("LATEST_BY", LatestBy.class);
        tEnv.createTemporarySystemFunction("EPOCH_MILLIS", EpochMillis.class);
        tEnv.createTemporarySystemFunction("WINDOW_SUMMARY", WindowSummary.class);
        tEnv.createTemporarySystemFunction("DETECT_ARRIVALS", DetectArrivals.class);
        tEnv.createTemporarySystemFunction("STOP_HEADWAYS", StopHeadways.class);
        tEnv.createTemporarySystemFunction("LABEL_RICH_HITS", LabelRichHits.class);
        tEnv.createTemporarySystemFunction("FIND_RICH_RINGS", FindRichRings.class);
    }
}
