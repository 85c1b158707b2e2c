// Fixed-width binary records (e.g. RICH HitStream: 24 bytes big-endian int ix, int iy, long timeSec, long
// timeNanosec): a payload is N records of recordBytes bytes each, and each column is a number at an offset.
import { DecodeError } from './decode-error.ts';

export type ColumnType = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'float32' | 'float64';

export interface FixedWidthLayout {
  recordBytes: number;
  byteOrder: 'big' | 'little';
  columns: { field: string; offset: number; type: ColumnType }[];
}

const WIDTH: Record<ColumnType, number> = {
  int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8, float32: 4, float64: 8,
};

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

/** The first problem of a layout in one line (column outside the record, overlap, duplicate field), or undefined. */
export function checkLayout(layout: FixedWidthLayout): string | undefined {
  const { recordBytes, columns } = layout;
  if (!Number.isInteger(recordBytes) || recordBytes < 1) return `recordBytes must be a positive integer, got ${recordBytes}`;
  if (layout.byteOrder !== 'big' && layout.byteOrder !== 'little') return `byteOrder must be big or little, got ${String(layout.byteOrder)}`;
  if (columns.length === 0) return 'the layout has no columns';
  const seen = new Set<string>();
  for (const [i, column] of columns.entries()) {
    const { field, offset, type } = column;
    if (!(type in WIDTH)) return `column ${field}: unknown type ${String(type)}`;
    if (seen.has(field)) return `field ${field} has two columns`;
    seen.add(field);
    const end = offset + WIDTH[type];
    if (!Number.isInteger(offset) || offset < 0 || end > recordBytes) {
      return `column ${field} (${type} at offset ${offset}) lies outside the ${recordBytes}-byte record`;
    }
    for (const other of columns.slice(0, i)) {
      if (offset < other.offset + WIDTH[other.type] && other.offset < end) {
        return `columns ${other.field} (${other.type} at offset ${other.offset}) and ${field} (${type} at offset ${offset}) overlap`;
      }
    }
  }
  return undefined;
}

/**
 * Splits a payload into records. Bad payloads throw DecodeError; a bad layout (see checkLayout, which the
 * gateway should run at startup) throws a plain Error, because it is a configuration fault.
 */
export function decodeFixedWidth(payload: Uint8Array, layout: FixedWidthLayout): Record<string, unknown>[] {
  const problem = checkLayout(layout);
  if (problem !== undefined) throw new Error(`invalid fixed-width layout: ${problem}`);
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
