package dev.iotplatform.flink.functions;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
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
 * Sliding-window summaries per group that close on time and lose nothing, for the "recent summary" of a stream.
 *
 * <p>Windows are {@code size_seconds} long and start every {@code slide_seconds} (aligned to the epoch). The job's clock is
 * the newest event time seen (over all groups) minus {@code delay_seconds}. Per group, the function emits the newest
 * window that holds at least one of the group's readings and that is closed, where a window is closed once the
 * clock reaches its end, or, for a group that has received nothing for {@code quiet_seconds} of wall-clock time, at
 * once (all its windows). A reading that arrives for the window the group last emitted updates it (emitted again:
 * an upsert). A reading is too late when the end of the newest window holding it plus {@code lateness_seconds} is at
 * or before the clock when it arrives: it is counted in no window, comes out as a {@code late} row (for a
 * dead-letter topic) and increments the {@code lateRecords} metric.
 *
 * <p>Input ({@code events}, one table without PARTITION BY, so one instance sees every group and the clock): rows
 * with {@code kind} = 'tick' are wall-clock heartbeats (e.g. a datagen source at one row per second) that let
 * quiet groups close; every other row is a reading with {@code group_key} STRING, {@code event_ts} TIMESTAMP(3),
 * {@code entity} STRING (counted distinct), {@code flag} BOOLEAN (entities counted as flagged when a reading says
 * TRUE, as unflagged when one says FALSE or NULL), {@code averaged} ARRAY&lt;DOUBLE&gt; (averaged, NULLs
 * ignored), {@code ranged} ARRAY&lt;BIGINT&gt; (min and max) and {@code record} STRING (what a late row carries).
 */
@DataTypeHint("ROW<output STRING, group_key STRING, window_start TIMESTAMP(3), window_end TIMESTAMP(3),"
        + " entities BIGINT, flagged BIGINT, unflagged BIGINT, averages ARRAY<DOUBLE>,"
        + " range_mins ARRAY<BIGINT>, range_maxs ARRAY<BIGINT>, late_record STRING, late_reason STRING>")
public class WindowSummary extends ProcessTableFunction<Row> {
    public static final String WINDOW = "window";
    public static final String LATE = "late";
    static final String TICK = "tick";
    private static final char SEP = '\u0001';

    /** The readings of one group in one slide-long slice of event time. */
    public static class Slice {
        /** entity → 1 when a reading flagged it, 2 when one did not, 3 both */
        public Map<String, Integer> entities = new HashMap<>();
        public double[] sums = new double[0];
        public long[] counts = new long[0];
        public Long[] mins = new Long[0];
        public Long[] maxs = new Long[0];
    }

    /** Per group: the slices holding readings, the window emitted last and when a reading last arrived. */
    public static class Group {
        public long[] slices = new long[0];
        public Long emittedEnd;
        public long lastArrivalMs;
    }

    /** The job's clock (newest event time − delay) and the slide boundary it last fired at. */
    public static class Clock {
        public Long clockMs;
        public Long firedAtMs;
    }

    private transient Counter lateRecords;

    @Override
    public void open(FunctionContext context) {
        lateRecords = context.getMetricGroup().counter("lateRecords");
    }

