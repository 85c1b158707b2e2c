// The fixed-width binary layout of an event (events.<name>.layout): N records of recordBytes bytes, each
// column a number at an offset. Checked once when the manifest loads, so decoders can trust it.
export type ColumnType = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'float32' | 'float64';

export interface FixedWidthLayout {
  recordBytes: number;
  byteOrder: 'big' | 'little';
  columns: { field: string; offset: number; type: ColumnType }[];
}

export const WIDTH: Record<ColumnType, number> = {
  int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8, float32: 4, float64: 8,
};

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

