package dev.iotplatform.flink.functions.rich;

import java.util.Arrays;
import java.util.List;
import org.apache.flink.table.api.dataview.MapView;

/**
 * The hits LABEL_RICH_HITS and FIND_RICH_RINGS keep in keyed state until they are labelled: per millisecond bucket,
 * in chunks of {@value #CHUNK}, so that adding a hit costs a copy of its chunk, not of every hit of its millisecond
 * (a 10 kHz-per-pixel detector makes ~600,000 hits a millisecond). Chunk c of bucket M is kept under the key
 * M·2^20 + c of the hits map; the sizes map holds each open bucket's count. One more key, {@link #HELD}, holds the
 * hits a function set aside for a later timer.
 */
public final class HitBuckets {
    static final int CHUNK = 256;
    private static final int CHUNK_BITS = 20;
    /** The key of the hits held for a later timer. */
    static final long HELD = Long.MIN_VALUE;

    private HitBuckets() {}

    /** One chunk of a bucket's hits (or the held ones), in arrival order: the functions' state type. */
    public static class Hits {
        public int[] ix;
        public int[] iy;
        public long[] timeNs;
    }

    /** Adds a hit to its bucket; true when it opened the bucket (its function then registers the bucket's timer). */
    static boolean add(MapView<Long, Hits> hits, MapView<Long, Integer> sizes, long bucket, int ix, int iy, long timeNs) throws Exception {
        Integer size = sizes.get(bucket);
        int n = size == null ? 0 : size;
        long chunk = chunkKey(bucket, n / CHUNK);
        hits.put(chunk, append(n % CHUNK == 0 ? null : hits.get(chunk), ix, iy, timeNs));
        sizes.put(bucket, n + 1);
        return size == null;
    }

    /** Moves a bucket's hits (none when it is not open) out of the state into {@code out}. */
    static void take(MapView<Long, Hits> hits, MapView<Long, Integer> sizes, long bucket, List<RingFilter.Hit> out) throws Exception {
        Integer size = sizes.get(bucket);
        if (size == null) return;
        sizes.remove(bucket);
        for (int c = 0; c * CHUNK < size; c++) {
            addTo(hits.get(chunkKey(bucket, c)), out);
            hits.remove(chunkKey(bucket, c));
        }
    }

    /** Moves the held hits out of the state into {@code out}. */
    static void takeHeld(MapView<Long, Hits> hits, List<RingFilter.Hit> out) throws Exception {
        Hits held = hits.get(HELD);
        if (held == null) return;
        hits.remove(HELD);
        addTo(held, out);
    }

    /** Holds these hits for a later timer (instead of any held before). */
    static void hold(MapView<Long, Hits> hits, List<RingFilter.Hit> held) throws Exception {
        if (held.isEmpty()) {
            hits.remove(HELD);
            return;
        }
        Hits out = new Hits();
        out.ix = new int[held.size()];
        out.iy = new int[held.size()];
        out.timeNs = new long[held.size()];
        for (int i = 0; i < held.size(); i++) {
            out.ix[i] = held.get(i).ix();
            out.iy[i] = held.get(i).iy();
            out.timeNs[i] = held.get(i).timeNs();
        }
        hits.put(HELD, out);
    }

    private static void addTo(Hits group, List<RingFilter.Hit> out) {
        if (group == null) return;
        for (int i = 0; i < group.timeNs.length; i++) out.add(new RingFilter.Hit(group.ix[i], group.iy[i], group.timeNs[i]));
    }

    private static long chunkKey(long bucket, int chunk) {
        if (chunk >= 1 << CHUNK_BITS) throw new IllegalStateException("RICH hits: more than 2^" + CHUNK_BITS + " chunks of hits in one millisecond");
        return (bucket << CHUNK_BITS) + chunk;
    }

    private static Hits append(Hits hits, int ix, int iy, long timeNs) {
        Hits out = new Hits();
        int n = hits == null ? 0 : hits.timeNs.length;
        out.ix = hits == null ? new int[1] : Arrays.copyOf(hits.ix, n + 1);
        out.iy = hits == null ? new int[1] : Arrays.copyOf(hits.iy, n + 1);
        out.timeNs = hits == null ? new long[1] : Arrays.copyOf(hits.timeNs, n + 1);
        out.ix[n] = ix;
        out.iy[n] = iy;
        out.timeNs[n] = timeNs;
        return out;
    }
}
