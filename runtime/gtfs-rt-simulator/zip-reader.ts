// Reads the files of a .zip archive (https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT): the central
// directory at the end, then each entry, stored or deflated. Enough for GTFS feeds; ZIP64 and encryption are
// rejected with a message.
import { inflateRawSync } from 'node:zlib';

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_HEADER = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;

/** The archive's files by name (folders left out). Throws one line naming the archive and the problem. */
export function readZip(zip: Buffer, name: string): Map<string, Buffer> {
  const fail = (problem: string): never => {
    throw new Error(`${name}: ${problem}`);
  };
  let end = -1;
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 65_535); at--) {
    if (zip.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY) {
      end = at;
      break;
    }
  }
  if (end < 0) fail('not a zip archive (no end of central directory); pass a GTFS .zip or a folder of .txt files');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  if (count === 0xffff || at === 0xffffffff) fail('ZIP64 archives are not supported; unpack it and pass the folder');
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== CENTRAL_HEADER) fail(`central directory entry ${i + 1} is damaged`);
    const flags = zip.readUInt16LE(at + 8);
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const file = zip.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    if (file.endsWith('/')) continue;
    if (flags & 1) fail(`${file} is encrypted`);
    if (local + 30 > zip.length || zip.readUInt32LE(local) !== LOCAL_HEADER) fail(`${file}: local header is damaged`);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + compressed);
    if (data.length !== compressed) fail(`${file} is truncated`);
    let content: Buffer;
    if (method === 0) content = Buffer.from(data);
    else if (method === 8) {
      try {
        content = inflateRawSync(data);
      } catch (error) {
        return fail(`${file} does not inflate (${(error as Error).message})`);
      }
    } else return fail(`${file} uses compression method ${method}; only stored and deflate are supported`);
    if (content.length !== size) fail(`${file} inflates to ${content.length} bytes, the directory says ${size}`);
    files.set(file, content);
  }
  return files;
}
