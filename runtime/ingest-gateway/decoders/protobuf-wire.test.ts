import { describe, expect, it } from 'vitest';
import { DecodeError } from './decode-error.ts';
import { FIXED32, FIXED64, LENGTH_DELIMITED, VARINT, WireReader } from './protobuf-wire.ts';

// A minimal encoder for building messages in the tests.
function varint(value: bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, value);
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? low | 0x80 : low);
  } while (v > 0n);
  return out;
}
const tag = (field: number, wireType: number) => varint(BigInt(field * 8 + wireType));
const le = (bytes: number, write: (view: DataView) => void) => {
  const view = new DataView(new ArrayBuffer(bytes));
  write(view);
  return [...new Uint8Array(view.buffer)];
};
const field = {
  varint: (n: number, value: bigint) => [...tag(n, VARINT), ...varint(value)],
  float: (n: number, value: number) => [...tag(n, FIXED32), ...le(4, (v) => v.setFloat32(0, value, true))],
  double: (n: number, value: number) => [...tag(n, FIXED64), ...le(8, (v) => v.setFloat64(0, value, true))],
  fixed32: (n: number, value: number) => [...tag(n, FIXED32), ...le(4, (v) => v.setUint32(0, value, true))],
  fixed64: (n: number, value: bigint) => [...tag(n, FIXED64), ...le(8, (v) => v.setBigUint64(0, value, true))],
  bytes: (n: number, body: number[]) => [...tag(n, LENGTH_DELIMITED), ...varint(BigInt(body.length)), ...body],
  string: (n: number, text: string) => field.bytes(n, [...new TextEncoder().encode(text)]),
};

const reader = (bytes: number[]) => new WireReader(Uint8Array.from(bytes), 'Test');

