// The contract's measures (docs/rich-data-contract.md, "Measures") of a trackless labelling: rings found from the
// hits alone (FIND_RICH_RINGS) belong to no track, so each ring is judged by its hits' truth. A ring is true when more
// than half of its hits truly belong to one track (that track then has a true ring), else fake. Efficiency = findable
// tracks with a true ring / findable tracks; fake rings per event = fake rings / tracks; hit precision and recall as
// in track mode. A track with two true rings (a flash split in two) counts once for the efficiency and no ring is fake.
import { measuresOf, type Measures, type RichRun } from './rich-measures.ts';

/**
 * ringOf[i]: the ring hit i is labelled with (any integer id per ring), or −1 for noise; hits in the run's order
 * (RichRun.hitOffset). Returns the measures with trueRings / fakeRings counted over the rings found.
 */
export function measureTrackless(run: RichRun, minRingHits: number, ringOf: Int32Array): Measures {
  const perTrack = new Int32Array(run.tracks.length);
  const rings = new Map<number, Map<number, number>>(); // ring → true track (−1: noise) → hits
  let labelled = 0, truePositive = 0;
  for (let i = 0; i < ringOf.length; i++) {
    const k = run.truth[i]!;
    if (k >= 0) perTrack[k]!++;
    const ring = ringOf[i]!;
    if (ring < 0) continue;
    labelled++;
    if (k >= 0) truePositive++;
    const tally = rings.get(ring) ?? new Map<number, number>();
    tally.set(k, (tally.get(k) ?? 0) + 1);
    rings.set(ring, tally);
  }
  const found = new Set<number>();
  let trueRings = 0, fakeRings = 0;
  for (const tally of rings.values()) {
    const size = [...tally.values()].reduce((a, b) => a + b, 0);
    const top = [...tally.entries()].filter(([k]) => k >= 0).sort((a, b) => b[1] - a[1])[0];
    if (top && 2 * top[1] > size) {
      trueRings++;
      found.add(top[0]);
    } else fakeRings++;
  }
  let findable = 0, foundTrue = 0;
  for (let k = 0; k < run.tracks.length; k++) {
    if (perTrack[k]! < minRingHits) continue;
    findable++;
    if (found.has(k)) foundTrue++;
  }
  return measuresOf(run, { labelled, truePositive, findable, foundTrue, trueRings, fakeRings });
}
