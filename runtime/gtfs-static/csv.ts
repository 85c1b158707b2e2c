// A streaming CSV reader for GTFS files (RFC 4180): quoted fields with "" escapes and line breaks inside
// quotes, CRLF or LF line ends, a UTF-8 byte order mark, blank lines skipped. Records come out one by one
// with the line they start on, so a file of millions of rows never sits in memory whole.

export interface CsvRecord {
  /** 1-based line of the file where the record starts (the header is line 1). */
  line: number;
  fields: string[];
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/** The records of a stream, a chunk's worth at a time (one await per chunk, not per record). */
export async function* readCsv(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<CsvRecord[]> {
  const decoder = new TextDecoder('utf-8'); // strips a leading BOM; streams multi-byte characters across chunks
  const parser = new CsvParser();
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    const records = [...parser.push(text, false)];
    if (records.length > 0) yield records;
  }
  const records = [...parser.push(decoder.decode(), true)];
  if (records.length > 0) yield records;
}

/** Parses text pushed in pieces; keeps the unfinished last record until more text (or the end) arrives. */
export class CsvParser {
  private pending = '';
  private line = 1;

  *push(text: string, end: boolean): Generator<CsvRecord> {
    const input = this.pending + text;
    let start = 0;
    for (;;) {
      const parsed = parseRecord(input, start, end);
      if (!parsed) break;
      const record = { line: this.line, fields: parsed.fields };
      this.line += parsed.lineBreaks;
      start = parsed.next;
      if (!(record.fields.length === 1 && record.fields[0] === '' && !parsed.quoted)) yield record;
    }
    this.pending = input.slice(start);
  }
}

interface Parsed {
  fields: string[];
  next: number;
  lineBreaks: number;
  quoted: boolean;
}

/** One record from `start`, or undefined when the text ends before the record does (and more may come). */
function parseRecord(text: string, start: number, end: boolean): Parsed | undefined {
  if (start >= text.length) return undefined;
  const fields: string[] = [];
  let i = start;
  let lineBreaks = 0;
  let quoted = false;
  for (;;) {
    if (text.charCodeAt(i) === QUOTE) {
      quoted = true;
      let value = '';
      let from = i + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q < 0 || (q === text.length - 1 && !end)) {
          if (!end) return undefined;
          // An unterminated quote runs to the end of the file.
          value += text.slice(from);
          lineBreaks += countLineFeeds(text, from, text.length);
          i = text.length;
          break;
        }
        lineBreaks += countLineFeeds(text, from, q);
        value += text.slice(from, q);
        if (text.charCodeAt(q + 1) === QUOTE) {
          value += '"';
          from = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      // Anything between the closing quote and the next separator is kept, as lenient readers do.
      let j = i;
      while (j < text.length && !isSeparator(text.charCodeAt(j))) j++;
      if (j >= text.length && !end) return undefined;
      fields.push(value + text.slice(i, j));
      i = j;
    } else {
      let j = i;
      while (j < text.length && !isSeparator(text.charCodeAt(j))) j++;
      if (j >= text.length && !end) return undefined;
      fields.push(text.slice(i, j));
      i = j;
    }
    if (i >= text.length) return { fields, next: i, lineBreaks, quoted };
    const c = text.charCodeAt(i);
    if (c === COMMA) {
      i++;
      if (i >= text.length && !end) return undefined;
      if (i >= text.length) {
        fields.push('');
        return { fields, next: i, lineBreaks, quoted };
      }
      continue;
    }
    // A line end: CRLF, LF or a lone CR. A CR as the last character may be the first half of a CRLF.
    if (c === CR) {
      if (i + 1 >= text.length && !end) return undefined;
      i += text.charCodeAt(i + 1) === LF ? 2 : 1;
    } else {
      i++;
    }
    return { fields, next: i, lineBreaks: lineBreaks + 1, quoted };
  }
}

function isSeparator(c: number): boolean {
  return c === COMMA || c === LF || c === CR;
}

function countLineFeeds(text: string, from: number, to: number): number {
  let n = 0;
  for (let k = text.indexOf('\n', from); k >= 0 && k < to; k = text.indexOf('\n', k + 1)) n++;
  return n;
}
