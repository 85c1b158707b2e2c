// File output: a finite run as parameters.json, tracks.bin and hits.bin (concatenated wire records, time order)
// and truth.jsonl (one line per hit of hits.bin, same order).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simulateRun, type RunOptions } from './run.ts';
import { truthLines } from './truth.ts';
import { encodeHits, encodeTracks } from './wire.ts';

export interface FilesSummary {
  tracks: number;
  hits: number;
  signalHits: number;
  duplicatesDropped: number;
}

export function writeRunFiles(dir: string, options: RunOptions & { durationNs: number }): FilesSummary {
  const { tracks, hits, duplicatesDropped } = simulateRun(options);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'parameters.json'), JSON.stringify(options.parameters, null, 2) + '\n');
  writeFileSync(join(dir, 'tracks.bin'), encodeTracks(tracks));
  writeFileSync(join(dir, 'hits.bin'), encodeHits(hits));
  writeFileSync(join(dir, 'truth.jsonl'), truthLines(hits));
  return { tracks: tracks.length, hits: hits.length, signalHits: hits.filter((h) => h.trackId !== null).length, duplicatesDropped };
}
