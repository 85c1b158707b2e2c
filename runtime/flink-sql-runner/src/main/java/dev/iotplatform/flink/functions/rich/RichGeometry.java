package dev.iotplatform.flink.functions.rich;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The RICH detector and ring-filter parameters (docs/rich-data-contract.md, names as the manifest's
 * {@code parameters}) and the geometry derived from them: pixel centres, the radial resolution σr, the Cherenkov
 * angle limits θmin/θmax and the track frame of the contract's step 1.
 */
public record RichGeometry(
        int pixelsPerSide,
        double pixelPitchMm,
        double distanceMm,
        double refractiveIndex,
        double betaSpread,
        double angularResolutionMrad,
        double timeResolutionNs,
        double timeWindowSigmas,
        double ringSigmas,
        int minRingHits) {
    /** Speed of light, mm/ns. */
    public static final double C_MM_PER_NS = 299.792458;
    /** The expected delay of a track's hits is this many σt after its flight time (the simulator's offset). */
    public static final double DELAY_SIGMAS = 10;

    public RichGeometry {
        require(pixelsPerSide > 0, "pixelsPerSide must be positive");
        require(pixelPitchMm > 0, "pixelPitchMm must be positive");
        require(distanceMm > 0, "distanceMm must be positive");
        require(refractiveIndex > 1, "refractiveIndex must be above 1");
        require(betaSpread >= 0 && betaSpread < 1, "betaSpread must be in [0, 1)");
        require(angularResolutionMrad >= 0, "angularResolutionMrad must not be negative");
        require(timeResolutionNs > 0, "timeResolutionNs must be positive");
        require(timeWindowSigmas >= 0, "timeWindowSigmas must not be negative");
        require(ringSigmas >= 0, "ringSigmas must not be negative");
        require(minRingHits >= 3, "minRingHits must be at least 3 (a circle needs three points)");
    }

    /** The contract's defaults. */
    public static RichGeometry defaults() {
        return new RichGeometry(240, 3, 200, 1.05, 0.02, 10, 1000, 3, 3, 5);
    }

    /**
     * The defaults with the given {@code name=value} pairs (commas between them, blanks ignored), e.g.
     * {@code "refractiveIndex=1.03, minRingHits=6"}; an empty or null spec gives the defaults. The simulator's
     * parameters ({@code photoElectrons}, {@code trackRateHz}, {@code darkRatePerPixelHz}) are accepted and ignored,
     * so that the manifest's parameters can be passed whole.
     */
    public static RichGeometry parse(String spec) {
        RichGeometry d = defaults();
        Map<String, Double> values = new HashMap<>();
        if (spec != null && !spec.isBlank()) {
            for (String pair : spec.split(",")) {
                String[] nv = pair.split("=", -1);
                String name = nv[0].trim();
                if (nv.length != 2 || !NAMES.contains(name) && !SIMULATOR_ONLY.contains(name)) {
                    throw new IllegalArgumentException("RICH parameters: '" + pair.trim() + "' is not name=value with a name of "
                            + String.join(", ", NAMES));
                }
                try {
                    values.put(name, Double.parseDouble(nv[1].trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("RICH parameters: " + name + " must be a number, not '" + nv[1].trim() + "'");
                }
            }
        }
        return new RichGeometry(
                whole("pixelsPerSide", values.get("pixelsPerSide"), d.pixelsPerSide()),
                or(values.get("pixelPitchMm"), d.pixelPitchMm()),
                or(values.get("distanceMm"), d.distanceMm()),
                or(values.get("refractiveIndex"), d.refractiveIndex()),
                or(values.get("betaSpread"), d.betaSpread()),
                or(values.get("angularResolutionMrad"), d.angularResolutionMrad()),
                or(values.get("timeResolutionNs"), d.timeResolutionNs()),
                or(values.get("timeWindowSigmas"), d.timeWindowSigmas()),
                or(values.get("ringSigmas"), d.ringSigmas()),
                whole("minRingHits", values.get("minRingHits"), d.minRingHits()));
    }

    private static final List<String> SIMULATOR_ONLY = List.of("photoElectrons", "trackRateHz", "darkRatePerPixelHz");
    private static final List<String> NAMES = List.of("pixelsPerSide", "pixelPitchMm", "distanceMm",
            "refractiveIndex", "betaSpread", "angularResolutionMrad", "timeResolutionNs", "timeWindowSigmas", "ringSigmas",
            "minRingHits");

    private static double or(Double value, double otherwise) {
        return value == null ? otherwise : value;
    }

    private static int whole(String name, Double value, int otherwise) {
        if (value == null) return otherwise;
        require(value == Math.rint(value) && Math.abs(value) <= Integer.MAX_VALUE, name + " must be a whole number");
        return value.intValue();
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException("RICH parameters: " + message);
    }

    /** Centre of pixel column ix (or row iy), mm. */
    public double pixelCentre(int index) {
        return (index + 0.5 - pixelsPerSide / 2.0) * pixelPitchMm;
    }

    /** θmax = acos(1/n): the Cherenkov angle at β = 1. */
    public double thetaMax() {
        return Math.acos(1 / refractiveIndex);
    }

    /** θmin = acos(min(1, 1/(n·(1 − betaSpread)))): the angle at the slowest β. */
    public double thetaMin() {
        return Math.acos(Math.min(1, 1 / (refractiveIndex * (1 - betaSpread))));
    }

    /** σr = sqrt((D·σθ/cos²θmax)² + pitch²/12), mm. */
    public double sigmaR() {
        double cos = Math.cos(thetaMax());
        double angular = distanceMm * angularResolutionMrad * 1e-3 / (cos * cos);
        return Math.sqrt(angular * angular + pixelPitchMm * pixelPitchMm / 12);
    }

    /** Smallest |q| of a candidate: D·tanθmin − k·σr. */
    public double minRadius() {
        return distanceMm * Math.tan(thetaMin()) - ringSigmas * sigmaR();
    }

    /** Largest |q| of a candidate: D·tanθmax + k·σr. */
    public double maxRadius() {
        return distanceMm * Math.tan(thetaMax()) + ringSigmas * sigmaR();
    }

    /** kt·σt: the half width of a track's time window, ns. */
    public double timeWindowNs() {
        return timeWindowSigmas * timeResolutionNs;
    }

    /** μ = D/(vz·c) + 10·σt for a unit direction's vz, ns. */
    public double meanDelayNs(double vz) {
        return distanceMm / (vz * C_MM_PER_NS) + DELAY_SIGMAS * timeResolutionNs;
    }

    /** The smallest μ − kt·σt of any track (vz ≤ 1): no hit earlier than this after a track can be its candidate. */
    public double smallestLeadNs() {
        return meanDelayNs(1) - timeWindowNs();
    }

    public TrackFrame frame(double x0, double y0, double vx, double vy, double vz) {
        return new TrackFrame(distanceMm, x0, y0, vx, vy, vz);
    }

    /** A hit's place in a track's frame: θh and q (mm). */
    public record FramePoint(double theta, double qx, double qy) {
        public double radius() {
            return Math.sqrt(qx * qx + qy * qy);
        }
    }

    /**
     * Step 1 of the contract: the frame of a track with impact (x0, y0, 0) and direction v (normalised here in double
     * precision). e1 = normalise(v × ẑ) when |v × ẑ| > 1e-9, else x̂; e2 = v × e1.
     */
    public static final class TrackFrame {
        private final double distance, x0, y0;
        private final double vx, vy, vz;
        private final double e1x, e1y, e1z, e2x, e2y, e2z;

        TrackFrame(double distance, double x0, double y0, double vx, double vy, double vz) {
            double norm = Math.sqrt(vx * vx + vy * vy + vz * vz);
            if (!(norm > 0) || !Double.isFinite(norm)) throw new IllegalArgumentException("track direction must be a finite non-zero vector");
            this.distance = distance;
            this.x0 = x0;
            this.y0 = y0;
            this.vx = vx / norm;
            this.vy = vy / norm;
            this.vz = vz / norm;
            // v × ẑ = (vy, −vx, 0)
            double cross = Math.sqrt(this.vy * this.vy + this.vx * this.vx);
            if (cross > 1e-9) {
                e1x = this.vy / cross;
                e1y = -this.vx / cross;
            } else {
                e1x = 1;
                e1y = 0;
            }
            e1z = 0;
            e2x = this.vy * e1z - this.vz * e1y;
            e2y = this.vz * e1x - this.vx * e1z;
            e2z = this.vx * e1y - this.vy * e1x;
        }

        /** The unit direction's z component. */
        public double vz() {
            return vz;
        }

        /** The point (hx, hy) of the detector plane (z = D) in this frame. */
        public FramePoint point(double hx, double hy) {
            double ux = hx - x0, uy = hy - y0, uz = distance;
            double norm = Math.sqrt(ux * ux + uy * uy + uz * uz);
            ux /= norm;
            uy /= norm;
            uz /= norm;
            double theta = Math.acos(Math.max(-1, Math.min(1, ux * vx + uy * vy + uz * vz)));
            double phi = Math.atan2(ux * e2x + uy * e2y + uz * e2z, ux * e1x + uy * e1y + uz * e1z);
            double r = distance * Math.tan(theta);
            return new FramePoint(theta, r * Math.cos(phi), r * Math.sin(phi));
        }

        /** A lab-frame unit direction at polar angle θ and azimuth φ around v (the inverse of {@link #point}'s angles). */
        public double[] direction(double theta, double phi) {
            double s = Math.sin(theta), c = Math.cos(theta), cp = Math.cos(phi), sp = Math.sin(phi);
            return new double[] {
                c * vx + s * (cp * e1x + sp * e2x),
                c * vy + s * (cp * e1y + sp * e2y),
                c * vz + s * (cp * e1z + sp * e2z)};
        }
    }
}
