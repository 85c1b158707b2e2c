package dev.iotplatform.flink.functions.rich;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The ring filter of docs/rich-data-contract.md in track mode, steps 2 to 6: each track's candidate hits, its
 * iterated Taubin ring fit, the claims of the found rings on their hits (the smallest ring residual wins, ties the
 * earlier track), one label per hit and one ring result per track.
 *
 * <p>The answer for a hit is exact when every track that could claim it is among the tracks given; a track's
 * answer is exact when every hit of its time window is given (and every track that could claim one of them). The
 * result does not depend on the order of the input: tracks are taken by time, hits by (time, ix, iy).
 */
public final class RingFilter {
    /** Step 3: refits at most this many times. */
    static final int MAX_REFITS = 10;

    /** A track as the wire carries it (float32); its id is its time. */
    public record Track(long timeNs, float x, float y, float z, float vx, float vy, float vz) {
        public long trackId() {
            return timeNs;
        }
    }

    /** A hit; its identity is (ix, iy, timeNs). */
    public record Hit(int ix, int iy, long timeNs) {}

    /** Step 6. Fit fields are null when no ring was found. */
    public record Ring(long trackId, boolean found, int hits, Double centreX, Double centreY, Double radius,
            Double chi2, Integer ndf, Double cherenkovAngle, Double beta) {}

    /**
     * The labels, in the order of the hits given: the track id a hit is signal of, or null for noise; and the ring
     * results, in track time order.
     */
    public record Result(Long[] trackOf, List<Ring> rings) {}

    static final Comparator<Hit> HIT_ORDER =
            Comparator.comparingLong(Hit::timeNs).thenComparingInt(Hit::ix).thenComparingInt(Hit::iy);

    private final RichGeometry geometry;
    private final double sigmaR, minRadius, maxRadius, timeWindow, band;

    public RingFilter(RichGeometry geometry) {
        this.geometry = geometry;
        this.sigmaR = geometry.sigmaR();
        this.minRadius = geometry.minRadius();
        this.maxRadius = geometry.maxRadius();
        this.timeWindow = geometry.timeWindowNs();
        this.band = geometry.ringSigmas() * sigmaR;
    }

    public RichGeometry geometry() {
        return geometry;
    }

    /**
     * The first and last hit time (ns, inclusive) that can be a candidate of a track: a superset of step 2's time
     * test, padded by a nanosecond each side against rounding. A track whose direction does not point towards the
     * plane (vz ≤ 0), or whose hits would come more than {@link #LONGEST_DELAY_NS} after it, has no candidates: its
     * window is empty (first > last).
     */
    public long[] window(Track t) {
        double vz = unitVz(t);
        double mu = geometry.meanDelayNs(vz);
        if (!(vz > 0) || !(mu + timeWindow <= LONGEST_DELAY_NS)) return new long[] {t.timeNs(), t.timeNs() - 1};
        return new long[] {t.timeNs() + (long) Math.floor(mu - timeWindow) - 1, t.timeNs() + (long) Math.ceil(mu + timeWindow) + 1};
    }

    /** Delays beyond this (about 11.6 days) mean a direction parallel to the plane; such tracks have no candidates. */
    public static final double LONGEST_DELAY_NS = 1e15;

    private static double unitVz(Track t) {
        double vx = t.vx(), vy = t.vy(), vz = t.vz();
        return vz / Math.sqrt(vx * vx + vy * vy + vz * vz);
    }

    public Result run(List<Track> tracks, List<Hit> hits) {
        Hit[] given = hits.toArray(new Hit[0]);
        Integer[] order = new Integer[given.length]; // order[i]: the given index of the i-th hit in time order
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (i, j) -> HIT_ORDER.compare(given[i], given[j]));
        Hit[] byTime = new Hit[given.length];
        long[] times = new long[given.length];
        for (int i = 0; i < order.length; i++) {
            byTime[i] = given[order[i]];
            times[i] = byTime[i].timeNs();
        }
        List<Track> byTrackTime = new ArrayList<>(tracks);
        byTrackTime.sort(Comparator.comparingLong(Track::timeNs));

        // step 4: the best claim on each hit (index in time order) so far; tracks come in time order, so a tie
        // keeps the earlier track's claim
        int[] claimedBy = new int[byTime.length];
        Arrays.fill(claimedBy, -1);
        double[] claimResidual = new double[byTime.length];
        List<Fit> fits = new ArrayList<>(byTrackTime.size());
        for (int k = 0; k < byTrackTime.size(); k++) {
            Fit fit = fitRing(byTrackTime.get(k), byTime, times);
            fits.add(fit);
            if (fit == null) continue;
            for (int m = 0; m < fit.size; m++) {
                int h = fit.hit[m];
                double residual = Math.abs(fit.residual[m]);
                if (claimedBy[h] < 0 || residual < claimResidual[h]) {
                    claimedBy[h] = k;
                    claimResidual[h] = residual;
                }
            }
        }

