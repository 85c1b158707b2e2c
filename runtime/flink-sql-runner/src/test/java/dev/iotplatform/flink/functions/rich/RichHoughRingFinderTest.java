package dev.iotplatform.flink.functions.rich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Trackless mode against the simulated truth, with the contract's measures (efficiency, fake rings per event). */
class RichHoughRingFinderTest {
    private static final RichGeometry G = RichGeometry.defaults();

    @Test
    void findsNineInTenFindableRingsWithFewFakesAtThe2KHzDarkRate() {
        RichSimulation sim = new RichSimulation(G, 99L).run(0, 30_000_000_000L, 10, 0.0347 * 240 * 240);
        List<HoughRingFinder.FoundRing> rings = new HoughRingFinder(G).find(sim.hits);
        Set<Long> foundTracks = new HashSet<>();
        int fakes = 0;
        Set<RingFilter.Hit> used = new HashSet<>();
        for (HoughRingFinder.FoundRing ring : rings) {
            Map<Long, Integer> byTrack = new HashMap<>();
            for (RingFilter.Hit h : ring.hits()) {
                assertTrue(used.add(h), "a hit in two rings");
                Long t = sim.truth.get(h);
                if (t != null) byTrack.merge(t, 1, Integer::sum);
            }
            Map.Entry<Long, Integer> top = byTrack.entrySet().stream().max(Map.Entry.comparingByValue()).orElse(null);
            if (top != null && 2 * top.getValue() > ring.hits().size()) foundTracks.add(top.getKey());
            else fakes++;
        }
        long findable = sim.tracks.stream().filter(t -> sim.reached.get(t.timeNs()) >= G.minRingHits()).count();
        long efficient = sim.tracks.stream()
                .filter(t -> sim.reached.get(t.timeNs()) >= G.minRingHits() && foundTracks.contains(t.trackId())).count();
        double efficiency = (double) efficient / findable, fakesPerEvent = (double) fakes / sim.tracks.size();
        assertTrue(findable > 250, "findable " + findable);
        assertTrue(efficiency >= 0.9, "efficiency " + efficiency);
        assertTrue(fakesPerEvent <= 0.3, "fake rings per event " + fakesPerEvent);
    }

    @Test
    void aRingAtNormalIncidenceIsFoundWithItsCentreAndRadius() {
        RichSimulation sim = new RichSimulation(G, 5L);
        sim.track(1_000_000, 30, -20, 0, 0);
        List<HoughRingFinder.FoundRing> rings = new HoughRingFinder(G).find(sim.hits);
        assertEquals(1, rings.size());
        HoughRingFinder.FoundRing r = rings.get(0);
        assertEquals(sim.hits.size(), r.hits().size());
        assertEquals(30, r.centreX(), 3);
        assertEquals(-20, r.centreY(), 3);
        assertTrue(r.radius() > 50 && r.radius() < 70, "radius " + r.radius());
    }
}
