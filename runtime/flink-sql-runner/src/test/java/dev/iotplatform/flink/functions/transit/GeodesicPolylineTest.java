package dev.iotplatform.flink.functions.transit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Known-good values from GeographicLib 2.1 (Python, {@code geographiclib.geodesic.Geodesic.WGS84}): the segment is
 * {@code DirectLine(47.60, -122.33, azimuth 30°, 5000 m)}; each point is reached from the line's point at distance
 * x by a geodesic of the given length perpendicular to the line ({@code Direct} with azimuth ± 90° from the line's
 * azimuth there), so its orthogonal projection on the segment lies, by construction, at distance x along it.
 */
class GeodesicPolylineTest {
    private static final double[][] POINTS = { // x, offset (m, + = right of the line), lat, lon
        {0, 150, 47.599325420585664, -122.32827258677003},
        {1000, 200, 47.60688944613021, -122.32104667519236},
        {2500, -200, 47.62037154508509, -122.31567543077242},
        {2500, 50, 47.61924687601882, -122.31279562233264},
        {4000, -120, 47.63169367801002, -122.30477110040304},
        {4999, 30, 47.63879835252361, -122.2963917979291},
        {3000, 0, 47.62336588145683, -122.3100444072425},
    };

    @Test
    void projectsOntoA5KmGeodesicToWithinAFewMillimetres() {
        GeodesicPolyline segment = new GeodesicPolyline(
                new double[] {47.60, 47.63894115283442}, new double[] {-122.33, -122.29673079629328});
        assertEquals(5000.0, segment.length(), 1e-3);
        double worst = 0;
        for (double[] p : POINTS) {
            double error = Math.abs(segment.project(p[2], p[3]) - p[0]);
            worst = Math.max(worst, error);
            assertEquals(p[0], segment.project(p[2], p[3]), 0.01, "point at x=" + p[0] + ", offset " + p[1] + " m");
        }
        System.out.printf("GeodesicPolylineTest: worst projection error on a 5 km segment %.6f m%n", worst);
    }

    @Test
    void measuresGeodesicDistancesLikeGeographicLib() {
        assertEquals(14798.873280480986, Geodesy.distance(47.6, -122.33, 47.7, -122.2), 1e-3);
        assertEquals(14.226420707933546, Geodesy.distance(37.0, -122.0, 37.0001, -122.0001), 1e-6);
        assertEquals(9632341.016456127, Geodesy.distance(-33.9, 18.4, 51.5, -0.12), 1e-3);
        assertEquals(0.0, Geodesy.distance(37.0, -122.0, 37.0, -122.0));
    }

    @Test
    void aPointBeyondTheEndsProjectsOntoThemAndTheNearestSegmentWins() {
        // an L: 1 km north, then 1 km east, along the meridian and (nearly) the parallel of 47.6
        double north = 47.6 + 1000 / 111_200.0;
        GeodesicPolyline l = new GeodesicPolyline(new double[] {47.6, north, north}, new double[] {-122.33, -122.33, -122.3167});
        double first = Geodesy.distance(47.6, -122.33, north, -122.33);
        assertEquals(0.0, l.project(47.59, -122.33));                       // before the start
        assertEquals(l.length(), l.project(north, -122.30), 1e-9);          // past the end
        assertEquals(first, l.project(north + 0.001, -122.3301), 1e-6);     // outside the corner: the corner
        assertEquals(first + Geodesy.distance(north, -122.33, north, -122.325), l.project(north - 0.0001, -122.325), 0.05);
        assertEquals(0.0, new GeodesicPolyline(new double[] {47.6}, new double[] {-122.33}).project(47.7, -122.2));
    }
}