    public void eval(
            Context ctx,
            @StateHint Clock clock,
            @StateHint MapView<String, Group> groups,
            @StateHint MapView<String, Slice> slices,
            @ArgumentHint(name = "events", value = {ArgumentTrait.SET_SEMANTIC_TABLE, ArgumentTrait.OPTIONAL_PARTITION_BY}) Row events,
            @ArgumentHint(name = "size_seconds") Integer sizeSeconds,
            @ArgumentHint(name = "slide_seconds") Integer slideSeconds,
            @ArgumentHint(name = "delay_seconds") Integer delaySeconds,
            @ArgumentHint(name = "lateness_seconds") Integer latenessSeconds,
            @ArgumentHint(name = "quiet_seconds") Integer quietSeconds) throws Exception {
        Windows w = new Windows(sizeSeconds * 1000L, slideSeconds * 1000L);
        long delayMs = delaySeconds * 1000L;
        long latenessMs = latenessSeconds * 1000L;
        long quietMs = quietSeconds * 1000L;
        long now = System.currentTimeMillis();
        if (TICK.equals(events.getFieldAs("kind"))) {
            closeQuietGroups(w, groups, slices, now, quietMs);
            return;
        }
        String key = events.getFieldAs("group_key");
        LocalDateTime eventTs = events.getFieldAs("event_ts");
        if (key == null || eventTs == null) return;
        long t = eventTs.toInstant(ZoneOffset.UTC).toEpochMilli();
        if (clock.clockMs != null && w.newestEndHolding(t) + latenessMs <= clock.clockMs) {
            lateRecords.inc();
            collect(Row.of(LATE, key, null, null, null, null, null, null, null, null, events.getFieldAs("record"),
                    "late: event time " + iso(t) + " is more than " + latenessMs / 1000 + " s of allowed lateness behind"
                            + " the window it belongs to (the summary's clock is at " + iso(clock.clockMs) + ")"));
            return;
        }
        Group group = groups.get(key);
        if (group == null) group = new Group();
        long sliceStart = w.sliceOf(t);
        Slice slice = slices.get(sliceKey(key, sliceStart));
        if (slice == null) {
            slice = new Slice();
            group.slices = insertSorted(group.slices, sliceStart);
        }
        add(slice, events);
        slices.put(sliceKey(key, sliceStart), slice);
        group.lastArrivalMs = now;
        if (group.emittedEnd != null && t < group.emittedEnd && t >= group.emittedEnd - w.size) {
            emit(key, group.emittedEnd, w, slices, group);
        } else if (clock.firedAtMs != null) {
            // a late reading can make a closed window newer than the one emitted last: out it comes now
            closeUpTo(key, group, clock.firedAtMs, w, slices);
        }
        groups.put(key, group);

        long advanced = t - delayMs;
        if (clock.clockMs == null || advanced > clock.clockMs) clock.clockMs = advanced;
        long boundary = Math.floorDiv(clock.clockMs, w.slide) * w.slide;
        if (clock.firedAtMs == null || boundary > clock.firedAtMs) {
            clock.firedAtMs = boundary;
            fireUpTo(boundary, w, groups, slices, clock.clockMs - latenessMs - w.size - w.slide);
        }
    }

    /** Emits, per group, the newest window with readings that ends at or before {@code boundary}; drops old slices. */
    private void fireUpTo(long boundary, Windows w, MapView<String, Group> groups, MapView<String, Slice> slices, long purgeBefore)
            throws Exception {
        List<Map.Entry<String, Group>> all = new ArrayList<>();
        for (Map.Entry<String, Group> e : groups.entries()) all.add(Map.entry(e.getKey(), e.getValue()));
        for (Map.Entry<String, Group> e : all) {
            String key = e.getKey();
            Group group = e.getValue();
            closeUpTo(key, group, boundary, w, slices);
            long keepFrom = group.emittedEnd == null ? purgeBefore : Math.min(purgeBefore, group.emittedEnd - w.size);
            int drop = 0;
            while (drop < group.slices.length && group.slices[drop] < keepFrom) slices.remove(sliceKey(key, group.slices[drop++]));
            if (drop > 0) group.slices = Arrays.copyOfRange(group.slices, drop, group.slices.length);
            groups.put(key, group);
        }
    }

    /** Emits the group's newest window with readings that ends at or before {@code boundary}, if newer than its last. */
    private void closeUpTo(String key, Group group, long boundary, Windows w, MapView<String, Slice> slices) throws Exception {
        Long newest = newestSliceBefore(group.slices, boundary);
        if (newest == null) return;
        long end = Math.min(boundary, newest + w.size);
        if (group.emittedEnd == null || end > group.emittedEnd) {
            group.emittedEnd = end;
            emit(key, end, w, slices, group);
        }
    }

    /** A group quiet for {@code quietMs}: the newest window holding its newest reading is closed at once. */
    private void closeQuietGroups(Windows w, MapView<String, Group> groups, MapView<String, Slice> slices, long now, long quietMs)
            throws Exception {
        List<Map.Entry<String, Group>> all = new ArrayList<>();
        for (Map.Entry<String, Group> e : groups.entries()) all.add(Map.entry(e.getKey(), e.getValue()));
        for (Map.Entry<String, Group> e : all) {
            Group group = e.getValue();
            if (group.slices.length == 0 || now - group.lastArrivalMs < quietMs) continue;
            long end = group.slices[group.slices.length - 1] + w.size;
            if (group.emittedEnd != null && end <= group.emittedEnd) continue;
            group.emittedEnd = end;
            emit(e.getKey(), end, w, slices, group);
            groups.put(e.getKey(), group);
        }
    }

