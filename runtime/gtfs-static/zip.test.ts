import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readZipDirectory, readZipEntry, ZipError } from './zip.ts';

const DATA = '/work/shared/reference/data/gtfs';

async function entryBytes(path: string, name: string): Promise<Buffer> {
  const entry = (await readZipDirectory(path)).find((e) => e.name === name)!;
  const chunks: Buffer[] = [];
  for await (const chunk of readZipEntry(path, entry)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** A minimal archive written by hand: each member stored (method 0) or deflated (method 8). */
function buildZip(members: { name: string; text: string; method: 0 | 8 }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const data = Buffer.from(m.text);
    const stored = m.method === 8 ? deflateRawSync(data) : data;
    const name = Buffer.from(m.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(m.method, 8);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(stored.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(m.method, 10);
    central.writeUInt32LE(crc32(data), 16);
    central.writeUInt32LE(stored.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, stored);
    centrals.push(central, name);
    offset += 30 + name.length + stored.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

describe('zip reading (central directory + inflateRaw)', () => {
  it('reads every member of the real feeds byte for byte as unpacked beside them', async () => {
    for (const feed of ['caltrain-2023-11', 'sound-transit-2023-05', 'usf-bullrunner-2017']) {
      const zip = join(DATA, feed, 'gtfs.zip');
      const names = (await readZipDirectory(zip)).map((e) => e.name).sort();
      expect(names).toEqual(readdirSync(join(DATA, feed, 'gtfs')).sort());
      for (const name of names) expect((await entryBytes(zip, name)).equals(readFileSync(join(DATA, feed, 'gtfs', name)))).toBe(true);
    }
  });

  it('reads stored and deflated members and rejects a member whose CRC-32 does not match', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gtfs-zip-'));
    const good = join(dir, 'good.zip');
    writeFileSync(good, buildZip([{ name: 'a.txt', text: 'stored text', method: 0 }, { name: 'b.txt', text: 'deflated '.repeat(100), method: 8 }]));
    expect((await entryBytes(good, 'a.txt')).toString()).toBe('stored text');
    expect((await entryBytes(good, 'b.txt')).toString()).toBe('deflated '.repeat(100));
    const bad = buildZip([{ name: 'a.txt', text: 'stored text', method: 0 }]);
    bad[30 + 5] ^= 0xff; // one byte of the member's data
    writeFileSync(join(dir, 'bad.zip'), bad);
    await expect(entryBytes(join(dir, 'bad.zip'), 'a.txt')).rejects.toThrow(new ZipError('a.txt: damaged (size or CRC-32 does not match)'));
    writeFileSync(join(dir, 'text.zip'), 'not an archive at all, just some text');
    await expect(readZipDirectory(join(dir, 'text.zip'))).rejects.toThrow(new ZipError('not a zip archive (no end of central directory)'));
  });
});
