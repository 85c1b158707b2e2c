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
 * slice's sums, counts, minimums, maximums and number of distinct entities ({@code sliceStats}); each entity of a
 * slice as an entry of its own ({@code members}: its flag bits; {@code memberAt}: the slice's n-th entity, so that a
 * window's entities are listed without scanning other slices); and per group the window it emitted last
 * ({@code emitted}: its slices' stats and its entity counts, see {@link EmittedWindow}; {@code windowMembers}: each
 * of its entities with its flag bits in it). A reading reads and writes a few entries however many entities its group
 * has, also one into the window emitted last (where most readings behind the clock go), which updates that window by
 * its own entity and slice alone. Emitting a newer window reads the members of the window's slices. No entry
 * has a TTL ({@code table.exec.state.ttl} does not apply): the function drops a slice with its members once no reading
 * can reach it and no window still to emit holds it, and an entity's {@code windowMembers} entry once the window
 * emitted last no longer holds it; a TTL would add cleanup work to every state access.
 *
 * <p>Upgrade: the previous version's state entries were named after their parameter positions ({@code arg1} clock,
 * {@code arg2} groups, {@code arg3} slices: the build keeps no parameter names), had the job's TTL (Flink 2.2 drops
 * it on restore) and kept each slice as one {@link Slice} value holding all its entities. The names stay, so its
 * checkpoints restore; the first row after such a restore moves the {@code arg3} slices into the present layout and
 * empties {@code arg3}. In a checkpoint taken before {@code emitted} and {@code windowMembers} existed, a group's
 * emitted window is counted from its slices at the first reading into it, and kept from then on.
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

    /**
     * Per group: the window emitted last, so that a reading into it updates it without recounting the members of its
     * slices. Its stats stay per slice (copies of the slices' {@code sliceStats}, kept equal to them) because the sums
     * are added up in slice order on every emit: adding a reading to a window-wide sum could differ in the last bits.
     */
    public static class EmittedWindow {
        public long start;
        public long end;
        /** the starts of the window's slices, ascending, and each one's stats */
        public long[] sliceStarts = new long[0];
        public SliceStats[] slices = new SliceStats[0];
        /** distinct entities; flagged and unflagged ones (an entity can be both) */
        public long entities;
        public long flagged;
        public long unflagged;
        /**
         * One more than the previous window's: a {@code windowMembers} entry written for another window counts for
         * nothing, also one the removal missed (after a restore with another window size, for one).
         */
        public long generation;
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
            MapView<String, String> memberAt, MapView<String, EmittedWindow> emitted, MapView<String, Long> windowMembers) {}

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
            @StateHint(name = "emitted", ttl = "0") MapView<String, EmittedWindow> emitted,
            @StateHint(name = "windowMembers", ttl = "0") MapView<String, Long> windowMembers,
            @StateHint(name = "arg3", ttl = "0") MapView<String, Slice> slices,
            @ArgumentHint(name = "events", value = {ArgumentTrait.SET_SEMANTIC_TABLE, ArgumentTrait.OPTIONAL_PARTITION_BY}) Row events,
            @ArgumentHint(name = "size_seconds") Integer sizeSeconds,
            @ArgumentHint(name = "slide_seconds") Integer slideSeconds,
            @ArgumentHint(name = "delay_seconds") Integer delaySeconds,
            @ArgumentHint(name = "lateness_seconds") Integer latenessSeconds,
            @ArgumentHint(name = "quiet_seconds") Integer quietSeconds) throws Exception {
        Views v = new Views(groups, sliceStats, members, memberAt, emitted, windowMembers);
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
            update(key, group, sliceStart, stats, events, w, v);
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

    /**
     * Emits the window ending at {@code end}, counted from the members and stats of its slices, and keeps it as the
     * group's {@link EmittedWindow}: its entities' {@code windowMembers} entries are written, and those of the previous
     * window's entities that this one lacks removed.
     */
    private void emit(String key, long end, Windows w, Views v, Group group) throws Exception {
        EmittedWindow window = new EmittedWindow();
        window.start = end - w.size;
        window.end = end;
        Map<String, Integer> entities = new HashMap<>();
        long[] starts = new long[group.slices.length];
        SliceStats[] slices = new SliceStats[group.slices.length];
        int count = 0;
        for (long start : group.slices) {
            if (start < window.start || start >= end) continue;
            String sliceKey = sliceKey(key, start);
            SliceStats s = v.sliceStats.get(sliceKey);
            if (s == null) continue;
            for (int n = 0; n < s.entities; n++) {
                String entity = v.memberAt.get(memberAtKey(sliceKey, n));
                Integer bits = entity == null ? null : v.members.get(memberKey(sliceKey, entity));
                if (bits != null) entities.merge(entity, bits, (a, b) -> a | b);
            }
            starts[count] = start;
            slices[count++] = s;
        }
        window.sliceStarts = Arrays.copyOf(starts, count);
        window.slices = Arrays.copyOf(slices, count);
        window.entities = entities.size();
        for (int bits : entities.values()) {
            window.flagged += bits & 1;
            window.unflagged += bits >> 1;
        }
        EmittedWindow previous = v.emitted.get(key);
        window.generation = previous == null ? 0 : previous.generation + 1;
        for (Map.Entry<String, Integer> e : entities.entrySet()) {
            v.windowMembers.put(windowMemberKey(key, e.getKey()), windowMember(window.generation, e.getValue()));
        }
        if (previous != null) forgetLeavers(key, previous, window, entities, v);
        v.emitted.put(key, window);
        collectWindow(key, window);
    }

    /**
     * Removes the {@code windowMembers} entries of the previous window's entities that {@code window} lacks: each is a
     * member of one of the previous window's slices outside {@code window} (slices of the window emitted last are
     * never dropped, so those are still there).
     */
    private static void forgetLeavers(String key, EmittedWindow previous, EmittedWindow window, Map<String, Integer> entities,
            Views v) throws Exception {
        for (long start : previous.sliceStarts) {
            if (start >= window.start && start < window.end) continue;
            String sliceKey = sliceKey(key, start);
            SliceStats s = v.sliceStats.get(sliceKey);
            if (s == null) continue;
            for (int n = 0; n < s.entities; n++) {
                String entity = v.memberAt.get(memberAtKey(sliceKey, n));
                if (entity != null && !entities.containsKey(entity)) v.windowMembers.remove(windowMemberKey(key, entity));
            }
        }
    }

    /**
     * Emits the group's window emitted last again, updated with a reading already added to {@code stats}, the stats
     * of its slice at {@code sliceStart}: the reading's entity changes the counts only if it is new to the window or
     * brings a flag bit the window did not have for it.
     */
    private void update(String key, Group group, long sliceStart, SliceStats stats, Row reading, Windows w, Views v) throws Exception {
        long end = group.emittedEnd;
        EmittedWindow window = v.emitted.get(key);
        if (window == null || window.end != end || window.start != end - w.size) {
            // restored from a checkpoint without it, or with another window size: count the window from its slices
            emit(key, end, w, v, group);
            return;
        }
        int at = Arrays.binarySearch(window.sliceStarts, sliceStart);
        if (at < 0) {
            at = -at - 1;
            window.sliceStarts = insertSorted(window.sliceStarts, sliceStart);
            SliceStats[] slices = new SliceStats[window.slices.length + 1];
            System.arraycopy(window.slices, 0, slices, 0, at);
            System.arraycopy(window.slices, at, slices, at + 1, window.slices.length - at);
            window.slices = slices;
        }
        window.slices[at] = stats;
        String entity = reading.getFieldAs("entity");
        if (entity != null) {
            String memberKey = windowMemberKey(key, entity);
            int had = bitsIn(v.windowMembers.get(memberKey), window.generation);
            int has = had | flagBits(reading);
            if (has != had) {
                if (had == 0) window.entities++;
                window.flagged += (has & 1) - (had & 1);
                window.unflagged += (has >> 1) - (had >> 1);
                v.windowMembers.put(memberKey, windowMember(window.generation, has));
            }
        }
        v.emitted.put(key, window);
        collectWindow(key, window);
    }

    /** Emits the window from its entity counts and its slices' stats (added up in slice order), if it has a slice. */
    private void collectWindow(String key, EmittedWindow window) {
        double[] sums = null;
        long[] counts = null;
        Long[] mins = null;
        Long[] maxs = null;
        for (SliceStats s : window.slices) {
            // the first slice sets the lengths
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
        collect(Row.of(WINDOW, key, time(window.start), time(window.end), window.entities, window.flagged, window.unflagged,
                avgs, mins, maxs, null, null));
    }

    /** 1 for a reading that flags its entity, 2 for one that does not. */
    private static int flagBits(Row reading) {
        return Boolean.TRUE.equals(reading.getFieldAs("flag")) ? 1 : 2;
    }

    /** A {@code windowMembers} value: the window's generation and the entity's flag bits in it. */
    private static long windowMember(long generation, int bits) {
        return generation * 4 + bits;
    }

    /** The flag bits of a {@code windowMembers} value in the window of {@code generation}: 0 for one of another window. */
    private static int bitsIn(Long member, long generation) {
        return member == null || member / 4 != generation ? 0 : (int) (member % 4);
    }

    private static void add(Views v, String sliceKey, SliceStats stats, Row reading) throws Exception {
        String entity = reading.getFieldAs("entity");
        if (entity != null) addMember(v, sliceKey, stats, entity, flagBits(reading));
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

    private static String windowMemberKey(String group, String entity) {
        return group + SEP + entity;
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
