package dev.iotplatform.flink.functions.rich;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RichRingFilterTest {
    private static final RichGeometry G = RichGeometry.defaults();
    private static final RingFilter FILTER = new RingFilter(G);
    /** The defaults with kt = k = 1.2 (timeWindowSigmas, ringSigmas): cuts for a dark rate of 10 kHz per pixel. */
    private static final RichGeometry TIGHT = new RichGeometry(240, 3, 200, 1.05, 0.02, 10, 1000, 1.2, 1.2, 5);
    private static final double RADIUS = G.distanceMm() * Math.tan(G.thetaMax()); // β = 1

    /** A track at normal incidence through (x, y) at time t. */
    private static RingFilter.Track normal(long t, float x, float y) {
        return new RingFilter.Track(t, x, y, 0, 0, 0, 1);
    }

    /** The hits of pixels on a β = 1 ring of a normal track, at angles start + i·step, arriving at t + μ. */
    private static List<RingFilter.Hit> ring(RingFilter.Track t, int count, double start, double step) {
        List<RingFilter.Hit> hits = new ArrayList<>();
        long time = t.timeNs() + Math.round(G.meanDelayNs(1));
        for (int i = 0; i < count; i++) {
            double a = start + i * step;
            hits.add(new RingFilter.Hit(pixel(t.x() + RADIUS * Math.cos(a)), pixel(t.y() + RADIUS * Math.sin(a)), time + i));
        }
        return hits;
    }

    private static int pixel(double mm) {
        return (int) Math.floor(mm / G.pixelPitchMm() + G.pixelsPerSide() / 2.0);
    }

    @Test
    void recallAndPrecisionOnSimulatedRunsWithTheDefault2KHzDarkRate() {
        RichSimulation sim = new RichSimulation(G, 20260302L).run(1_000_000_000L, 20_000_000_000L, 10, 0.0347 * 240 * 240);
        List<RingFilter.Hit> hits = new ArrayList<>(sim.hits);
        Collections.shuffle(hits, new Random(1)); // the answer does not depend on the input order
        RingFilter.Result result = FILTER.run(sim.tracks, hits);
        int trueSignal = 0, labelledSignal = 0, right = 0;
        for (int i = 0; i < hits.size(); i++) {
            Long truth = sim.truth.get(hits.get(i)), label = result.trackOf()[i];
            if (truth != null) trueSignal++;
            if (label != null) labelledSignal++;
            if (label != null && label.equals(truth)) right++;
        }
        double recall = (double) right / trueSignal, precision = (double) right / labelledSignal;
        assertTrue(sim.tracks.size() > 150 && trueSignal > 5000, sim.tracks.size() + " tracks, " + trueSignal + " signal hits");
        assertTrue(recall >= 0.95, "recall " + recall);
        assertTrue(precision >= 0.95, "precision " + precision);
        // every findable track has its ring, near the radius of its β
        long findable = sim.tracks.stream().filter(t -> sim.reached.get(t.timeNs()) >= G.minRingHits()).count();
        long found = result.rings().stream().filter(RingFilter.Ring::found).count();
        assertTrue(found >= 0.95 * findable, found + " rings of " + findable + " findable tracks");
        for (RingFilter.Ring r : result.rings()) {
            if (!r.found()) continue;
            assertTrue(r.beta() > 0.95 && r.beta() < 1.03, "β " + r.beta());
            assertEquals(r.hits() - 3, r.ndf());
        }
    }

    @Test
    void theFitStartsFromTheFullestRadialBandSoDarkHitsDoNotPullItOffTheRing() {
        // a β = 1 ring of 24 hits and, at the same time, 100 dark hits spread evenly over the candidate annulus, with
        // the tight cuts of a noisy detector (k = 1.2): a fit of all the candidates sits between the ring and the
        // annulus's middle, and its band misses the ring; the seed (the fullest band of width 2kσr around the
        // expected centre) holds the ring
        RingFilter filter = new RingFilter(TIGHT);
        RingFilter.Track t = normal(3_000_000, 0f, 0f);
        List<RingFilter.Hit> hits = new ArrayList<>(ring(t, 24, 0, Math.PI / 12));
        long onTime = t.timeNs() + Math.round(G.meanDelayNs(1));
        Random random = new Random(7);
        double inner = TIGHT.minRadius(), outer = TIGHT.maxRadius();
        for (int i = 0; i < 100; i++) {
            double r = Math.sqrt(inner * inner + random.nextDouble() * (outer * outer - inner * inner));
            double a = 2 * Math.PI * random.nextDouble();
            hits.add(new RingFilter.Hit(pixel(r * Math.cos(a)), pixel(r * Math.sin(a)), onTime + 30 + i));
        }
        RingFilter.Result result = filter.run(List.of(t), hits);
        RingFilter.Ring ring = result.rings().get(0);
        assertTrue(ring.found());
        assertEquals(RADIUS, ring.radius(), TIGHT.sigmaR());
        for (int i = 0; i < 24; i++) assertEquals(t.trackId(), result.trackOf()[i], "ring hit " + i);
    }

    @Test
    void atTenKilohertzDarkRatePerPixelTighterCutsFindTheRings() {
        // 10 kHz per pixel is 576 MHz of dark hits on the plane; kt = k = 1.2 (the manifest's timeWindowSigmas and
        // ringSigmas) keep a ring's band more the ring's than the noise's. The contract's measures: a found ring is
        // true when more than half of its hits are its track's.
        RichSimulation sim = new RichSimulation(TIGHT, 20261203L).run(1_000_000_000L, 1_000_000L, 40_000, 10_000.0 * 240 * 240);
        RingFilter.Result result = new RingFilter(TIGHT).run(sim.tracks, sim.hits);
        Map<Long, Integer> own = new HashMap<>(); // per track: its hits labelled with it
        for (int i = 0; i < sim.hits.size(); i++) {
            Long label = result.trackOf()[i];
            if (label != null && label.equals(sim.truth.get(sim.hits.get(i)))) own.merge(label, 1, Integer::sum);
        }
        int findable = 0, trueRings = 0, fakeRings = 0;
        for (RingFilter.Ring r : result.rings()) {
            if (sim.reached.get(r.trackId()) >= TIGHT.minRingHits()) findable++;
            if (!r.found()) continue;
            if (2 * own.getOrDefault(r.trackId(), 0) > r.hits()) trueRings++;
            else fakeRings++;
        }
        assertTrue(sim.tracks.size() >= 25 && sim.hits.size() > 500_000, sim.tracks.size() + " tracks, " + sim.hits.size() + " hits");
        assertTrue(trueRings >= 0.95 * findable, trueRings + " true rings of " + findable + " findable tracks");
        assertTrue(fakeRings <= 0.3 * sim.tracks.size(), fakeRings + " fake rings of " + sim.tracks.size() + " tracks");
    }

    @Test
    void aHitClaimedByTwoRingsGoesToTheSmallerResidualAndATieToTheEarlierTrack() {
        // two rings that cross; 12 hits each, and a hit near a crossing claimed by both
        RingFilter.Track a = normal(1_000_000, -30f, 0f), b = normal(1_000_400, 30f, 0f);
        List<RingFilter.Hit> hits = new ArrayList<>(ring(a, 12, 0.1, Math.PI / 6));
        hits.addAll(ring(b, 12, 0.2, Math.PI / 6));
        double y = Math.sqrt(RADIUS * RADIUS - 30 * 30); // the upper crossing, at x = 0
        RingFilter.Hit shared = new RingFilter.Hit(pixel(0.7), pixel(y), 1_000_000 + Math.round(G.meanDelayNs(1)) + 200);
        hits.add(shared);
        RingFilter.Result result = FILTER.run(List.of(b, a), hits);
        RingFilter.Ring ra = result.rings().get(0), rb = result.rings().get(1);
        assertEquals(a.trackId(), ra.trackId());
        assertTrue(ra.found() && rb.found());
        double hx = G.pixelCentre(shared.ix()), hy = G.pixelCentre(shared.iy());
        double residualA = Math.abs(Math.hypot(hx + 30 - ra.centreX(), hy - ra.centreY()) - ra.radius());
        double residualB = Math.abs(Math.hypot(hx - 30 - rb.centreX(), hy - rb.centreY()) - rb.radius());
        assertTrue(Math.abs(residualA - residualB) > 1e-3, residualA + " " + residualB);
        long winner = residualA < residualB ? a.trackId() : b.trackId();
        assertEquals(winner, result.trackOf()[hits.size() - 1]);
        assertEquals(13, (winner == a.trackId() ? ra : rb).hits());
        assertEquals(12, (winner == a.trackId() ? rb : ra).hits());

        // the same track twice, 300 ns apart: equal residuals everywhere, the earlier takes every hit; the later
        // keeps its fit, with no hits
        RingFilter.Track early = normal(2_000_000, 10f, 20f), late = normal(2_000_300, 10f, 20f);
        List<RingFilter.Hit> same = ring(early, 10, 0, Math.PI / 5);
        RingFilter.Result tie = FILTER.run(List.of(late, early), same);
        for (Long label : tie.trackOf()) assertEquals(early.trackId(), label);
        RingFilter.Ring first = tie.rings().get(0), second = tie.rings().get(1);
        assertEquals(10, first.hits());
        assertTrue(second.found());
        assertEquals(0, second.hits());
        assertEquals(-3, second.ndf());
        assertEquals(0.0, second.chi2());
        assertEquals(first.radius(), second.radius());
    }

    @Test
    void aTrackWithTooFewCandidatesHasNoRingAndItsHitsAreNoise() {
        RingFilter.Track t = normal(5_000_000, 0f, 0f);
        List<RingFilter.Hit> hits = ring(t, 4, 0, Math.PI / 2);
        RingFilter.Result result = FILTER.run(List.of(t), hits);
        assertArrayEquals(new Long[4], result.trackOf());
        assertEquals(List.of(new RingFilter.Ring(t.trackId(), false, 0, null, null, null, null, null, null, null)), result.rings());
        // five hits make a ring
        RingFilter.Result five = FILTER.run(List.of(t), ring(t, 5, 0, Math.PI / 2.5));
        assertTrue(five.rings().get(0).found());
        assertEquals(5, five.rings().get(0).hits());
    }

    @Test
    void hitsFarFromEveryTrackInTimeOrOnThePlaneAreNoise() {
        RingFilter.Track t = normal(7_000_000, 0f, 0f);
        List<RingFilter.Hit> hits = new ArrayList<>(ring(t, 20, 0, Math.PI / 10));
        long onTime = t.timeNs() + Math.round(G.meanDelayNs(1));
        hits.add(new RingFilter.Hit(pixel(0), pixel(0), onTime));            // at the ring's centre
        hits.add(new RingFilter.Hit(pixel(150), pixel(150), onTime));        // far outside it
        hits.add(new RingFilter.Hit(pixel(RADIUS), pixel(0), onTime + 4000)); // on it, 4σt late
        hits.add(new RingFilter.Hit(pixel(-RADIUS), pixel(0), onTime - 4000)); // on it, 4σt early
        hits.add(new RingFilter.Hit(5, 5, 1_000));                            // long before any track
        RingFilter.Result result = FILTER.run(List.of(t), hits);
        for (int i = 0; i < 20; i++) assertEquals(t.trackId(), result.trackOf()[i]);
        for (int i = 20; i < hits.size(); i++) assertNull(result.trackOf()[i], "hit " + hits.get(i));
        assertEquals(20, result.rings().get(0).hits());
        assertEquals(RADIUS, result.rings().get(0).radius(), 1.0);
        // no track at all: all noise
        RingFilter.Result none = FILTER.run(List.of(), hits);
        for (Long label : none.trackOf()) assertNull(label);
        assertTrue(none.rings().isEmpty());
    }

    @Test
    void aTrackPointingAwayFromThePlaneHasNoCandidates() {
        RingFilter.Track away = new RingFilter.Track(9_000_000, 0f, 0f, 0f, 0.6f, 0f, -0.8f);
        long[] window = FILTER.window(away);
        assertTrue(window[0] > window[1]);
        assertFalse(FILTER.run(List.of(away), List.of(new RingFilter.Hit(1, 1, 9_010_000))).rings().get(0).found());
    }
}
