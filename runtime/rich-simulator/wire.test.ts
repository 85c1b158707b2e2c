import { describe, expect, it } from 'vitest';
import { decodeHits, decodeTracks, encodeHits, encodeTracks, HIT_BYTES, TRACK_BYTES } from './wire.ts';

describe('wire records', () => {
  it('lays a track out as 6 big-endian float32 and two int64 (seconds, nanoseconds)', () => {
    const bytes = encodeTracks([{ x: 1.5, y: -2, z: 0, vx: 0, vy: 0.6, vz: 0.8, timeNs: 1_767_225_600_123_456_789n }]);
    expect(bytes.length).toBe(TRACK_BYTES);
    expect(bytes.readFloatBE(0)).toBe(1.5);
    expect(bytes.readFloatBE(4)).toBe(-2);
    expect(bytes.readFloatBE(20)).toBe(Math.fround(0.8));
    expect(bytes.readBigInt64BE(24)).toBe(1_767_225_600n);
    expect(bytes.readBigInt64BE(32)).toBe(123_456_789n);
  });

  it('lays a hit out as two big-endian int32 and two int64', () => {
    const bytes = encodeHits([{ ix: 239, iy: 7, timeNs: 5_000_000_001n }]);
    expect(bytes.length).toBe(HIT_BYTES);
    expect([bytes.readInt32BE(0), bytes.readInt32BE(4), bytes.readBigInt64BE(8), bytes.readBigInt64BE(16)]).toEqual([239, 7, 5n, 1n]);
  });

  it('round-trips records, float32 values as the wire carries them, times before 1970 too', () => {
    const tracks = [
      { x: 0.1, y: -179.99, z: 0, vx: 0.3, vy: -0.2, vz: Math.sqrt(0.87), timeNs: 1n },
      { x: 3, y: 4, z: 0, vx: 0, vy: 0, vz: 1, timeNs: -1_500_000_000n },
    ];
    const decoded = decodeTracks(encodeTracks(tracks));
    expect(decoded).toEqual(tracks.map((t) => ({ ...t, x: Math.fround(t.x), y: Math.fround(t.y), vx: Math.fround(t.vx), vy: Math.fround(t.vy), vz: Math.fround(t.vz) })));
    const negative = encodeTracks([tracks[1]!]);
    expect([negative.readBigInt64BE(24), negative.readBigInt64BE(32)]).toEqual([-2n, 500_000_000n]);
    const hits = [
      { ix: 0, iy: 0, timeNs: 0n },
      { ix: 120, iy: 239, timeNs: 9_223_372_036_854_775_807n },
    ];
    expect(decodeHits(encodeHits(hits))).toEqual(hits);
  });

  it('refuses a partial record', () => {
    expect(() => decodeHits(new Uint8Array(25))).toThrow(/not a whole number of 24-byte records/);
    expect(() => decodeTracks(new Uint8Array(39))).toThrow(/40-byte/);
  });
});
