package dev.iotplatform.flink.functions.transit;

/**
 * WGS84 geodesy for arrival detection: geodesic distances (Vincenty's inverse formula, sub-millimetre on the
 * ellipsoid) and earth-centred cartesian coordinates.
 */
public final class Geodesy {
    static final double A = 6378137.0;
    static final double F = 1 / 298.257223563;
    static final double B = A * (1 - F);
    private static final double E2 = F * (2 - F);

    private Geodesy() {}

    /** The geodesic distance in metres between two points on the WGS84 ellipsoid (degrees). */
    public static double distance(double lat1, double lon1, double lat2, double lon2) {
        if (lat1 == lat2 && lon1 == lon2) return 0;
        double l = Math.toRadians(lon2 - lon1);
        double u1 = Math.atan((1 - F) * Math.tan(Math.toRadians(lat1)));
        double u2 = Math.atan((1 - F) * Math.tan(Math.toRadians(lat2)));
        double sinU1 = Math.sin(u1), cosU1 = Math.cos(u1), sinU2 = Math.sin(u2), cosU2 = Math.cos(u2);
        double lambda = l, sinSigma, cosSigma, sigma, cos2Alpha, cos2SigmaM;
        for (int i = 0; ; i++) {
            double sinLambda = Math.sin(lambda), cosLambda = Math.cos(lambda);
            double x = cosU2 * sinLambda, y = cosU1 * sinU2 - sinU1 * cosU2 * cosLambda;
            sinSigma = Math.sqrt(x * x + y * y);
            if (sinSigma == 0) return 0;
            cosSigma = sinU1 * sinU2 + cosU1 * cosU2 * cosLambda;
            sigma = Math.atan2(sinSigma, cosSigma);
            double sinAlpha = cosU1 * cosU2 * sinLambda / sinSigma;
            cos2Alpha = 1 - sinAlpha * sinAlpha;
            cos2SigmaM = cos2Alpha == 0 ? 0 : cosSigma - 2 * sinU1 * sinU2 / cos2Alpha; // equatorial line: 0
            double c = F / 16 * cos2Alpha * (4 + F * (4 - 3 * cos2Alpha));
            double previous = lambda;
            lambda = l + (1 - c) * F * sinAlpha
                    * (sigma + c * sinSigma * (cos2SigmaM + c * cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)));
            if (Math.abs(lambda - previous) < 1e-12) break;
            // only nearly antipodal points fail to converge; a transit shape never has such a segment
            if (i > 200) throw new ArithmeticException("geodesic distance did not converge (nearly antipodal points)");
        }
        double uSq = cos2Alpha * (A * A - B * B) / (B * B);
        double bigA = 1 + uSq / 16384 * (4096 + uSq * (-768 + uSq * (320 - 175 * uSq)));
        double bigB = uSq / 1024 * (256 + uSq * (-128 + uSq * (74 - 47 * uSq)));
        double deltaSigma = bigB * sinSigma * (cos2SigmaM + bigB / 4 * (cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)
                - bigB / 6 * cos2SigmaM * (-3 + 4 * sinSigma * sinSigma) * (-3 + 4 * cos2SigmaM * cos2SigmaM)));
        return B * bigA * (sigma - deltaSigma);
    }

    /** Earth-centred, earth-fixed cartesian coordinates (metres) of a point on the ellipsoid's surface. */
    public static double[] ecef(double lat, double lon) {
        double phi = Math.toRadians(lat), lambda = Math.toRadians(lon);
        double sinPhi = Math.sin(phi), cosPhi = Math.cos(phi);
        double n = A / Math.sqrt(1 - E2 * sinPhi * sinPhi);
        return new double[] {n * cosPhi * Math.cos(lambda), n * cosPhi * Math.sin(lambda), n * (1 - E2) * sinPhi};
    }
}
