// The wire records of docs/rich-data-contract.md, big-endian, no key:
//   rich.tracks.v1, 40 bytes: float32 x, y, z, vx, vy, vz; int64 timeSec; int64 timeNanosec
//   rich.hits.v1,   24 bytes: int32 ix, iy; int64 timeSec; int64 timeNanosec
// timeNs = timeSec·1e9 + timeNanosec with 0 ≤ timeNanosec < 1e9 (floor division, also before 1970).

export const TRACK_BYTES = 40;
export const HIT_BYTES = 24;

export interface WireTrack {
  x: number;
  y: number;
  z: number;
  vx: number;
  vy: number;
  vz: number;
  timeNs: bigint;
}

export interface WireHit {
  ix: number;
  iy: number;
  timeNs: bigint;
}

const NS = 1_000_000_000n;

function writeTime(view: DataView, offset: number, timeNs: bigint): void {
  const nanos = ((timeNs % NS) + NS) % NS;
  view.setBigInt64(offset, (timeNs - nanos) / NS);
  view.setBigInt64(offset + 8, nanos);
}

function readTime(view: DataView, offset: number): bigint {
  return view.getBigInt64(offset) * NS + view.getBigInt64(offset + 8);
}

/** Track records, concatenated. */
export function encodeTracks(tracks: readonly WireTrack[]): Buffer {
  const buffer = Buffer.alloc(tracks.length * TRACK_BYTES);
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.length);
  tracks.forEach((t, i) => {
    const at = i * TRACK_BYTES;
    [t.x, t.y, t.z, t.vx, t.vy, t.vz].forEach((value, k) => view.setFloat32(at + 4 * k, value));
    writeTime(view, at + 24, t.timeNs);
  });
  return buffer;
}

/** Hit records, concatenated. */
export function encodeHits(hits: readonly WireHit[]): Buffer {
  const buffer = Buffer.alloc(hits.length * HIT_BYTES);
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.length);
  hits.forEach((h, i) => {
    const at = i * HIT_BYTES;
    view.setInt32(at, h.ix);
    view.setInt32(at + 4, h.iy);
    writeTime(view, at + 8, h.timeNs);
  });
  return buffer;
}

function records(bytes: Uint8Array, size: number, kind: string): DataView {
  if (bytes.length % size !== 0) throw new Error(`${kind}: ${bytes.length} bytes is not a whole number of ${size}-byte records`);
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** Concatenated track records → tracks (the float32 values as doubles). */
export function decodeTracks(bytes: Uint8Array): WireTrack[] {
  const view = records(bytes, TRACK_BYTES, 'rich.tracks.v1');
  return Array.from({ length: bytes.length / TRACK_BYTES }, (_, i) => {
    const at = i * TRACK_BYTES;
    const [x, y, z, vx, vy, vz] = [0, 1, 2, 3, 4, 5].map((k) => view.getFloat32(at + 4 * k)) as number[];
    return { x: x!, y: y!, z: z!, vx: vx!, vy: vy!, vz: vz!, timeNs: readTime(view, at + 24) };
  });
}

/** Concatenated hit records → hits. */
export function decodeHits(bytes: Uint8Array): WireHit[] {
  const view = records(bytes, HIT_BYTES, 'rich.hits.v1');
  return Array.from({ length: bytes.length / HIT_BYTES }, (_, i) => {
    const at = i * HIT_BYTES;
    return { ix: view.getInt32(at), iy: view.getInt32(at + 4), timeNs: readTime(view, at + 8) };
  });
}
