package dev.iotplatform.flink.functions.rich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TaubinCircleFitTest {
    private static TaubinCircleFit.Circle fit(double[][] points) {
        double[] x = new double[points.length], y = new double[points.length];
        for (int i = 0; i < points.length; i++) {
            x[i] = points[i][0];
            y[i] = points[i][1];
        }
        return TaubinCircleFit.fit(x, y, points.length);
    }

    @Test
    void pointsOnACircleGiveItsCentreAndRadius() {
        double[][] points = new double[17][];
        for (int i = 0; i < points.length; i++) {
            double a = 0.3 + 2 * Math.PI * i / points.length;
            points[i] = new double[] {-41.5 + 63.7 * Math.cos(a), 12.25 + 63.7 * Math.sin(a)};
        }
        TaubinCircleFit.Circle c = fit(points);
        assertEquals(-41.5, c.a(), 1e-9);
        assertEquals(12.25, c.b(), 1e-9);
        assertEquals(63.7, c.r(), 1e-9);
    }

    @Test
    void anArcOfAQuarterCircleToo() {
        double[][] points = new double[6][];
        for (int i = 0; i < points.length; i++) {
            double a = Math.PI / 2 * i / 5;
            points[i] = new double[] {5 + 20 * Math.cos(a), -7 + 20 * Math.sin(a)};
        }
        TaubinCircleFit.Circle c = fit(points);
        assertEquals(5, c.a(), 1e-9);
        assertEquals(-7, c.b(), 1e-9);
        assertEquals(20, c.r(), 1e-9);
    }

    /**
     * By hand: (±1, 0), (0, ±2) are symmetric in x and y, so Taubin's problem splits into blocks and its smallest
     * eigenvalue is that of the circle block, A·z + D with centre at the centroid: r² = mean(x² + y²) = 10/4.
     * (The lines x = 0 and y = 0 are the other blocks, with larger eigenvalues 1/2 and 2 against 9/40.)
     */
    @Test
    void aSymmetricSetNotOnACircleByHand() {
        TaubinCircleFit.Circle c = fit(new double[][] {{1, 0}, {-1, 0}, {0, 2}, {0, -2}});
        assertEquals(0, c.a(), 1e-12);
        assertEquals(0, c.b(), 1e-12);
        assertEquals(Math.sqrt(2.5), c.r(), 1e-12);
        // the same set moved and rotated by 30°: the fit moves with it
        double cos = Math.cos(Math.PI / 6), sin = Math.sin(Math.PI / 6);
        double[][] moved = {{1, 0}, {-1, 0}, {0, 2}, {0, -2}};
        for (double[] p : moved) {
            double x = p[0], y = p[1];
            p[0] = 100 + cos * x - sin * y;
            p[1] = -50 + sin * x + cos * y;
        }
        TaubinCircleFit.Circle m = fit(moved);
        assertEquals(100, m.a(), 1e-9);
        assertEquals(-50, m.b(), 1e-9);
        assertEquals(Math.sqrt(2.5), m.r(), 1e-9);
    }

    @Test
    void noisyPointsOfARingFitCloseToIt() {
        Random random = new Random(7);
        double[] x = new double[40], y = new double[40];
        for (int i = 0; i < 40; i++) {
            double a = 2 * Math.PI * random.nextDouble(), r = 64 + 2.4 * random.nextGaussian();
            x[i] = 3 + r * Math.cos(a);
            y[i] = -2 + r * Math.sin(a);
        }
        TaubinCircleFit.Circle c = TaubinCircleFit.fit(x, y, 40);
        assertEquals(3, c.a(), 1.5);
        assertEquals(-2, c.b(), 1.5);
        assertEquals(64, c.r(), 1.5);
    }

    @Test
    void degenerateInputIsRejected() {
        TaubinCircleFit.DegenerateInput few = assertThrows(TaubinCircleFit.DegenerateInput.class,
                () -> fit(new double[][] {{0, 0}, {1, 1}}));
        assertEquals("a circle fit needs at least 3 points, got 2", few.getMessage());
        TaubinCircleFit.DegenerateInput line = assertThrows(TaubinCircleFit.DegenerateInput.class,
                () -> fit(new double[][] {{0, 0}, {1, 0}, {2, 0}, {3, 0}}));
        assertEquals("no circle fits 4 points on one line", line.getMessage());
        assertThrows(TaubinCircleFit.DegenerateInput.class, () -> fit(new double[][] {{2, 2}, {2, 2}, {2, 2}}));
    }
}
