import { describe, expect, it } from 'vitest';
import { DecodeError } from './decode-error.ts';
import { checkLayout } from '../../../manifest/fixed-width-layout.ts';
import { decodeFixedWidth, type FixedWidthLayout } from './fixed-width.ts';

// RICH HitStream (prior demo, rich-gen): 24 bytes big-endian = int ix, int iy, long timeSec, long timeNanosec.
const HIT_STREAM: FixedWidthLayout = {
  recordBytes: 24,
  byteOrder: 'big',
  columns: [
    { field: 'ix', offset: 0, type: 'int32' },
    { field: 'iy', offset: 4, type: 'int32' },
    { field: 'timeSec', offset: 8, type: 'int64' },
    { field: 'timeNanosec', offset: 16, type: 'int64' },
  ],
};

interface Hit {
  ix: number;
  iy: number;
  timeSec: bigint;
  timeNanosec: bigint;
}

/** Hits as the Java simulator writes them (DataOutputStream: big-endian). */
function hitStream(hits: Hit[]): Uint8Array {
  const view = new DataView(new ArrayBuffer(24 * hits.length));
  hits.forEach((hit, i) => {
    view.setInt32(i * 24, hit.ix);
    view.setInt32(i * 24 + 4, hit.iy);
    view.setBigInt64(i * 24 + 8, hit.timeSec);
    view.setBigInt64(i * 24 + 16, hit.timeNanosec);
  });
  return new Uint8Array(view.buffer);
}

function decodeError(payload: Uint8Array, layout: FixedWidthLayout): string {
  try {
    decodeFixedWidth(payload, layout);
  } catch (error) {
    expect(error).toBeInstanceOf(DecodeError);
    return (error as Error).message;
  }
  throw new Error('expected a DecodeError');
}

describe('decodeFixedWidth', () => {
  it('decodes RICH HitStream records exactly', () => {
    const payload = hitStream([
      { ix: 0, iy: 239, timeSec: 1_777_777_777n, timeNanosec: 999_999_999n },
      { ix: 120, iy: 17, timeSec: 1_777_777_778n, timeNanosec: 0n },
      { ix: -1, iy: 2_147_483_647, timeSec: -5n, timeNanosec: 123n },
    ]);
    expect(decodeFixedWidth(payload, HIT_STREAM)).toEqual([
      { ix: 0, iy: 239, timeSec: 1_777_777_777, timeNanosec: 999_999_999 },
      { ix: 120, iy: 17, timeSec: 1_777_777_778, timeNanosec: 0 },
      { ix: -1, iy: 2_147_483_647, timeSec: -5, timeNanosec: 123 },
    ]);
  });

  it('decodes an empty payload to no records', () => {
    expect(decodeFixedWidth(new Uint8Array(0), HIT_STREAM)).toEqual([]);
  });

  it('reads a payload that is a slice of a larger buffer (as Kafka and MQTT hand them over)', () => {
    const hits = hitStream([{ ix: 7, iy: 8, timeSec: 9n, timeNanosec: 10n }]);
    const backing = Buffer.concat([Buffer.from([0xaa, 0xbb, 0xcc]), hits]);
    expect(decodeFixedWidth(backing.subarray(3), HIT_STREAM)).toEqual([{ ix: 7, iy: 8, timeSec: 9, timeNanosec: 10 }]);
  });

  it('reads every column type in both byte orders', () => {
    const columns: FixedWidthLayout['columns'] = [
      { field: 'i8', offset: 0, type: 'int8' },
      { field: 'u8', offset: 1, type: 'uint8' },
      { field: 'i16', offset: 2, type: 'int16' },
      { field: 'u16', offset: 4, type: 'uint16' },
      { field: 'i32', offset: 6, type: 'int32' },
      { field: 'u32', offset: 10, type: 'uint32' },
      { field: 'i64', offset: 14, type: 'int64' },
      { field: 'u64', offset: 22, type: 'uint64' },
      { field: 'f32', offset: 30, type: 'float32' },
      { field: 'f64', offset: 34, type: 'float64' },
    ];
    for (const byteOrder of ['big', 'little'] as const) {
      const le = byteOrder === 'little';
      const view = new DataView(new ArrayBuffer(44));
      view.setInt8(0, -128);
      view.setUint8(1, 255);
      view.setInt16(2, -32768, le);
      view.setUint16(4, 65535, le);
      view.setInt32(6, -2147483648, le);
      view.setUint32(10, 4294967295, le);
      view.setBigInt64(14, -9007199254740991n, le);
      view.setBigUint64(22, 9007199254740991n, le);
      view.setFloat32(30, 0.1, le);
      view.setFloat64(34, -0.1, le);
      expect(decodeFixedWidth(new Uint8Array(view.buffer), { recordBytes: 44, byteOrder, columns }), byteOrder).toEqual([
        { i8: -128, u8: 255, i16: -32768, u16: 65535, i32: -2147483648, u32: 4294967295, i64: -9007199254740991, u64: 9007199254740991, f32: 0.10000000149011612, f64: -0.1 },
      ]);
    }
  });

  it('throws DecodeError naming both sizes when the payload is not whole records', () => {
    expect(decodeError(new Uint8Array(50), HIT_STREAM)).toBe('payload of 50 bytes is not a whole number of 24-byte records');
    expect(decodeError(new Uint8Array(23), HIT_STREAM)).toBe('payload of 23 bytes is not a whole number of 24-byte records');
  });

  it('throws DecodeError naming the field when a 64-bit value does not fit a JS number', () => {
    const payload = hitStream([
      { ix: 1, iy: 1, timeSec: 1n, timeNanosec: 1n },
      { ix: 1, iy: 1, timeSec: 9007199254740992n, timeNanosec: 1n },
    ]);
    expect(decodeError(payload, HIT_STREAM)).toBe('record 2: int64 field timeSec is 9007199254740992, beyond the safe integer range of a JS number');
    const low = hitStream([{ ix: 1, iy: 1, timeSec: 1n, timeNanosec: -9007199254740992n }]);
    expect(decodeError(low, HIT_STREAM)).toBe('record 1: int64 field timeNanosec is -9007199254740992, beyond the safe integer range of a JS number');
    const unsigned = new Uint8Array(8).fill(0xff);
    expect(decodeError(unsigned, { recordBytes: 8, byteOrder: 'little', columns: [{ field: 'counter', offset: 0, type: 'uint64' }] })).toBe(
      'record 1: uint64 field counter is 18446744073709551615, beyond the safe integer range of a JS number',
    );
  });

});

