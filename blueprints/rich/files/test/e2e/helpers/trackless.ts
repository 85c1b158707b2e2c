// Trackless mode (iot-platform.yaml declares no tracks event): Flink's FIND_RICH_RINGS finds rings from the hits
// alone, so no reference gives its labels row by row; rings.test.ts judges them against the fixture run's truth by
// the measures of docs/rich-data-contract.md of create-iot-platform ("Measures"), computed here. Pure: the
// platform's own tests use it too (hence no imports).

/** A stored label (rich_hits): the hit's time as a decimal string of ns, its ring's id when signal. */
export interface StoredLabel { ix: number; iy: number; timeNs: string; label: 'signal' | 'noise'; trackId: string | null }
/** A hit of the run's truth: its unshifted time and the track whose photon made it (null: a dark count). */
export interface TruthHit { ix: number; iy: number; timeNs: bigint; trackId: bigint | null }

export interface RingMeasures {
  /** Tracks with at least minRingHits true hits on the plane. */
  findableTracks: number;
  /** Rings more than half of whose hits truly belong to one track. */
  trueRings: number;
  fakeRings: number;
  /** Findable tracks with a true ring / findable tracks. */
  efficiency: number;
  /** True signal labelled signal / all labelled signal. */
  precision: number;
  /** True signal labelled signal / all true signal. */
  recall: number;
}

const keyOf = (timeNs: bigint | string, ix: number, iy: number) => `${timeNs}|${ix}|${iy}`;

/**
 * The contract's measures of stored labels (times shifted by `shift` ns) against the run's truth (unshifted). A ring
 * id stands for one ring; a track with two true rings counts once.
 */
export function measureRings(labels: StoredLabel[], truth: TruthHit[], shift: bigint, minRingHits: number): RingMeasures {
  const trackOf = new Map(truth.map((h): [string, string | null] => [keyOf(h.timeNs, h.ix, h.iy), h.trackId === null ? null : String(h.trackId)]));
  const hitsPerTrack = new Map<string, number>();
  for (const h of truth) if (h.trackId !== null) hitsPerTrack.set(String(h.trackId), (hitsPerTrack.get(String(h.trackId)) ?? 0) + 1);
  const trueSignal = [...hitsPerTrack.values()].reduce((a, b) => a + b, 0);

  const tallies = new Map<string, Map<string | null, number>>(); // ring id → true track (null: noise) → hits
  let labelledSignal = 0, truePositives = 0;
  for (const hit of labels) {
    if (hit.label !== 'signal') continue;
    const key = keyOf(BigInt(hit.timeNs) - shift, hit.ix, hit.iy);
    if (!trackOf.has(key)) throw new Error(`stored hit ${key} (unshifted) is not in the run`);
    const track = trackOf.get(key) ?? null;
    labelledSignal++;
    if (track !== null) truePositives++;
    const tally = tallies.get(hit.trackId!) ?? new Map<string | null, number>();
    tally.set(track, (tally.get(track) ?? 0) + 1);
    tallies.set(hit.trackId!, tally);
  }

  const tracksWithRing = new Set<string>();
  let trueRings = 0;
  for (const tally of tallies.values()) {
    const size = [...tally.values()].reduce((a, b) => a + b, 0);
    let top: [string, number] | undefined; // the true track with the most of the ring's hits
    for (const [track, hits] of tally) if (track !== null && (!top || hits > top[1])) top = [track, hits];
    if (!top || 2 * top[1] <= size) continue;
    trueRings++;
    tracksWithRing.add(top[0]);
  }
  const findable = [...hitsPerTrack].filter(([, hits]) => hits >= minRingHits).map(([track]) => track);
  return {
    findableTracks: findable.length,
    trueRings,
    fakeRings: tallies.size - trueRings,
    efficiency: findable.length === 0 ? 1 : findable.filter((t) => tracksWithRing.has(t)).length / findable.length,
    precision: labelledSignal === 0 ? 1 : truePositives / labelledSignal,
    recall: trueSignal === 0 ? 1 : truePositives / trueSignal,
  };
}