/** The error that reading every field of the message (as `read` says) throws. */
function failure(bytes: number[], read: (r: WireReader) => void = (r) => r.skip()): unknown {
  const r = reader(bytes);
  try {
    while (r.next() !== undefined) read(r);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('WireReader', () => {
  it('reads varints as uint64, uint32, int32 and bool', () => {
    const r = reader([
      ...field.varint(1, 300n),
      ...field.varint(2, 2n ** 53n - 1n),
      ...field.varint(3, -1n), // int32 -1: ten bytes on the wire
      ...field.varint(4, 2n ** 32n + 7n), // uint32 keeps the low 32 bits
      ...field.varint(5, 1n),
      ...field.varint(6, 0n),
      ...field.varint(7, -2147483648n),
      ...field.varint(8, 4294967295n),
    ]);
    const values: unknown[] = [];
    const reads = [() => r.uint64(), () => r.uint64(), () => r.int32(), () => r.uint32(), () => r.bool(), () => r.bool(), () => r.int32(), () => r.uint32()];
    while (r.next() !== undefined) values.push([r.field, reads[r.field - 1]!()]);
    expect(values).toEqual([[1, 300], [2, 9007199254740991], [3, -1], [4, 7], [5, true], [6, false], [7, -2147483648], [8, 4294967295]]);
  });

  it('encodes 300 as AC 02 (the example of the protobuf encoding guide)', () => {
    const r = reader([0x08, 0xac, 0x02]);
    expect(r.next()).toBe(1);
    expect(r.wireType).toBe(VARINT);
    expect(r.uint64()).toBe(300);
    expect(r.next()).toBeUndefined();
  });

  it('reads floats as float32 values, doubles, fixed32 and fixed64', () => {
    const r = reader([...field.float(1, 1.1), ...field.double(2, 1.1), ...field.fixed32(3, 0xfffffffe), ...field.fixed64(4, 2n ** 53n - 2n), ...field.float(5, -122.39647674560547)]);
    r.next();
    const single = r.float();
    expect(single).toBe(Math.fround(1.1));
    expect(single).toBe(1.100000023841858);
    r.next();
    expect(r.double()).toBe(1.1);
    r.next();
    expect(r.fixed32()).toBe(4294967294);
    r.next();
    expect(r.fixed64()).toBe(9007199254740990);
    r.next();
    expect(r.float()).toBe(-122.39647674560547);
  });

  it('reads strings, bytes and nested messages, and a nested reader stops at its own end', () => {
    const inner = [...field.string(1, 'Zürich'), ...field.varint(2, 5n)];
    const r = reader([...field.bytes(1, inner), ...field.bytes(2, [0, 255]), ...field.string(3, '')]);
    expect(r.next()).toBe(1);
    const nested = r.message('Inner');
    expect(nested.next()).toBe(1);
    expect(nested.string()).toBe('Zürich');
    expect(nested.next()).toBe(2);
    expect(nested.uint32()).toBe(5);
    expect(nested.next()).toBeUndefined();
    expect(r.next()).toBe(2);
    expect([...r.bytes()]).toEqual([0, 255]);
    expect(r.next()).toBe(3);
    expect(r.string()).toBe('');
    expect(r.next()).toBeUndefined();
  });

  it('decodes broken UTF-8 leniently, with replacement characters', () => {
    const r = reader(field.bytes(1, [0x41, 0xff, 0x42]));
    r.next();
    expect(r.string()).toBe('A\uFFFDB');
  });

  it('skips unknown fields of every wire type', () => {
    const r = reader([
      ...field.varint(9, 2n ** 63n),
      ...field.fixed64(10, 1n),
      ...field.bytes(11, [1, 2, 3]),
      ...field.fixed32(12, 1),
      ...field.varint(100_000, 1n),
      ...field.string(1, 'kept'),
    ]);
    const seen: number[] = [];
    let kept: string | undefined;
    while (r.next() !== undefined) {
      seen.push(r.field);
      if (r.field === 1) kept = r.string();
      else r.skip();
    }
    expect(seen).toEqual([9, 10, 11, 12, 100_000, 1]);
    expect(kept).toBe('kept');
  });

  it('throws DecodeError with one line for every malformation', () => {
    const cases: [number[], string, ((r: WireReader) => void)?][] = [
      [[0x08, 0xac], 'Test: truncated varint at byte 1'],
      [[0x80], 'Test: truncated varint at byte 0'],
      [[...field.fixed32(1, 1).slice(0, 4)], 'Test: truncated: field 1 needs 4 bytes at byte 1, 3 left'],
      [[...field.fixed64(1, 1n).slice(0, 8)], 'Test: truncated: field 1 needs 8 bytes at byte 1, 7 left'],
      [[...tag(1, LENGTH_DELIMITED), 5, 1, 2], 'Test: truncated: field 1 needs 5 bytes at byte 2, 2 left'],
      [[...tag(1, 3)], 'Test: field 1 has wire type 3 (groups are not supported)'],
      [[...tag(2, 4)], 'Test: field 2 has wire type 4 (groups are not supported)'],
      [[...tag(3, 6)], 'Test: field 3 has wire type 6'],
      [[...tag(4, 7)], 'Test: field 4 has wire type 7'],
      [[0x00, 0x00], 'Test: field number 0 is invalid'],
      [[0x08, ...Array(10).fill(0xff), 0x01], 'Test: varint at byte 1 is longer than 10 bytes'],
      [[...tag(1, LENGTH_DELIMITED), ...varint(2n ** 32n)], 'Test: field 1: length 4294967296 is out of range'],
      [field.varint(1, 2n ** 53n), 'Test: field 1: uint64 value exceeds 2^53 - 1', (r) => r.uint64()],
      [field.fixed64(1, 2n ** 53n), 'Test: field 1: fixed64 value exceeds 2^53 - 1', (r) => r.fixed64()],
      [field.varint(1, 1n), 'Test: field 1 has wire type 0 (varint), expected 5 (fixed32)', (r) => r.float()],
      [field.float(1, 1), 'Test: field 1 has wire type 5 (fixed32), expected 2 (length-delimited)', (r) => r.string()],
      [field.string(1, 'x'), 'Test: field 1 has wire type 2 (length-delimited), expected 0 (varint)', (r) => r.uint32()],
      [field.varint(1, 1n), 'Test: field 1 has wire type 0 (varint), expected 1 (fixed64)', (r) => r.double()],
    ];
    for (const [bytes, message, read] of cases) {
      const error = failure(bytes, read);
      expect(error, message).toBeInstanceOf(DecodeError);
      expect((error as Error).message).toBe(message);
    }
  });

  it('reports a nested message that claims more bytes than its parent has left', () => {
    // Field 1 holds 3 bytes: a nested field 1 with a length of 9, which runs past the nested message's end.
    const error = failure(field.bytes(1, [...tag(1, LENGTH_DELIMITED), 9]), (r) => {
      const nested = r.message('Inner');
      while (nested.next() !== undefined) nested.skip();
    });
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as Error).message).toBe('Inner: truncated: field 1 needs 9 bytes at byte 4, 0 left');
  });

  it('reads a message inside a larger buffer (a Buffer slice with a byteOffset)', () => {
    const backing = Buffer.from([0xee, 0xee, ...field.float(1, 2.5), ...field.varint(2, 3n), 0xee]);
    const r = new WireReader(backing.subarray(2, backing.length - 1), 'Slice');
    r.next();
    expect(r.float()).toBe(2.5);
    r.next();
    expect(r.uint64()).toBe(3);
    expect(r.next()).toBeUndefined();
  });
});