        // steps 5 and 6
        List<Ring> rings = new ArrayList<>(fits.size());
        for (int k = 0; k < fits.size(); k++) {
            long id = byTrackTime.get(k).trackId();
            Fit fit = fits.get(k);
            if (fit == null) {
                rings.add(new Ring(id, false, 0, null, null, null, null, null, null, null));
                continue;
            }
            int kept = 0;
            double chi2 = 0;
            for (int m = 0; m < fit.size; m++) {
                if (claimedBy[fit.hit[m]] != k) continue;
                kept++;
                double pull = fit.residual[m] / sigmaR;
                chi2 += pull * pull;
            }
            double angle = Math.atan(fit.circle.r() / geometry.distanceMm());
            rings.add(new Ring(id, true, kept, fit.circle.a(), fit.circle.b(), fit.circle.r(), chi2, kept - 3, angle,
                    1 / (geometry.refractiveIndex() * Math.cos(angle))));
        }
        Long[] trackOf = new Long[given.length];
        for (int i = 0; i < order.length; i++) {
            int k = claimedBy[i];
            if (k >= 0) trackOf[order[i]] = byTrackTime.get(k).trackId();
        }
        return new Result(trackOf, rings);
    }

    /** A found ring: its final hits (indices in time order), their residuals |q − (a, b)| − R, and the circle. */
    private record Fit(TaubinCircleFit.Circle circle, int[] hit, double[] residual, int size) {}

    /** Steps 2 and 3 for one track: null when it has no ring. */
    private Fit fitRing(Track t, Hit[] hits, long[] times) {
        long[] window = window(t);
        if (window[0] > window[1]) return null;
        RichGeometry.TrackFrame frame = geometry.frame(t.x(), t.y(), t.vx(), t.vy(), t.vz());
        double mu = geometry.meanDelayNs(frame.vz());
        int from = firstAtOrAfter(times, window[0]);
        int to = firstAtOrAfter(times, window[1] + 1);
        int[] index = new int[Math.max(0, to - from)];
        double[] qx = new double[index.length], qy = new double[index.length];
        int n = 0;
        for (int i = from; i < to; i++) {
            if (Math.abs((double) (times[i] - t.timeNs()) - mu) > timeWindow) continue;
            Hit h = hits[i];
            RichGeometry.FramePoint p = frame.point(geometry.pixelCentre(h.ix()), geometry.pixelCentre(h.iy()));
            if (!(p.theta() < Math.PI / 2)) continue;
            double r = p.radius();
            if (r < minRadius || r > maxRadius) continue;
            index[n] = i;
            qx[n] = p.qx();
            qy[n] = p.qy();
            n++;
        }
        int minHits = geometry.minRingHits();
        if (n < minHits) return null;

        // S as a selection of S0, starting from the seed; the fit is always that of the current S
        boolean[] in = radialSeed(qx, qy, n);
        if (count(in) < minHits) return null;
        double[] sx = new double[n], sy = new double[n];
        TaubinCircleFit.Circle circle = fitSelected(qx, qy, in, sx, sy);
        if (circle == null) return null;
        for (int refit = 0; refit < MAX_REFITS; refit++) {
            boolean[] next = new boolean[n];
            for (int m = 0; m < n; m++) next[m] = Math.abs(circle.residual(qx[m], qy[m])) <= band;
            if (count(next) < minHits) return null;
            if (Arrays.equals(next, in)) break;
            in = next;
            circle = fitSelected(qx, qy, in, sx, sy);
            if (circle == null) return null;
        }
        int size = 0;
        int[] kept = new int[n];
        double[] residual = new double[n];
        for (int m = 0; m < n; m++) {
            if (!in[m]) continue;
            kept[size] = index[m];
            residual[size] = circle.residual(qx[m], qy[m]);
            size++;
        }
        return new Fit(circle, kept, residual, size);
    }

    /**
     * Step 3's seed: the candidates whose distance ρ from the expected centre (the origin of the track frame) lies in
     * [ρj, ρj + 2·k·σr] for the candidate j whose interval holds the most (ties: the smallest ρj). A ring is a circle
     * around the origin there, so its hits gather in one such band, while dark hits spread over the whole annulus:
     * fitting the band first keeps a noisy window's fit on the ring (Taubin's fit of all of S0 is pulled to the
     * annulus's middle once dark hits are about as many as the ring's).
     */
    private boolean[] radialSeed(double[] qx, double[] qy, int n) {
        double[] rho = new double[n];
        Integer[] byRho = new Integer[n];
        for (int m = 0; m < n; m++) {
            rho[m] = Math.sqrt(qx[m] * qx[m] + qy[m] * qy[m]);
            byRho[m] = m;
        }
        Arrays.sort(byRho, Comparator.comparingDouble(m -> rho[m]));
        int best = 0, bestCount = 0;
        for (int lo = 0, hi = 0; lo < n; lo++) {
            while (hi < n && rho[byRho[hi]] - rho[byRho[lo]] <= 2 * band) hi++;
            if (hi - lo > bestCount) {
                best = lo;
                bestCount = hi - lo;
            }
        }
        boolean[] seed = new boolean[n];
        for (int i = best; i < best + bestCount; i++) seed[byRho[i]] = true;
        return seed;
    }

    private static int count(boolean[] selected) {
        int size = 0;
        for (boolean b : selected) if (b) size++;
        return size;
    }

    /** Taubin's fit of the selected points, or null when they lie on one line. */
    private static TaubinCircleFit.Circle fitSelected(double[] qx, double[] qy, boolean[] in, double[] sx, double[] sy) {
        int n = 0;
        for (int m = 0; m < in.length; m++) {
            if (!in[m]) continue;
            sx[n] = qx[m];
            sy[n] = qy[m];
            n++;
        }
        try {
            return TaubinCircleFit.fit(sx, sy, n);
        } catch (TaubinCircleFit.DegenerateInput e) {
            return null;
        }
    }

    private static int firstAtOrAfter(long[] times, long t) {
        int lo = 0, hi = times.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (times[mid] < t) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
