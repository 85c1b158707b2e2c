// Replay of recorded GTFS-RT snapshots: the .pb files of a folder, in file-name order (recorders name them by
// time), served byte for byte. Files named trip-updates* form the trip-updates feed, the others the vehicle
// positions. Slot n serves the n-th file; after the last, the last stays (or, looping, the first comes again).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodeGtfsRtVehiclePositions } from '../ingest-gateway/decoders/gtfs-rt.ts';
import { DecodeError } from '../ingest-gateway/decoders/decode-error.ts';
import type { Snapshot } from './feed-server.ts';

export interface RecordedFeeds {
  vehiclePositions: Snapshot[];
  tripUpdates: Snapshot[];
}

function snapshot(file: string): Snapshot {
  const body = new Uint8Array(readFileSync(file));
  try {
    const header = decodeGtfsRtVehiclePositions(body).headerTimestampMs;
    return { body, modifiedMs: header ?? statSync(file).mtimeMs };
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
    throw new Error(`${file}: not a GTFS-RT FeedMessage (${error.message}); remove it from the replay folder`);
  }
}

export function readRecordedFeeds(folder: string): RecordedFeeds {
  let names: string[];
  try {
    names = readdirSync(folder).filter((name) => name.endsWith('.pb')).sort();
  } catch {
    throw new Error(`${folder}: cannot read the replay folder; pass a folder of recorded .pb snapshots`);
  }
  if (names.length === 0) throw new Error(`${folder}: no .pb files to replay; pass a folder of recorded GTFS-RT snapshots`);
  const feeds: RecordedFeeds = { vehiclePositions: [], tripUpdates: [] };
  for (const name of names) (name.startsWith('trip-updates') ? feeds.tripUpdates : feeds.vehiclePositions).push(snapshot(join(folder, name)));
  return feeds;
}

/** The snapshot of a slot: the n-th, held at the last or looped. */
export function replaySlot(snapshots: Snapshot[], slot: number, loop: boolean): Snapshot {
  return snapshots[loop ? slot % snapshots.length : Math.min(slot, snapshots.length - 1)]!;
}
