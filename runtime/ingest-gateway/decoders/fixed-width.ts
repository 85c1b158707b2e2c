// Fixed-width binary records (e.g. RICH HitStream: 24 bytes big-endian int ix, int iy, long timeSec, long
// timeNanosec): a payload is N records of recordBytes bytes each, and each column is a number at an offset.
import type { ColumnType, FixedWidthLayout } from '../../../manifest/fixed-width-layout.ts';
import { DecodeError } from './decode-error.ts';

export type { FixedWidthLayout };

type Read = (view: DataView, at: number, little: boolean) => number | bigint;

const READ: Record<ColumnType, Read> = {
  int8: (v, at) => v.getInt8(at),
  uint8: (v, at) => v.getUint8(at),
  int16: (v, at, le) => v.getInt16(at, le),
  uint16: (v, at, le) => v.getUint16(at, le),
  int32: (v, at, le) => v.getInt32(at, le),
  uint32: (v, at, le) => v.getUint32(at, le),
  int64: (v, at, le) => v.getBigInt64(at, le),
  uint64: (v, at, le) => v.getBigUint64(at, le),
  float32: (v, at, le) => v.getFloat32(at, le),
  float64: (v, at, le) => v.getFloat64(at, le),
};

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Splits a payload into records; bad payloads throw DecodeError. The layout was checked with the manifest. */
export function decodeFixedWidth(payload: Uint8Array, layout: FixedWidthLayout): Record<string, unknown>[] {
  const { recordBytes, columns } = layout;
  if (payload.byteLength % recordBytes !== 0) {
    throw new DecodeError(`payload of ${payload.byteLength} bytes is not a whole number of ${recordBytes}-byte records`);
  }
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const little = layout.byteOrder === 'little';
  const records: Record<string, unknown>[] = [];
  for (let start = 0; start < payload.byteLength; start += recordBytes) {
    const record: Record<string, unknown> = {};
    for (const { field, offset, type } of columns) {
      const value = READ[type](view, start + offset, little);
      if (typeof value === 'bigint' && (value > MAX_SAFE || value < -MAX_SAFE)) {
        throw new DecodeError(`record ${start / recordBytes + 1}: ${type} field ${field} is ${value}, beyond the safe integer range of a JS number`);
      }
      record[field] = Number(value);
    }
    records.push(record);
  }
  return records;
}
