// A GTFS feed as files by name, whether it is a .zip archive or a folder of .txt files. Files are streamed,
// never read whole. A zip whose files all sit in one folder inside the archive is read from that folder.
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { FeedError } from './feed-error.ts';
import { readZipDirectory, readZipEntry, ZipError, type ZipEntry } from './zip.ts';

export interface FeedSource {
  /** The path as the user gave it. */
  path: string;
  has(file: string): boolean;
  open(file: string): AsyncIterable<Uint8Array>;
}

export async function openFeed(path: string): Promise<FeedSource> {
  if (!existsSync(path)) throw new FeedError(path, undefined, undefined, 'no such file or folder', 'give the path of a GTFS .zip or of a folder of GTFS .txt files');
  if (statSync(path).isDirectory()) return folderFeed(path);
  let entries: ZipEntry[];
  try {
    entries = await readZipDirectory(path);
  } catch (error) {
    if (!(error instanceof ZipError)) throw error;
    throw new FeedError(basename(path), undefined, undefined, error.message, 'give a GTFS .zip (deflate or stored) or a folder of its .txt files');
  }
  const files = entries.filter((e) => !e.name.endsWith('/') && !e.name.startsWith('__MACOSX/'));
  const atRoot = files.filter((e) => !e.name.includes('/'));
  const folders = new Set(files.map((e) => e.name.slice(0, e.name.lastIndexOf('/') + 1)));
  const chosen = atRoot.length === 0 && folders.size === 1 ? files : atRoot;
  const byName = new Map(chosen.map((e) => [basename(e.name), e]));
  return {
    path,
    has: (file) => byName.has(file),
    open: (file) => zipStream(path, byName.get(file)!, file),
  };
}

function folderFeed(dir: string): FeedSource {
  const names = new Set(readdirSync(dir));
  return {
    path: dir,
    has: (file) => names.has(file),
    open: (file) => createReadStream(join(dir, file), { highWaterMark: 1 << 20 }),
  };
}

async function* zipStream(path: string, entry: ZipEntry, file: string): AsyncGenerator<Uint8Array> {
  try {
    yield* readZipEntry(path, entry);
  } catch (error) {
    if (!(error instanceof ZipError)) throw error;
    throw new FeedError(file, undefined, undefined, `cannot be read from ${basename(path)}: ${error.message}`, 'repack the archive with deflate or unpack it and load the folder');
  }
}