describe('checkLayout', () => {
  const layout = (columns: FixedWidthLayout['columns'], recordBytes = 24): FixedWidthLayout => ({ recordBytes, byteOrder: 'big', columns });

  it('accepts the HitStream layout, gaps and columns in any order', () => {
    expect(checkLayout(HIT_STREAM)).toBeUndefined();
    expect(checkLayout(layout([{ field: 'b', offset: 20, type: 'float32' }, { field: 'a', offset: 0, type: 'uint8' }]))).toBeUndefined();
  });

  it('names the first problem in one line', () => {
    const cases: [FixedWidthLayout, string][] = [
      [layout([{ field: 't', offset: 20, type: 'int64' }]), 'column t (int64 at offset 20) lies outside the 24-byte record'],
      [layout([{ field: 't', offset: -1, type: 'int8' }]), 'column t (int8 at offset -1) lies outside the 24-byte record'],
      [layout([{ field: 't', offset: 1.5, type: 'int8' }]), 'column t (int8 at offset 1.5) lies outside the 24-byte record'],
      [
        layout([{ field: 'a', offset: 0, type: 'int64' }, { field: 'b', offset: 4, type: 'int32' }]),
        'columns a (int64 at offset 0) and b (int32 at offset 4) overlap',
      ],
      [
        layout([{ field: 'b', offset: 4, type: 'int32' }, { field: 'a', offset: 0, type: 'int64' }]),
        'columns b (int32 at offset 4) and a (int64 at offset 0) overlap',
      ],
      [layout([{ field: 'a', offset: 0, type: 'int32' }, { field: 'a', offset: 4, type: 'int32' }]), 'field a has two columns'],
      [layout([]), 'the layout has no columns'],
      [layout([{ field: 'a', offset: 0, type: 'int8' }], 0), 'recordBytes must be a positive integer, got 0'],
      [{ ...HIT_STREAM, byteOrder: 'middle' as 'big' }, 'byteOrder must be big or little, got middle'],
      [layout([{ field: 'a', offset: 0, type: 'int128' as 'int64' }]), 'column a: unknown type int128'],
    ];
    for (const [input, problem] of cases) expect(checkLayout(input), problem).toBe(problem);
  });

  it('lets adjacent columns touch without overlapping', () => {
    expect(checkLayout(layout([{ field: 'a', offset: 0, type: 'int32' }, { field: 'b', offset: 4, type: 'int32' }], 8))).toBeUndefined();
  });
});
