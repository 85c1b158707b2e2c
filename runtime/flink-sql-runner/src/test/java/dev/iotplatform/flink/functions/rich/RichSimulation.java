package dev.iotplatform.flink.functions.rich;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Synthetic runs from the contract's simulator physics (docs/rich-data-contract.md), with their truth, for the
 * tests: tracks as a Poisson process, Cherenkov photons around each track, uniform dark counts. One seeded
 * {@link Random}; tracks carry float32 values as the wire does.
 */
final class RichSimulation {
    final List<RingFilter.Track> tracks = new ArrayList<>();
    final List<RingFilter.Hit> hits = new ArrayList<>();
    /** The true track of each hit (absent for dark noise). */
    final Map<RingFilter.Hit, Long> truth = new HashMap<>();
    /** Hits that reached the plane per track. */
    final Map<Long, Integer> reached = new HashMap<>();

    private final RichGeometry g;
    private final Random random;
    private final Set<RingFilter.Hit> seen = new HashSet<>();

    RichSimulation(RichGeometry g, long seed) {
        this.g = g;
        this.random = new Random(seed);
    }

    /** Tracks at {@code trackRateHz} and dark counts at {@code darkRateHz} in total over [start, start + duration) ns. */
    RichSimulation run(long startNs, long durationNs, double trackRateHz, double darkRateHz) {
        for (long t = startNs + next(trackRateHz); t < startNs + durationNs; t += next(trackRateHz)) track(t);
        for (long t = startNs + next(darkRateHz); t < startNs + durationNs; t += next(darkRateHz)) {
            add(new RingFilter.Hit(random.nextInt(g.pixelsPerSide()), random.nextInt(g.pixelsPerSide()), t), null);
        }
        return this;
    }

    private long next(double rateHz) {
        return (long) Math.floor(-1e9 / rateHz * Math.log(1 - random.nextDouble()));
    }

    /** One track at time t with its photons. */
    void track(long t) {
        double half = g.pixelsPerSide() / 2.0 * g.pixelPitchMm();
        double x = half * (random.nextDouble() - 0.5), y = half * (random.nextDouble() - 0.5);
        double theta = Math.acos(1 - random.nextDouble() * (1 - Math.cos(Math.PI / 4)));
        double phi = 2 * Math.PI * random.nextDouble();
        track(t, x, y, theta, phi);
    }

    /** One track at time t, impact (x, y), direction (θ, φ). */
    void track(long t, double x, double y, double theta, double phi) {
        RingFilter.Track track = new RingFilter.Track(t, (float) x, (float) y, 0f,
                (float) (Math.sin(theta) * Math.cos(phi)), (float) (Math.sin(theta) * Math.sin(phi)), (float) Math.cos(theta));
        tracks.add(track);
        double n = g.refractiveIndex();
        double beta = 1 - g.betaSpread() * random.nextDouble();
        double vz = Math.cos(theta);
        double meanNpe = 50 * Math.max(0, (1 - 1 / (n * beta * n * beta)) / (1 - 1 / (n * n))) / vz;
        double thetaC0 = Math.acos(Math.min(1, 1 / (n * beta)));
        RichGeometry.TrackFrame frame = g.frame(x, y, Math.sin(theta) * Math.cos(phi), Math.sin(theta) * Math.sin(phi), vz);
        int photons = poisson(meanNpe), landed = 0;
        double edge = g.pixelsPerSide() * g.pixelPitchMm() / 2;
        for (int i = 0; i < photons; i++) {
            double thetaC = Math.max(0, thetaC0 + random.nextGaussian() * g.angularResolutionMrad() * 1e-3);
            double[] u = frame.direction(thetaC, 2 * Math.PI * random.nextDouble());
            if (u[2] <= 0) continue;
            double px = x + u[0] / u[2] * g.distanceMm(), py = y + u[1] / u[2] * g.distanceMm();
            if (Math.abs(px) >= edge || Math.abs(py) >= edge) continue;
            int ix = (int) Math.floor(px / g.pixelPitchMm() + g.pixelsPerSide() / 2.0);
            int iy = (int) Math.floor(py / g.pixelPitchMm() + g.pixelsPerSide() / 2.0);
            long time = t + Math.round(g.distanceMm() / (vz * RichGeometry.C_MM_PER_NS)
                    + (RichGeometry.DELAY_SIGMAS + random.nextGaussian()) * g.timeResolutionNs());
            if (add(new RingFilter.Hit(ix, iy, time), t)) landed++;
        }
        reached.put(t, landed);
    }

    private boolean add(RingFilter.Hit h, Long trackId) {
        if (!seen.add(h)) return false; // a hit's identity stays unique
        hits.add(h);
        if (trackId != null) truth.put(h, trackId);
        return true;
    }

    private int poisson(double mean) {
        double limit = Math.exp(-mean), p = 1;
        int k = 0;
        while ((p *= random.nextDouble()) > limit) k++;
        return k;
    }
}
