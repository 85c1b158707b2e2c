package dev.iotplatform.flink.functions.rich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RichGeometryTest {
    private final RichGeometry g = RichGeometry.defaults();

    @Test
    void derivedValuesOfTheDefaults() {
        assertEquals(2.369, g.sigmaR(), 5e-4); // the contract's value
        assertEquals(Math.acos(1 / 1.05), g.thetaMax(), 1e-15);
        assertEquals(Math.acos(1 / (1.05 * 0.98)), g.thetaMin(), 1e-15);
        assertEquals(-358.5, g.pixelCentre(0), 1e-12);
        assertEquals(1.5, g.pixelCentre(120), 1e-12);
        assertEquals(358.5, g.pixelCentre(239), 1e-12);
        assertEquals(200 / 299.792458 + 10_000, g.meanDelayNs(1), 1e-9);
    }

    @Test
    void aNormalTrackSeesAPixelAtItsOwnPolarAngleAndAzimuth() {
        RichGeometry.TrackFrame f = g.frame(0, 0, 0, 0, 1); // v = ẑ: e1 = x̂, e2 = ŷ
        RichGeometry.FramePoint p = f.point(30, 40);
        assertEquals(Math.atan(50 / 200.0), p.theta(), 1e-15);
        assertEquals(30, p.qx(), 1e-12);
        assertEquals(40, p.qy(), 1e-12);
    }

    @Test
    void anInclinedTracksRingIsAnEllipseOnThePlaneButACircleOfRadiusDTanThetaInTheTrackFrame() {
        double inclination = Math.toRadians(40), azimuth = 0.7, thetaC = Math.acos(1 / 1.05);
        double vx = Math.sin(inclination) * Math.cos(azimuth), vy = Math.sin(inclination) * Math.sin(azimuth);
        RichGeometry.TrackFrame f = g.frame(12, -30, vx, vy, Math.cos(inclination));
        double nearest = Double.MAX_VALUE, farthest = 0;
        for (int i = 0; i < 72; i++) {
            double[] u = f.direction(thetaC, 2 * Math.PI * i / 72);
            double px = 12 + u[0] / u[2] * 200, py = -30 + u[1] / u[2] * 200;
            double fromImpact = Math.hypot(px - 12, py + 30);
            nearest = Math.min(nearest, fromImpact);
            farthest = Math.max(farthest, fromImpact);
            RichGeometry.FramePoint p = f.point(px, py);
            assertEquals(thetaC, p.theta(), 1e-12);
            assertEquals(200 * Math.tan(thetaC), p.radius(), 1e-9);
            assertEquals(2 * Math.PI * i / 72, (Math.atan2(p.qy(), p.qx()) + 2 * Math.PI) % (2 * Math.PI), 1e-9);
        }
        assertTrue(farthest - nearest > 50, "on the plane the ring is far from a circle around the impact: "
                + nearest + " to " + farthest + " mm");
    }

    @Test
    void parametersOutOfRangeAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RichGeometry(240, 3, 200, 1.05, 0.02, 10, 1000, 3, 3, 2));
        assertEquals("RICH parameters: minRingHits must be at least 3 (a circle needs three points)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RichGeometry(240, 3, 200, 1.0, 0.02, 10, 1000, 3, 3, 5));
    }

    @Test
    void parametersParseFromNameValuePairsOverTheDefaults() {
        assertEquals(g, RichGeometry.parse(""));
        assertEquals(g, RichGeometry.parse(null));
        RichGeometry p = RichGeometry.parse(" refractiveIndex = 1.03, minRingHits=6,timeResolutionNs=500, trackRateHz=20 ");
        assertEquals(new RichGeometry(240, 3, 200, 1.03, 0.02, 10, 500, 3, 3, 6), p);
        assertEquals("RICH parameters: 'index=1.03' is not name=value with a name of pixelsPerSide, pixelPitchMm, distanceMm,"
                + " refractiveIndex, betaSpread, angularResolutionMrad, timeResolutionNs, timeWindowSigmas, ringSigmas, minRingHits",
                assertThrows(IllegalArgumentException.class, () -> RichGeometry.parse("index=1.03")).getMessage());
        assertEquals("RICH parameters: minRingHits must be a whole number",
                assertThrows(IllegalArgumentException.class, () -> RichGeometry.parse("minRingHits=5.5")).getMessage());
        assertEquals("RICH parameters: distanceMm must be a number, not 'far'",
                assertThrows(IllegalArgumentException.class, () -> RichGeometry.parse("distanceMm=far")).getMessage());
    }
}
