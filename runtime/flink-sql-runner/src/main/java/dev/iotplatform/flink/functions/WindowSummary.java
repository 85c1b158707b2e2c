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
 *
 * <p>State: the job's {@link Clock}; per group its {@link Group}; per group and slide-long slice of event time the
 * slice's sums, counts, minimums, maximums and number of distinct entities ({@code sliceStats}); and each entity of a
 * slice as an entry of its own ({@code members}: its flag bits; {@code memberAt}: the slice's n-th entity, so that a
 * window's entities are listed without scanning other slices). A reading reads and writes a few small entries however
 * many entities its group has; emitting a window reads the members of the window's slices. No entry has a TTL
 * ({@code table.exec.state.ttl} does not apply): the function drops a slice with its members once no reading can
 * reach it and no window still to emit holds it, and a TTL would add cleanup work to every state access.
 *
 * <p>Upgrade: the previous version's state entries were named after their parameter positions ({@code arg1} clock,
 * {@code arg2} groups, {@code arg3} slices: the build keeps no parameter names), had the job's TTL (Flink 2.2 drops
 * it on restore) and kept each slice as one {@link Slice} value holding all its entities. The names stay, so its
 * checkpoints restore; the first row after such a restore moves the {@code arg3} slices into the present layout and
 * empties {@code arg3}.
 */
@DataTypeHint("ROW<output STRING, group_key STRING, window_start TIMESTAMP(3), window_end TIMESTAMP(3),"
        + " entities BIGINT, flagged BIGINT, unflagged BIGINT, averages ARRAY<DOUBLE>,"
        + " range_mins ARRAY<BIGINT>, range_maxs ARRAY<BIGINT>, late_record STRING, late_reason STRING>")
public class WindowSummary extends ProcessTableFunction<Row> {
    public static final String WINDOW = "window";
    public static final String LATE = "late";
    static final String TICK = "tick";
    private static final char SEP = '\u0001';

    /** The aggregates of one group's readings in one slice; its entities are the entries {@code memberAt} 0 … n−1. */
    public static class SliceStats {
        /** n: the number of distinct entities in the slice */
        public int entities;
        public double[] sums = new double[0];
        public long[] counts = new long[0];
        public Long[] mins = new Long[0];
        public Long[] maxs = new Long[0];
    }

    /** A slice as the previous version kept it (state {@code arg3}): read once, to move a restored checkpoint over. */
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

    /** The map states of one call. */
    record Views(MapView<String, Group> groups, MapView<String, SliceStats> sliceStats, MapView<String, Integer> members,
            MapView<String, String> memberAt) {}

    private transient Counter lateRecords;
    private transient boolean legacyMoved;

    @Override
    public void open(FunctionContext context) {
        lateRecords = context.getMetricGroup().counter("lateRecords");
    }

