package dev.iotplatform.flink.functions.rich;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Trackless mode (docs/rich-data-contract.md, "Trackless mode"): rings found from the hits alone, with two Hough
 * transforms. In time, a flash is the window of width 2·kt·σt holding the most hits among the windows that start
 * within one width of the first crowded one; on the plane, each hit of a flash votes for every cell (2 pitches wide)
 * whose centre lies at a distance in [D·tanθmin − k·σr, D·(tan(45° + θmax) − 1) + k·σr] from it (where the ring's
 * track can have hit the plane, for inclinations up to 45°, the simulator's); the ring is the hits of the flash in
 * that annulus around the top cell (ties: the first cell in row order), when at least minRingHits; the hits left
 * in the flash are searched again. The reported centre and radius are those of Taubin's fit of the ring's hits (an
 * inclined track's ring is an ellipse: the radius is then an average).
 */
public final class HoughRingFinder {
    /** Largest track inclination the annulus allows for (the simulator's θ ≤ 45°). */
    static final double MAX_INCLINATION = Math.PI / 4;

    /** A ring found: its fitted centre and radius on the plane (mm), and its hits in time order. */
    public record FoundRing(double centreX, double centreY, double radius, List<RingFilter.Hit> hits) {}

    private final RichGeometry g;
    private final double width, innerRadius, outerRadius, cell, origin;
    private final int cells;

    public HoughRingFinder(RichGeometry g) {
        this.g = g;
        this.width = 2 * g.timeWindowNs();
        double band = g.ringSigmas() * g.sigmaR();
        this.innerRadius = Math.max(0, g.minRadius());
        this.outerRadius = g.distanceMm() * (Math.tan(MAX_INCLINATION + g.thetaMax()) - Math.tan(MAX_INCLINATION)) + band;
        this.cell = 2 * g.pixelPitchMm();
        double half = g.pixelsPerSide() * g.pixelPitchMm() / 2 + outerRadius; // impacts off the plane too
        this.origin = -half;
        this.cells = (int) Math.ceil(2 * half / cell);
    }

    /** The rings among the hits; a hit belongs to one ring at most. */
    public List<FoundRing> find(List<RingFilter.Hit> input) {
        RingFilter.Hit[] hits = input.toArray(new RingFilter.Hit[0]);
        Arrays.sort(hits, RingFilter.HIT_ORDER);
        return scan(hits, Long.MAX_VALUE).rings();
    }

    /**
     * The part of a scan that is decided: {@code rings} found among {@code hits[0, decided)}; the hits from
     * {@code decided} on are not decided yet (a later scan starts with them).
     */
    public record Scan(List<FoundRing> rings, int decided) {}

    /**
     * How far after a hit the scan looks to decide whether a flash starts there (ns): a window may start up to one width
     * after it and reaches one width further. A hit at t is decided once every hit up to t + this is known.
     */
    public long lookaheadNs() {
        return 2 * (long) Math.floor(width);
    }

    /**
     * {@link #find}'s scan over hits sorted in (time, ix, iy) order, of which only those before {@code completeBefore}
     * (ns) are all known: it goes on while the hit it stands at is decided (its time + {@link #lookaheadNs()} is
     * before completeBefore). The rings and the decided prefix are then exactly those of {@link #find} on the whole
     * stream, when the scan of the rest resumes at {@code decided} with the later hits added.
     */
    public Scan scan(RingFilter.Hit[] hits, long completeBefore) {
        List<FoundRing> rings = new ArrayList<>();
        long lastDecided = completeBefore - 1 - lookaheadNs(); // a hit at or before this is decided
        int start = 0;
        while (start < hits.length && hits[start].timeNs() <= lastDecided) {
            int end = windowEnd(hits, start);
            if (end - start < g.minRingHits()) {
                start++;
                continue;
            }
            // the fullest window among those starting within one width of this one
            int bestStart = start, bestEnd = end;
            for (int s = start + 1; s < hits.length && hits[s].timeNs() - hits[start].timeNs() <= width; s++) {
                int e = windowEnd(hits, s);
                if (e - s > bestEnd - bestStart) {
                    bestStart = s;
                    bestEnd = e;
                }
            }
            List<RingFilter.Hit> flash = new ArrayList<>(Arrays.asList(hits).subList(bestStart, bestEnd));
            for (FoundRing ring = ringOf(flash); ring != null; ring = ringOf(flash)) {
                rings.add(ring);
                flash.removeAll(ring.hits());
            }
            start = bestEnd;
        }
        return new Scan(rings, start);
    }

    /**
     * χ² of a ring's hits around its fitted circle on the plane: Σ((|p − c| − R)/σr)² over its pixel centres p (an
     * inclined track's ring is an ellipse, so this also grows with the inclination); NaN when the fit failed.
     */
    public double chi2(FoundRing ring) {
        double sigma = g.sigmaR(), sum = 0;
        for (RingFilter.Hit h : ring.hits()) {
            double r = (Math.hypot(g.pixelCentre(h.ix()) - ring.centreX(), g.pixelCentre(h.iy()) - ring.centreY()) - ring.radius()) / sigma;
            sum += r * r;
        }
        return sum;
    }

    /** The end (exclusive) of the window of width 2·kt·σt that starts at hit {@code start}. */
    private int windowEnd(RingFilter.Hit[] hits, int start) {
        int end = start;
        while (end < hits.length && hits[end].timeNs() - hits[start].timeNs() <= width) end++;
        return end;
    }

    /** The ring of the Hough peak of the flash's hits, or null when it has fewer than minRingHits. */
    private FoundRing ringOf(List<RingFilter.Hit> flash) {
        if (flash.size() < g.minRingHits()) return null;
        int[] votes = new int[cells * cells];
        int reach = (int) Math.ceil(outerRadius / cell) + 1;
        for (RingFilter.Hit h : flash) {
            double x = g.pixelCentre(h.ix()), y = g.pixelCentre(h.iy());
            int cx = (int) Math.floor((x - origin) / cell), cy = (int) Math.floor((y - origin) / cell);
            for (int j = Math.max(0, cy - reach); j <= Math.min(cells - 1, cy + reach); j++) {
                for (int i = Math.max(0, cx - reach); i <= Math.min(cells - 1, cx + reach); i++) {
                    double d = Math.hypot(centre(i) - x, centre(j) - y);
                    if (d >= innerRadius && d <= outerRadius) votes[j * cells + i]++;
                }
            }
        }
        int peak = 0;
        for (int k = 1; k < votes.length; k++) if (votes[k] > votes[peak]) peak = k;
        if (votes[peak] < g.minRingHits()) return null;
        double px = centre(peak % cells), py = centre(peak / cells);
        List<RingFilter.Hit> ring = new ArrayList<>();
        double[] xs = new double[flash.size()], ys = new double[flash.size()];
        for (RingFilter.Hit h : flash) {
            double x = g.pixelCentre(h.ix()), y = g.pixelCentre(h.iy()), d = Math.hypot(px - x, py - y);
            if (d < innerRadius || d > outerRadius) continue;
            xs[ring.size()] = x;
            ys[ring.size()] = y;
            ring.add(h);
        }
        try {
            TaubinCircleFit.Circle c = TaubinCircleFit.fit(xs, ys, ring.size());
            return new FoundRing(c.a(), c.b(), c.r(), ring);
        } catch (TaubinCircleFit.DegenerateInput e) {
            return new FoundRing(px, py, Double.NaN, ring);
        }
    }

    private double centre(int index) {
        return origin + (index + 0.5) * cell;
    }
}
