import { describe, expect, it } from 'vitest';
import { readCsv, type CsvRecord } from './csv.ts';

async function records(...chunks: (string | Uint8Array)[]): Promise<CsvRecord[]> {
  const out: CsvRecord[] = [];
  async function* source() {
    yield* chunks;
  }
  for await (const batch of readCsv(source())) out.push(...batch);
  return out;
}

describe('readCsv (RFC 4180 as GTFS writes it)', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, and numbers records by their first line', async () => {
    const text = 'stop_id,stop_name,stop_desc\n1,"Main St, ""North""","two\nlines"\n2,Plain,\n';
    expect(await records(text)).toEqual([
      { line: 1, fields: ['stop_id', 'stop_name', 'stop_desc'] },
      { line: 2, fields: ['1', 'Main St, "North"', 'two\nlines'] },
      { line: 4, fields: ['2', 'Plain', ''] },
    ]);
  });

  it('strips the byte order mark, takes CRLF, LF and CR line ends, skips blank lines and reads a last line without a line end', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a,b\r\n1,2\r\n\r\n3,4\r5,6\n7,8')]);
    expect(await records(bytes)).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', '2'] },
      { line: 4, fields: ['3', '4'] },
      { line: 5, fields: ['5', '6'] },
      { line: 6, fields: ['7', '8'] },
    ]);
  });

  it('gives the same records however the bytes are split into chunks (inside quotes, CRLF, multi-byte characters)', async () => {
    const text = 'id,name\r\n1,"Gare ""Centrale"", Zürich"\r\n2,"a\r\nb"\r\n3,Straße\r\n';
    const whole = await records(Buffer.from(text));
    const bytes = Buffer.from(text);
    for (let size = 1; size <= 7; size++) {
      const chunks: Uint8Array[] = [];
      for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
      expect(await records(...chunks)).toEqual(whole);
    }
    expect(whole.map((r) => r.fields)).toEqual([['id', 'name'], ['1', 'Gare "Centrale", Zürich'], ['2', 'a\r\nb'], ['3', 'Straße']]);
    expect(whole.map((r) => r.line)).toEqual([1, 2, 3, 5]);
  });

  it('keeps an empty last field and a quoted empty line', async () => {
    expect(await records('a,b,\n""\n')).toEqual([
      { line: 1, fields: ['a', 'b', ''] },
      { line: 2, fields: [''] },
    ]);
  });
});
