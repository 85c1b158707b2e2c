// CSV as GTFS writes it (RFC 4180): comma-separated, fields in double quotes may hold commas, quotes ("") and
// line breaks; CRLF or LF line ends; a UTF-8 byte order mark is dropped. The first line names the columns.

/** The rows as objects keyed by the (trimmed) column names; fields beyond the header are ignored. */
export function parseCsv(text: string): Record<string, string>[] {
  const lines = parseLines(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const header = (lines.shift() ?? []).map((h) => h.trim());
  return lines
    .filter((fields) => !(fields.length === 1 && fields[0] === ''))
    .map((fields) => Object.fromEntries(header.map((name, i) => [name, fields[i] ?? ''])));
}

function parseLines(text: string): string[][] {
  const lines: string[][] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      lines.push(fields);
      fields = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || fields.length > 0) {
    fields.push(field);
    lines.push(fields);
  }
  return lines;
}
