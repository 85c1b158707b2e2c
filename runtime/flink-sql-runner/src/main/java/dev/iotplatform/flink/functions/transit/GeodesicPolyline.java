package dev.iotplatform.flink.functions.transit;

/**
 * A polyline of geodesic segments on the WGS84 ellipsoid, onto which points are projected orthogonally, giving the
 * distance along it.
 *
 * <p>The projection on one segment works in earth-centred cartesian space: the foot of the perpendicular from the
 * point to the chord A→B gives the fraction {@code t} of the segment, and the distance along is
 * {@code t · geodesic length(A, B)}. Why this is the geodesic projection to well under 0.5 m: over a segment of
 * length L the geodesic departs from its chord by the sagitta L²/8R (0.5 m at 5 km), a depth that is perpendicular
 * to the chord and so does not move the foot along it; the fraction along the chord and along the arc differ by
 * O((L/R)²), a few millimetres at 5 km; a point off the line by d moves the foot by O(d·L/R²). The test
 * GeodesicPolylineTest checks it against GeographicLib's geodesics on a 5 km segment.
 *
 * <p>The nearest segment wins (the first of equally near ones); a polyline of one point, or whose points coincide,
 * puts every point at 0.
 */
public final class GeodesicPolyline {
    private final double[][] ecef;
    private final double[] cumulative; // distance along the polyline at each vertex
    private final double[] lengths; // geodesic length of each segment

    public GeodesicPolyline(double[] lats, double[] lons) {
        int n = lats.length;
        ecef = new double[n][];
        cumulative = new double[n];
        lengths = new double[Math.max(0, n - 1)];
        for (int i = 0; i < n; i++) {
            ecef[i] = Geodesy.ecef(lats[i], lons[i]);
            if (i > 0) {
                lengths[i - 1] = Geodesy.distance(lats[i - 1], lons[i - 1], lats[i], lons[i]);
                cumulative[i] = cumulative[i - 1] + lengths[i - 1];
            }
        }
    }

    public double length() {
        return cumulative.length == 0 ? 0 : cumulative[cumulative.length - 1];
    }

    /** The distance along the polyline (metres) of the point nearest to (lat, lon). */
    public double project(double lat, double lon) {
        double[] p = Geodesy.ecef(lat, lon);
        double best = Double.POSITIVE_INFINITY, along = 0;
        for (int i = 0; i + 1 < ecef.length; i++) {
            if (lengths[i] == 0) continue;
            double[] a = ecef[i], b = ecef[i + 1];
            double abx = b[0] - a[0], aby = b[1] - a[1], abz = b[2] - a[2];
            double apx = p[0] - a[0], apy = p[1] - a[1], apz = p[2] - a[2];
            double t = (apx * abx + apy * aby + apz * abz) / (abx * abx + aby * aby + abz * abz);
            t = Math.max(0, Math.min(1, t));
            double dx = apx - t * abx, dy = apy - t * aby, dz = apz - t * abz;
            double d = dx * dx + dy * dy + dz * dz;
            if (d < best) {
                best = d;
                along = cumulative[i] + t * lengths[i];
            }
        }
        return along;
    }
}
