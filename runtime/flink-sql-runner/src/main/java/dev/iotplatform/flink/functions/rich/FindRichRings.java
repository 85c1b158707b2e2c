package dev.iotplatform.flink.functions.rich;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.table.annotation.ArgumentHint;
import org.apache.flink.table.annotation.ArgumentTrait;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.annotation.StateHint;
import org.apache.flink.table.api.dataview.MapView;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.ProcessTableFunction;
import org.apache.flink.types.Row;

/**
 * The RICH ring finder in trackless mode (docs/rich-data-contract.md, "Trackless mode"): {@link HoughRingFinder} over
 * a run's hits by event time, every hit labelled once (signal with the id of the ring it belongs to, or noise) and
 * one row per ring found.
 *
 * <pre>{@code
 * SELECT * FROM FIND_RICH_RINGS(
 *   hits => TABLE rich_hits_in PARTITION BY run_key,
 *   on_time => DESCRIPTOR(rowtime),
 *   parameters => 'timeResolutionNs=1000, minRingHits=5')  -- optional; the others keep their defaults
 * }</pre>
 *
 * <p>{@code hits}: a run's (or detector's) hits, partitioned by it. Columns: {@code ix, iy} INT, {@code timeNs}
 * BIGINT, and the rowtime given as on_time, which must be {@code TO_TIMESTAMP_LTZ(timeNs / 1000000, 3)} with a
 * watermark that trails it by at least 1 ms (as for LABEL_RICH_HITS). Other columns are ignored. A row without
 * timeNs or pixel is dropped (metric {@code rowsRejected}). {@code parameters}: as LABEL_RICH_HITS's (the
 * manifest's parameters, {@link RichGeometry#parse}).
 *
 * <p>Output: the partition columns, then {@code kind} ({@value #HIT} or {@value #RING}), {@code ringId}, {@code ix},
 * {@code iy}, {@code timeNs}, {@code label}, {@code hits}, {@code centreX}, {@code centreY}, {@code radius},
 * {@code chi2}, {@code ndf}, and the rowtime. A hit row: its pixel and time, label {@value #SIGNAL} with the ringId
 * of its ring or {@value #NOISE} with a null ringId, null ring columns. A ring row: ringId, timeNs = the time of its
 * first hit, hits, and {@link HoughRingFinder}'s fit on the plane (centre and radius in mm, the plane's coordinates;
 * chi2 = Σ((|p − c| − R)/σr)² over its hits' pixel centres, ndf = hits − 3; centre, radius and chi2 null when the fit
 * failed); null pixel and label. Each hit and each ring comes out exactly once.
 *
 * <p>Ring id: the time (ns) of the ring's first hit in (time, ix, iy) order, or the previous ring's id + 1 when that
 * is not larger (two rings whose first hits share a nanosecond, or a late hit): rings get increasing, unique ids in
 * the order of their first hits, per partition.
 *
 * <p><b>Slices.</b> Hits wait in keyed state in per-millisecond buckets (one event-time timer each). When the
 * watermark passes millisecond M, every hit before (M + 1) ms is in; the finder's scan then resumes, over the hits
 * not decided yet and bucket M, at the first undecided hit and goes on while the hit it stands at lies before
 * (M + 1) ms − {@link HoughRingFinder#lookaheadNs()} (two window widths, 4·kt·σt): whether a flash starts at a hit, and
 * which, depends only on the hits up to two widths after it (the windows that start within one width of it, each one
 * width wide). So a slice closes only once the watermark is two window widths past the last hit it decides, a flash
 * that starts in it is always whole, and hits after the scan's stop are held (keyed state) for the next slice, with a
 * timer at the millisecond that completes them. The rings and labels are therefore {@link HoughRingFinder#find}'s on
 * the whole stream, whatever the bucket boundaries. Open buckets, held hits, the parameters and the last ring id are
 * keyed state, so a restart from a checkpoint goes on where it was; the state has no TTL (the function empties it).
 * A timer takes every bucket up to the watermark it fires for, not only its own: Flink ignores a timer registered at
 * or before the watermark, so the held hits' timer would be lost when the watermark jumps (the end of the input, a
 * quiet run moved on by the wall clock); taking all complete buckets decides them instead.
 *
 * <p>Late hits: Flink 2.2 drops a row whose time is at or before the watermark before eval is called (so
 * {@code lateRows} counts none there); the ingest gateway's lateness rule must dead-letter such records first.
 */
@DataTypeHint("ROW<kind STRING, ringId BIGINT, ix INT, iy INT, timeNs BIGINT, label STRING, hits INT, centreX DOUBLE,"
        + " centreY DOUBLE, radius DOUBLE, chi2 DOUBLE, ndf INT>")
public class FindRichRings extends ProcessTableFunction<Row> {
    public static final String HIT = "hit";
    public static final String RING = "ring";
    public static final String SIGNAL = "signal";
    public static final String NOISE = "noise";
    private static final long NS_PER_MS = 1_000_000L;
    /** Keys of the {@code memory} state: the parameters argument (timers get no arguments), the last ring id. */
    static final String SPEC = "spec";
    static final String LAST_RING = "lastRingId";

    private transient String cachedFor;
    private transient HoughRingFinder finder;
    private transient Counter lateRows;
    private transient Counter rowsRejected;

