package dev.iotplatform.flink.functions.rich;

/**
 * Taubin's algebraic circle fit in the form N. Chernov gives it ({@code CircleFitByTaubin}): moments of the points
 * centred on their centroid, then Newton's method on the characteristic polynomial of the fit's generalised
 * eigenproblem, started at 0, for its smallest root η; the circle follows from η in closed form.
 */
public final class TaubinCircleFit {
    /** Newton steps at most (the root is usually reached in a handful). */
    static final int MAX_ITERATIONS = 99;

    private TaubinCircleFit() {}

    /** A fitted circle: centre (a, b) and radius r. */
    public record Circle(double a, double b, double r) {
        /** The point's signed distance from the circle, |p − (a, b)| − r. */
        public double residual(double x, double y) {
            double dx = x - a, dy = y - b;
            return Math.sqrt(dx * dx + dy * dy) - r;
        }
    }

    /** Thrown for input no circle fits: fewer than three points, or points on one line (or all equal). */
    public static final class DegenerateInput extends IllegalArgumentException {
        DegenerateInput(String message) {
            super(message);
        }
    }

    /** The circle through the first {@code n} points (x[i], y[i]). */
    public static Circle fit(double[] x, double[] y, int n) {
        if (n < 3) throw new DegenerateInput("a circle fit needs at least 3 points, got " + n);
        double meanX = 0, meanY = 0;
        for (int i = 0; i < n; i++) {
            meanX += x[i];
            meanY += y[i];
        }
        meanX /= n;
        meanY /= n;
        double mxx = 0, myy = 0, mxy = 0, mxz = 0, myz = 0, mzz = 0;
        for (int i = 0; i < n; i++) {
            double xi = x[i] - meanX, yi = y[i] - meanY, zi = xi * xi + yi * yi;
            mxy += xi * yi;
            mxx += xi * xi;
            myy += yi * yi;
            mxz += xi * zi;
            myz += yi * zi;
            mzz += zi * zi;
        }
        mxx /= n;
        myy /= n;
        mxy /= n;
        mxz /= n;
        myz /= n;
        mzz /= n;

        double mz = mxx + myy;
        double covXY = mxx * myy - mxy * mxy;
        double varZ = mzz - mz * mz;
        double a3 = 4 * mz;
        double a2 = -3 * mz * mz - mzz;
        double a1 = varZ * mz + 4 * covXY * mz - mxz * mxz - myz * myz;
        double a0 = mxz * (mxz * myy - myz * mxy) + myz * (myz * mxx - mxz * mxy) - varZ * covXY;
        double a22 = a2 + a2, a33 = a3 + a3 + a3;

        double eta = 0, p = a0;
        for (int i = 0; i < MAX_ITERATIONS; i++) {
            double slope = a1 + eta * (a22 + a33 * eta);
            double next = eta - p / slope;
            if (next == eta || !Double.isFinite(next)) break;
            double pNext = a0 + next * (a1 + next * (a2 + next * a3));
            if (Math.abs(pNext) >= Math.abs(p)) break;
            eta = next;
            p = pNext;
        }

        double det = eta * eta - eta * mz + covXY;
        double cx = (mxz * (myy - eta) - myz * mxy) / det / 2;
        double cy = (myz * (mxx - eta) - mxz * mxy) / det / 2;
        double r = Math.sqrt(cx * cx + cy * cy + mz);
        if (!(det != 0) || !Double.isFinite(cx) || !Double.isFinite(cy) || !Double.isFinite(r)) {
            throw new DegenerateInput("no circle fits " + n + " points on one line");
        }
        return new Circle(cx + meanX, cy + meanY, r);
    }
}