    private void emit(String key, long end, Windows w, MapView<String, Slice> slices, Group group) throws Exception {
        Map<String, Integer> entities = new HashMap<>();
        double[] sums = null;
        long[] counts = null;
        Long[] mins = null;
        Long[] maxs = null;
        for (long start : group.slices) {
            if (start < end - w.size || start >= end) continue;
            Slice s = slices.get(sliceKey(key, start));
            if (s == null) continue;
            s.entities.forEach((entity, bits) -> entities.merge(entity, bits, (a, b) -> a | b));
            if (sums == null) {
                sums = new double[s.sums.length];
                counts = new long[s.counts.length];
                mins = new Long[s.mins.length];
                maxs = new Long[s.maxs.length];
            }
            for (int i = 0; i < Math.min(sums.length, s.sums.length); i++) {
                sums[i] += s.sums[i];
                counts[i] += s.counts[i];
            }
            for (int i = 0; i < Math.min(mins.length, s.mins.length); i++) {
                mins[i] = min(mins[i], s.mins[i]);
                maxs[i] = max(maxs[i], s.maxs[i]);
            }
        }
        if (sums == null) return;
        Double[] avgs = new Double[sums.length];
        for (int i = 0; i < sums.length; i++) avgs[i] = counts[i] == 0 ? null : sums[i] / counts[i];
        long flagged = entities.values().stream().filter(b -> (b & 1) != 0).count();
        long unflagged = entities.values().stream().filter(b -> (b & 2) != 0).count();
        collect(Row.of(WINDOW, key, time(end - w.size), time(end), (long) entities.size(), flagged, unflagged,
                avgs, mins, maxs, null, null));
    }

    private static void add(Slice slice, Row reading) {
        String entity = reading.getFieldAs("entity");
        Boolean flag = reading.getFieldAs("flag");
        if (entity != null) slice.entities.merge(entity, Boolean.TRUE.equals(flag) ? 1 : 2, (a, b) -> a | b);
        Double[] measures = reading.getFieldAs("averaged");
        if (measures != null) {
            if (slice.sums.length < measures.length) {
                slice.sums = Arrays.copyOf(slice.sums, measures.length);
                slice.counts = Arrays.copyOf(slice.counts, measures.length);
            }
            for (int i = 0; i < measures.length; i++) {
                if (measures[i] == null) continue;
                slice.sums[i] += measures[i];
                slice.counts[i]++;
            }
        }
        Long[] ranges = reading.getFieldAs("ranged");
        if (ranges != null) {
            if (slice.mins.length < ranges.length) {
                slice.mins = Arrays.copyOf(slice.mins, ranges.length);
                slice.maxs = Arrays.copyOf(slice.maxs, ranges.length);
            }
            for (int i = 0; i < ranges.length; i++) {
                slice.mins[i] = min(slice.mins[i], ranges[i]);
                slice.maxs[i] = max(slice.maxs[i], ranges[i]);
            }
        }
    }

    private static Long min(Long a, Long b) {
        return a == null ? b : b == null ? a : Long.valueOf(Math.min(a, b));
    }

    private static Long max(Long a, Long b) {
        return a == null ? b : b == null ? a : Long.valueOf(Math.max(a, b));
    }

    static Long newestSliceBefore(long[] sorted, long end) {
        for (int i = sorted.length - 1; i >= 0; i--) if (sorted[i] < end) return sorted[i];
        return null;
    }

    static long[] insertSorted(long[] sorted, long value) {
        int at = sorted.length;
        while (at > 0 && sorted[at - 1] > value) at--;
        long[] out = new long[sorted.length + 1];
        System.arraycopy(sorted, 0, out, 0, at);
        out[at] = value;
        System.arraycopy(sorted, at, out, at + 1, sorted.length - at);
        return out;
    }

    private static String sliceKey(String group, long start) {
        return group + SEP + start;
    }

    private static LocalDateTime time(long epochMs) {
        return LocalDateTime.ofEpochSecond(Math.floorDiv(epochMs, 1000), (int) Math.floorMod(epochMs, 1000) * 1_000_000, ZoneOffset.UTC);
    }

    private static String iso(long epochMs) {
        return Instant.ofEpochMilli(epochMs).toString();
    }

    /** Window arithmetic: slices of {@code slide} ms aligned to the epoch, windows of {@code size} ms. */
    record Windows(long size, long slide) {
        Windows {
            if (slide <= 0 || size <= 0 || size % slide != 0) {
                throw new IllegalArgumentException("WINDOW_SUMMARY: size_seconds (" + size / 1000 + ") must be a positive multiple of slide_seconds (" + slide / 1000 + ")");
            }
        }

        long sliceOf(long t) {
            return Math.floorDiv(t, slide) * slide;
        }

        /** The end of the newest window holding {@code t}. */
        long newestEndHolding(long t) {
            return sliceOf(t) + size;
        }
    }
}