    public void eval(
            Context ctx,
            // arg1 to arg3: the names the previous version's state had (see the class comment)
            @StateHint(name = "arg1", ttl = "0") Clock clock,
            @StateHint(name = "arg2", ttl = "0") MapView<String, Group> groups,
            @StateHint(name = "sliceStats", ttl = "0") MapView<String, SliceStats> sliceStats,
            @StateHint(name = "members", ttl = "0") MapView<String, Integer> members,
            @StateHint(name = "memberAt", ttl = "0") MapView<String, String> memberAt,
            @StateHint(name = "arg3", ttl = "0") MapView<String, Slice> slices,
            @ArgumentHint(name = "events", value = {ArgumentTrait.SET_SEMANTIC_TABLE, ArgumentTrait.OPTIONAL_PARTITION_BY}) Row events,
            @ArgumentHint(name = "size_seconds") Integer sizeSeconds,
            @ArgumentHint(name = "slide_seconds") Integer slideSeconds,
            @ArgumentHint(name = "delay_seconds") Integer delaySeconds,
            @ArgumentHint(name = "lateness_seconds") Integer latenessSeconds,
            @ArgumentHint(name = "quiet_seconds") Integer quietSeconds) throws Exception {
        Views v = new Views(groups, sliceStats, members, memberAt);
        // one instance holds the state of every group (no PARTITION BY), so checking once per start is enough
        if (!legacyMoved) {
            moveLegacySlices(slices, v);
            legacyMoved = true;
        }
        Windows w = new Windows(sizeSeconds * 1000L, slideSeconds * 1000L);
        long delayMs = delaySeconds * 1000L;
        long latenessMs = latenessSeconds * 1000L;
        long quietMs = quietSeconds * 1000L;
        long now = System.currentTimeMillis();
        if (TICK.equals(events.getFieldAs("kind"))) {
            closeQuietGroups(w, v, now, quietMs);
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
        String sliceKey = sliceKey(key, sliceStart);
        SliceStats stats = sliceStats.get(sliceKey);
        if (stats == null) {
            stats = new SliceStats();
            group.slices = insertSorted(group.slices, sliceStart);
        }
        add(v, sliceKey, stats, events);
        sliceStats.put(sliceKey, stats);
        group.lastArrivalMs = now;
        if (group.emittedEnd != null && t < group.emittedEnd && t >= group.emittedEnd - w.size) {
            emit(key, group.emittedEnd, w, v, group);
        } else if (clock.firedAtMs != null) {
            // a late reading can make a closed window newer than the one emitted last: out it comes now
            closeUpTo(key, group, clock.firedAtMs, w, v);
        }
        groups.put(key, group);

        long advanced = t - delayMs;
        if (clock.clockMs == null || advanced > clock.clockMs) clock.clockMs = advanced;
        long boundary = Math.floorDiv(clock.clockMs, w.slide) * w.slide;
        if (clock.firedAtMs == null || boundary > clock.firedAtMs) {
            clock.firedAtMs = boundary;
            fireUpTo(boundary, w, v, clock.clockMs - latenessMs - w.size - w.slide);
        }
    }

    /** Emits, per group, the newest window with readings that ends at or before {@code boundary}; drops old slices. */
    private void fireUpTo(long boundary, Windows w, Views v, long purgeBefore) throws Exception {
        List<Map.Entry<String, Group>> all = new ArrayList<>();
        for (Map.Entry<String, Group> e : v.groups.entries()) all.add(Map.entry(e.getKey(), e.getValue()));
        for (Map.Entry<String, Group> e : all) {
            String key = e.getKey();
            Group group = e.getValue();
            closeUpTo(key, group, boundary, w, v);
            long keepFrom = group.emittedEnd == null ? purgeBefore : Math.min(purgeBefore, group.emittedEnd - w.size);
            int drop = 0;
            while (drop < group.slices.length && group.slices[drop] < keepFrom) dropSlice(v, sliceKey(key, group.slices[drop++]));
            if (drop > 0) group.slices = Arrays.copyOfRange(group.slices, drop, group.slices.length);
            v.groups.put(key, group);
        }
    }

    /** Emits the group's newest window with readings that ends at or before {@code boundary}, if newer than its last. */
    private void closeUpTo(String key, Group group, long boundary, Windows w, Views v) throws Exception {
        Long newest = newestSliceBefore(group.slices, boundary);
        if (newest == null) return;
        long end = Math.min(boundary, newest + w.size);
        if (group.emittedEnd == null || end > group.emittedEnd) {
            group.emittedEnd = end;
            emit(key, end, w, v, group);
        }
    }

    /** A group quiet for {@code quietMs}: the newest window holding its newest reading is closed at once. */
    private void closeQuietGroups(Windows w, Views v, long now, long quietMs) throws Exception {
        List<Map.Entry<String, Group>> all = new ArrayList<>();
        for (Map.Entry<String, Group> e : v.groups.entries()) all.add(Map.entry(e.getKey(), e.getValue()));
        for (Map.Entry<String, Group> e : all) {
            Group group = e.getValue();
            if (group.slices.length == 0 || now - group.lastArrivalMs < quietMs) continue;
            long end = group.slices[group.slices.length - 1] + w.size;
            if (group.emittedEnd != null && end <= group.emittedEnd) continue;
            group.emittedEnd = end;
            emit(e.getKey(), end, w, v, group);
            v.groups.put(e.getKey(), group);
        }
    }

    private void emit(String key, long end, Windows w, Views v, Group group) throws Exception {
        Map<String, Integer> entities = new HashMap<>();
        double[] sums = null;
        long[] counts = null;
        Long[] mins = null;
        Long[] maxs = null;
        for (long start : group.slices) {
            if (start < end - w.size || start >= end) continue;
            String sliceKey = sliceKey(key, start);
            SliceStats s = v.sliceStats.get(sliceKey);
            if (s == null) continue;
            for (int n = 0; n < s.entities; n++) {
                String entity = v.memberAt.get(memberAtKey(sliceKey, n));
                Integer bits = entity == null ? null : v.members.get(memberKey(sliceKey, entity));
                if (bits != null) entities.merge(entity, bits, (a, b) -> a | b);
            }
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

    private static void add(Views v, String sliceKey, SliceStats stats, Row reading) throws Exception {
        String entity = reading.getFieldAs("entity");
        Boolean flag = reading.getFieldAs("flag");
        if (entity != null) addMember(v, sliceKey, stats, entity, Boolean.TRUE.equals(flag) ? 1 : 2);
        Double[] measures = reading.getFieldAs("averaged");
        if (measures != null) {
            if (stats.sums.length < measures.length) {
                stats.sums = Arrays.copyOf(stats.sums, measures.length);
                stats.counts = Arrays.copyOf(stats.counts, measures.length);
            }
            for (int i = 0; i < measures.length; i++) {
                if (measures[i] == null) continue;
                stats.sums[i] += measures[i];
                stats.counts[i]++;
            }
        }
        Long[] ranges = reading.getFieldAs("ranged");
        if (ranges != null) {
            if (stats.mins.length < ranges.length) {
                stats.mins = Arrays.copyOf(stats.mins, ranges.length);
                stats.maxs = Arrays.copyOf(stats.maxs, ranges.length);
            }
            for (int i = 0; i < ranges.length; i++) {
                stats.mins[i] = min(stats.mins[i], ranges[i]);
                stats.maxs[i] = max(stats.maxs[i], ranges[i]);
            }
        }
    }

    /** Records {@code entity} with its flag bits in the slice; the caller writes {@code stats} back. */
    private static void addMember(Views v, String sliceKey, SliceStats stats, String entity, int bits) throws Exception {
        String memberKey = memberKey(sliceKey, entity);
        Integer had = v.members.get(memberKey);
        if (had == null) {
            v.members.put(memberKey, bits);
            v.memberAt.put(memberAtKey(sliceKey, stats.entities), entity);
            stats.entities++;
        } else if ((had | bits) != had) {
            v.members.put(memberKey, had | bits);
        }
    }

    private static void dropSlice(Views v, String sliceKey) throws Exception {
        SliceStats stats = v.sliceStats.get(sliceKey);
        if (stats == null) return;
        for (int n = 0; n < stats.entities; n++) {
            String at = memberAtKey(sliceKey, n);
            String entity = v.memberAt.get(at);
            if (entity != null) v.members.remove(memberKey(sliceKey, entity));
            v.memberAt.remove(at);
        }
        v.sliceStats.remove(sliceKey);
    }

    /** Moves the slices a checkpoint of the previous version holds into the present layout (same keys) and empties them. */
    private static void moveLegacySlices(MapView<String, Slice> slices, Views v) throws Exception {
        if (slices.isEmpty()) return;
        for (Map.Entry<String, Slice> e : slices.entries()) {
            Slice old = e.getValue();
            SliceStats stats = new SliceStats();
            if (old.sums != null) stats.sums = old.sums;
            if (old.counts != null) stats.counts = old.counts;
            if (old.mins != null) stats.mins = old.mins;
            if (old.maxs != null) stats.maxs = old.maxs;
            if (old.entities != null) {
                for (Map.Entry<String, Integer> m : old.entities.entrySet()) addMember(v, e.getKey(), stats, m.getKey(), m.getValue());
            }
            v.sliceStats.put(e.getKey(), stats);
        }
        slices.clear();
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

    private static String memberKey(String sliceKey, String entity) {
        return sliceKey + SEP + entity;
    }

    private static String memberAtKey(String sliceKey, int n) {
        return sliceKey + SEP + n;
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
