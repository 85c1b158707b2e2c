// One GTFS file as typed rows: the header is checked for the required columns, each value is converted by
// its field type, and the first wrong value ends the read with a FeedError naming file, row and field.
import { readCsv } from './csv.ts';
import { FeedError } from './feed-error.ts';
import { parseValue, ValueProblem, type FieldValue } from './field-types.ts';
import type { FeedSource } from './feed-source.ts';
import type { FileSpec } from './gtfs-files.ts';

export interface TypedRow {
  row: number;
  /** In the order of the spec's fields; null for an empty value or a column the file lacks. */
  values: FieldValue[];
}

/** The rows of the file in order, a chunk's worth at a time. */
export async function* readTable(source: FeedSource, spec: FileSpec): AsyncGenerator<TypedRow[]> {
  let columns: number[] | undefined;
  for await (const records of readCsv(source.open(spec.file))) {
    const rows: TypedRow[] = [];
    for (const record of records) {
      if (!columns) {
        columns = headerColumns(spec, record.fields);
        continue;
      }
      rows.push({ row: record.line, values: typedValues(spec, columns, record.line, record.fields) });
    }
    yield rows;
  }
  if (!columns) throw new FeedError(spec.file, 1, undefined, 'empty file, no header', `write the header line of ${spec.file} (an optional file may be left out)`);
}

function typedValues(spec: FileSpec, columns: number[], line: number, fields: string[]): FieldValue[] {
  const values: FieldValue[] = new Array(columns.length);
  for (let i = 0; i < columns.length; i++) {
    const field = spec.fields[i]!;
    const at = columns[i]!;
    const text = at < 0 ? '' : (fields[at] ?? '').trim();
    if (text === '') {
      if (field.required) throw new FeedError(spec.file, line, field.name, 'empty', `every row of ${spec.file} needs a ${field.name}`);
      values[i] = null;
      continue;
    }
    try {
      values[i] = parseValue(field.type, text);
    } catch (error) {
      if (!(error instanceof ValueProblem)) throw error;
      throw new FeedError(spec.file, line, field.name, error.problem, error.fix);
    }
  }
  return values;
}

/** For each field of the spec, its column in the file (-1 when absent). Header names are trimmed. */
function headerColumns(spec: FileSpec, header: string[]): number[] {
  const names = header.map((name) => name.trim());
  return spec.fields.map((field) => {
    const at = names.indexOf(field.name);
    if (at < 0 && field.required) throw new FeedError(spec.file, 1, field.name, 'column missing from the header', `add the column ${field.name}; GTFS requires it`);
    return at;
  });
}
