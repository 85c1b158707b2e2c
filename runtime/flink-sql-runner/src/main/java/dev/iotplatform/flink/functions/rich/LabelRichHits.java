package dev.iotplatform.flink.functions.rich;

import java.util.ArrayList;
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
 * The RICH ring filter in track mode (docs/rich-data-contract.md): every hit labelled signal of a track or noise,
 * every track with its ring, by event time.
 *
 * <pre>{@code
 * SELECT * FROM LABEL_RICH_HITS(
 *   events => TABLE rich_events PARTITION BY detector,
 *   on_time => DESCRIPTOR(rowtime),
 *   parameters => 'refractiveIndex=1.05, minRingHits=5')  -- optional; the others keep their defaults
 * }</pre>
 *
 * <p>{@code events}: the tracks and the hits of a detector in one table (a UNION ALL), partitioned by the detector
 * (or run). Columns: {@code kind} STRING ({@value #TRACK} for a track, anything else for a hit), {@code x, y, z,
 * vx, vy, vz} FLOAT (a track's impact point and direction), {@code ix, iy} INT (a hit's pixel), {@code timeNs}
 * BIGINT, and the rowtime given as on_time, which must be {@code TO_TIMESTAMP_LTZ(timeNs / 1000000, 3)} with a
 * watermark that trails it (at least by 1 ms: a row at the watermark's own millisecond comes late).
 *
 * <p>{@code parameters} (optional STRING): {@code name=value} pairs separated by commas, names as the manifest's
 * {@code parameters} (see {@link RichGeometry#parse}); the others keep the contract's defaults. One string rather
 * than a scalar argument each: Flink 2.2 does not convert a literal such as {@code 1.05} (DECIMAL) or {@code 1000}
 * (INT) to a PTF's DOUBLE argument (the generated code fails to compile). Bad parameters fail the job's first row.
 *
 * <p>Output: the partition columns, then {@code kind} ({@value #HIT} or {@value #TRACK}), {@code trackId},
 * {@code ix}, {@code iy}, {@code timeNs}, {@code label}, {@code found}, {@code hits}, {@code centreX},
 * {@code centreY}, {@code radius}, {@code chi2}, {@code ndf}, {@code cherenkovAngle}, {@code beta}, and the rowtime.
 * A hit row: ix, iy, timeNs of the hit, label {@value #SIGNAL} with its trackId or {@value #NOISE} with a null
 * trackId, and null ring columns. A track row: trackId (= timeNs, the track's time), found, hits and the fit (null
 * when not found), and null ix, iy, label. Each hit and each track comes out exactly once.
 *
 * <p>A row without timeNs, a track without its six floats (or with a zero or non-finite direction) and a hit without
 * its pixel are dropped: metric {@code rowsRejected}.
 *
 * <p>Event time: a track is finalised once the watermark passes tT + μ + kt·σt, and a hit is labelled once no track
 * that could still claim it is open (none received whose window reaches it and not yet finalised, and no later
 * track can reach it). Then the hits below a cut time, and the tracks whose windows lie wholly below it, go through
 * {@link RingFilter} together; a track whose window straddles the cut holds the cut back to its window's start. The
 * answer is therefore {@link RingFilter}'s on the whole stream. Hits wait in keyed state in per-millisecond buckets
 * (each with one timer), so a track only scans its window and a labelled hit leaves the state; open tracks, the
 * parameters and the hits held back by a straddling track are keyed state too, so a restart from a checkpoint goes
 * on where it was. The state has no TTL ({@code table.exec.state.ttl} does not apply): the function bounds it itself,
 * and the planner's default (a TTL of Long.MAX_VALUE) would cost more than the rest of the function.
 *
 * <p>Late rows: Flink 2.2 drops a row whose time is at or before the watermark before eval is called (metric
 * {@code lateRows} then counts none); the ingest gateway's lateness rule must dead-letter such records first (the
 * blueprint allows none behind the newest of its run). Its timers are all registered in eval, for times after the
 * row's own, so none is at or before the watermark (which Flink would ignore).
 */
@DataTypeHint("ROW<kind STRING, trackId BIGINT, ix INT, iy INT, timeNs BIGINT, label STRING, found BOOLEAN, hits INT,"
        + " centreX DOUBLE, centreY DOUBLE, radius DOUBLE, chi2 DOUBLE, ndf INT, cherenkovAngle DOUBLE, beta DOUBLE,"
        + " x FLOAT, y FLOAT, vx FLOAT, vy FLOAT, vz FLOAT>")
public class LabelRichHits extends ProcessTableFunction<Row> {
    public static final String TRACK = "track";
    public static final String HIT = "hit";
    public static final String SIGNAL = "signal";
    public static final String NOISE = "noise";
    private static final long NS_PER_MS = 1_000_000L;

    /** The key of the parameters argument in the {@code parameters} state, kept for the timers (they get no arguments). */
    static final String SPEC = "spec";

    /** A track not finalised yet, with its candidate window [first, last] (ns). */
    public static class OpenTrack {
        public float x, y, z, vx, vy, vz;
        public long first;
        public long last;
    }

    private transient String cachedFor;
    private transient RingFilter filter;
    private transient Counter lateRows;
    private transient Counter rowsRejected;

    @Override
    public void open(FunctionContext context) {
        lateRows = context.getMetricGroup().counter("lateRows");
        rowsRejected = context.getMetricGroup().counter("rowsRejected");
    }

    public void eval(
            Context ctx,
            @StateHint(ttl = "0") MapView<String, String> parameters,
            @StateHint(ttl = "0") MapView<Long, OpenTrack> tracks,
            @StateHint(ttl = "0") MapView<Long, HitBuckets.Hits> hits,
            @StateHint(ttl = "0") MapView<Long, Integer> bucketSizes,
            @ArgumentHint(name = "events", value = {ArgumentTrait.SET_SEMANTIC_TABLE, ArgumentTrait.REQUIRE_ON_TIME}) Row event,
            @ArgumentHint(name = "parameters", isOptional = true) String spec) throws Exception {
        if (spec == null) spec = "";
        RingFilter filter = filter(spec);
        Long timeNs = event.getFieldAs("timeNs");
        if (timeNs == null) {
            rowsRejected.inc();
            return;
        }
        TimeContext<Long> time = ctx.timeContext(Long.class);
        Long watermark = time.currentWatermark();
        if (watermark != null && time.time() <= watermark) lateRows.inc();
        long lag = lag(filter);
        if (TRACK.equals(event.getFieldAs("kind"))) {
            Float x = event.getFieldAs("x"), y = event.getFieldAs("y"), z = event.getFieldAs("z");
            Float vx = event.getFieldAs("vx"), vy = event.getFieldAs("vy"), vz = event.getFieldAs("vz");
            if (x == null || y == null || z == null || vx == null || vy == null || vz == null
                    || !Float.isFinite(vx) || !Float.isFinite(vy) || !Float.isFinite(vz) || vx == 0 && vy == 0 && vz == 0) {
                rowsRejected.inc();
                return;
            }
            OpenTrack t = new OpenTrack();
            t.x = x;
            t.y = y;
            t.z = z;
            t.vx = vx;
            t.vy = vy;
            t.vz = vz;
            long[] window = filter.window(track(timeNs, t));
            t.first = window[0];
            t.last = window[1];
            tracks.put(timeNs, t);
            parameters.put(SPEC, spec);
            // finalised at the timer whose cut passes the window's end (and every hit it may take is in)
            time.registerOnTime(Math.floorDiv(window[1] + lag, NS_PER_MS));
            return;
        }
        Integer ix = event.getFieldAs("ix"), iy = event.getFieldAs("iy");
        if (ix == null || iy == null) {
            rowsRejected.inc();
            return;
        }
        long bucket = Math.floorDiv(timeNs + lag, NS_PER_MS);
        if (!HitBuckets.add(hits, bucketSizes, bucket, ix, iy, timeNs)) return;
        parameters.put(SPEC, spec); // written with each timer, so that a timer finds the parameters of its rows
        time.registerOnTime(bucket);
    }

    /**
     * How long after a hit a track can still come that claims it: kt·σt − min μ (plus the windows' padding) when
     * positive (a window can start before its track), else 0. A hit's bucket is the millisecond of its time plus this.
     */
    private static long lag(RingFilter filter) {
        return (long) Math.max(0, Math.ceil(2 - filter.geometry().smallestLeadNs()));
    }

    /**
     * The watermark passed the end of millisecond M: every hit of the buckets up to M is in (they hold the hits up
     * to (M + 1) ms − lag), and no track can still come that claims one. Cut there, or lower, at the start of a
     * window that straddles it; label the hits below the cut with the tracks whose windows end below it.
     */
    public void onTimer(OnTimerContext ctx, MapView<String, String> parameters, MapView<Long, OpenTrack> tracks,
            MapView<Long, HitBuckets.Hits> hits, MapView<Long, Integer> bucketSizes) throws Exception {
        String spec = parameters.get(SPEC);
        RingFilter filter = filter(spec == null ? "" : spec);
        long ms = ctx.timeContext(Long.class).time();
        long cut = (ms + 1) * NS_PER_MS - lag(filter);
        List<Map.Entry<Long, OpenTrack>> open = new ArrayList<>();
        for (Map.Entry<Long, OpenTrack> e : tracks.entries()) open.add(Map.entry(e.getKey(), e.getValue()));
        for (boolean lowered = true; lowered; ) {
            lowered = false;
            for (Map.Entry<Long, OpenTrack> e : open) {
                OpenTrack t = e.getValue();
                if (t.first < cut && cut <= t.last) {
                    cut = t.first;
                    lowered = true;
                }
            }
        }
        List<RingFilter.Track> closing = new ArrayList<>();
        for (Map.Entry<Long, OpenTrack> e : open) {
            if (e.getValue().last >= cut) continue;
            closing.add(track(e.getKey(), e.getValue()));
            tracks.remove(e.getKey());
        }

        List<RingFilter.Hit> taken = new ArrayList<>();
        HitBuckets.takeHeld(hits, taken);
        HitBuckets.take(hits, bucketSizes, ms, taken);
        List<RingFilter.Hit> labelled = new ArrayList<>();
        List<RingFilter.Hit> kept = new ArrayList<>();
        for (RingFilter.Hit h : taken) (h.timeNs() < cut ? labelled : kept).add(h);
        HitBuckets.hold(hits, kept);

        labelled.sort(RingFilter.HIT_ORDER);
        if (closing.isEmpty()) {
            for (RingFilter.Hit h : labelled) collect(hitRow(h, null));
            return;
        }
        RingFilter.Result result = filter.run(closing, labelled);
        Map<Long, RingFilter.Track> tracksById = new HashMap<>();
        for (RingFilter.Track t : closing) tracksById.put(t.timeNs(), t);
        for (RingFilter.Ring r : result.rings()) {
            RingFilter.Track t = tracksById.get(r.trackId());
            collect(Row.of(TRACK, r.trackId(), null, null, r.trackId(), null, r.found(), r.hits(), r.centreX(), r.centreY(),
                    r.radius(), r.chi2(), r.ndf(), r.cherenkovAngle(), r.beta(), t.x(), t.y(), t.vx(), t.vy(), t.vz()));
        }
        for (int i = 0; i < labelled.size(); i++) collect(hitRow(labelled.get(i), result.trackOf()[i]));
    }

    private static Row hitRow(RingFilter.Hit h, Long trackId) {
        return Row.of(HIT, trackId, h.ix(), h.iy(), h.timeNs(), trackId == null ? NOISE : SIGNAL,
                null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    private static RingFilter.Track track(long timeNs, OpenTrack t) {
        return new RingFilter.Track(timeNs, t.x, t.y, t.z, t.vx, t.vy, t.vz);
    }

    private RingFilter filter(String spec) {
        if (filter == null || !spec.equals(cachedFor)) {
            filter = new RingFilter(RichGeometry.parse(spec));
            cachedFor = spec;
        }
        return filter;
    }
}