    @Override
    public void open(FunctionContext context) {
        lateRows = context.getMetricGroup().counter("lateRows");
        rowsRejected = context.getMetricGroup().counter("rowsRejected");
    }

    public void eval(
            Context ctx,
            @StateHint(ttl = "0") MapView<String, String> memory,
            @StateHint(ttl = "0") MapView<Long, HitBuckets.Hits> hits,
            @StateHint(ttl = "0") MapView<Long, Integer> bucketSizes,
            @ArgumentHint(name = "hits", value = {ArgumentTrait.SET_SEMANTIC_TABLE, ArgumentTrait.REQUIRE_ON_TIME}) Row hit,
            @ArgumentHint(name = "parameters", isOptional = true) String spec) throws Exception {
        if (spec == null) spec = "";
        finder(spec); // bad parameters fail the first row
        Long timeNs = hit.getFieldAs("timeNs");
        Integer ix = hit.getFieldAs("ix"), iy = hit.getFieldAs("iy");
        if (timeNs == null || ix == null || iy == null) {
            rowsRejected.inc();
            return;
        }
        TimeContext<Long> time = ctx.timeContext(Long.class);
        Long watermark = time.currentWatermark();
        if (watermark != null && time.time() <= watermark) lateRows.inc();
        long bucket = Math.floorDiv(timeNs, NS_PER_MS);
        if (!HitBuckets.add(hits, bucketSizes, bucket, ix, iy, timeNs)) return;
        memory.put(SPEC, spec);
        time.registerOnTime(bucket);
    }

    /** The watermark passed millisecond M: scan the held hits and bucket M as far as they are decided (class doc). */
    public void onTimer(OnTimerContext ctx, MapView<String, String> memory, MapView<Long, HitBuckets.Hits> hits,
            MapView<Long, Integer> bucketSizes) throws Exception {
        String spec = memory.get(SPEC);
        HoughRingFinder finder = finder(spec == null ? "" : spec);
        TimeContext<Long> time = ctx.timeContext(Long.class);
        // Every hit up to the watermark (the one being advanced to) is in: a later one would be late, and Flink drops
        // late rows before eval. The buckets up to it are therefore complete and taken now, whose own timers then find
        // them gone; this also decides what a timer registered here could not (Flink ignores a timer at or before the
        // watermark: at the end of the input, or when the wall clock moves a quiet run's watermark on).
        Long watermark = time.currentWatermark();
        long upTo = watermark == null ? time.time() : Math.max(time.time(), watermark);
        List<RingFilter.Hit> list = new ArrayList<>();
        HitBuckets.takeHeld(hits, list);
        List<Long> complete = new ArrayList<>();
        for (Long bucket : bucketSizes.keys()) if (bucket <= upTo) complete.add(bucket);
        for (long bucket : complete) HitBuckets.take(hits, bucketSizes, bucket, list);
        RingFilter.Hit[] sorted = list.toArray(new RingFilter.Hit[0]);
        Arrays.sort(sorted, RingFilter.HIT_ORDER);
        long completeBefore = upTo >= Long.MAX_VALUE / NS_PER_MS - 1 ? Long.MAX_VALUE : (upTo + 1) * NS_PER_MS;
        HoughRingFinder.Scan scan = finder.scan(sorted, completeBefore);

        List<RingFilter.Hit> held = Arrays.asList(sorted).subList(scan.decided(), sorted.length);
        HitBuckets.hold(hits, held);
        // the first held hit is decided once the stream is complete two widths after it: a millisecond after upTo
        if (!held.isEmpty()) time.registerOnTime(Math.floorDiv(held.get(0).timeNs() + finder.lookaheadNs(), NS_PER_MS));

        List<HoughRingFinder.FoundRing> rings = new ArrayList<>(scan.rings());
        rings.sort((a, b) -> RingFilter.HIT_ORDER.compare(a.hits().get(0), b.hits().get(0)));
        String last = memory.get(LAST_RING);
        long lastId = last == null ? Long.MIN_VALUE : Long.parseLong(last);
        Map<RingFilter.Hit, Long> ringOf = new HashMap<>();
        for (HoughRingFinder.FoundRing r : rings) {
            long first = r.hits().get(0).timeNs();
            long id = lastId == Long.MIN_VALUE || first > lastId ? first : lastId + 1;
            lastId = id;
            for (RingFilter.Hit h : r.hits()) ringOf.put(h, id);
            boolean fitted = Double.isFinite(r.radius());
            collect(Row.of(RING, id, null, null, first, null, r.hits().size(), fitted ? r.centreX() : null,
                    fitted ? r.centreY() : null, fitted ? r.radius() : null, fitted ? finder.chi2(r) : null, r.hits().size() - 3));
        }
        if (!rings.isEmpty()) memory.put(LAST_RING, Long.toString(lastId));
        for (int i = 0; i < scan.decided(); i++) {
            RingFilter.Hit h = sorted[i];
            Long id = ringOf.get(h);
            collect(Row.of(HIT, id, h.ix(), h.iy(), h.timeNs(), id == null ? NOISE : SIGNAL, null, null, null, null, null, null));
        }
    }

    private HoughRingFinder finder(String spec) {
        if (finder == null || !spec.equals(cachedFor)) {
            finder = new HoughRingFinder(RichGeometry.parse(spec));
            cachedFor = spec;
        }
        return finder;
    }
}
