// The truth of a run (read only by tests and benchmarks, never by the pipeline): one JSON line per hit, in the
// order of hits.bin, {"ix":…,"iy":…,"timeNs":"…","trackId":"…"|null}; 64-bit values as decimal strings.
import type { SimHit } from './run.ts';

export function truthLine(hit: SimHit): string {
  return JSON.stringify({ ix: hit.ix, iy: hit.iy, timeNs: String(hit.timeNs), trackId: hit.trackId === null ? null : String(hit.trackId) });
}

/** The truth file's text for these hits (each line ends with a newline). */
export function truthLines(hits: readonly SimHit[]): string {
  return hits.map((h) => truthLine(h) + '\n').join('');
}

export function parseTruth(text: string): SimHit[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const o = JSON.parse(line) as { ix: number; iy: number; timeNs: string; trackId: string | null };
      return { ix: o.ix, iy: o.iy, timeNs: BigInt(o.timeNs), trackId: o.trackId === null ? null : BigInt(o.trackId) };
    });
}
