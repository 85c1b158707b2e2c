// Git objects as GitHub stores them: blobs, trees and commits with real SHA-1s (the bytes git hashes).
import { createHash } from 'node:crypto';

export type GitObject =
  | { type: 'blob'; content: Buffer }
  | { type: 'tree'; entries: TreeEntry[] }
  | { type: 'commit'; commit: CommitObject };

export interface TreeEntry {
  name: string;
  mode: string; // 100644 100755 120000 040000
  type: 'blob' | 'tree';
  sha: string;
}

export interface Signature {
  name: string;
  email: string;
  seconds: number;
  offset: string; // +0100
}

export interface CommitObject {
  tree: string;
  parents: string[];
  author: Signature;
  committer: Signature;
  message: string;
}

const hash = (type: string, body: Buffer) => createHash('sha1').update(`${type} ${body.length}\0`).update(body).digest('hex');

export function blobSha(content: Buffer): string {
  return hash('blob', content);
}

/** git sorts tree entries by name, a subtree as if its name ended with "/". */
export function sortEntries(entries: TreeEntry[]): TreeEntry[] {
  const key = (e: TreeEntry) => Buffer.from(e.type === 'tree' ? `${e.name}/` : e.name);
  return [...entries].sort((a, b) => Buffer.compare(key(a), key(b)));
}

export function treeBytes(entries: TreeEntry[]): Buffer {
  return Buffer.concat(
    sortEntries(entries).flatMap((e) => [Buffer.from(`${e.type === 'tree' ? '40000' : e.mode} ${e.name}\0`), Buffer.from(e.sha, 'hex')]),
  );
}

export const treeSha = (entries: TreeEntry[]) => hash('tree', treeBytes(entries));

const person = (s: Signature) => `${s.name} <${s.email}> ${s.seconds} ${s.offset}`;

export function commitBytes(c: CommitObject): Buffer {
  return Buffer.from(
    [`tree ${c.tree}`, ...c.parents.map((p) => `parent ${p}`), `author ${person(c.author)}`, `committer ${person(c.committer)}`, '', c.message].join('\n'),
  );
}

export const commitSha = (c: CommitObject) => hash('commit', commitBytes(c));

/** An ISO 8601 date as git stores it: seconds since the epoch and the offset as written. */
export function parseDate(iso: string | undefined, now = Date.now()): { seconds: number; offset: string } {
  if (!iso) return { seconds: Math.floor(now / 1000), offset: '+0000' };
  const match = iso.match(/(Z|([+-])(\d\d):?(\d\d))$/);
  const offset = !match || match[1] === 'Z' ? '+0000' : `${match[2]}${match[3]}${match[4]}`;
  return { seconds: Math.floor(new Date(iso).getTime() / 1000), offset };
}

export function formatDate(s: Signature): string {
  const sign = s.offset.startsWith('-') ? -1 : 1;
  const minutes = sign * (Number(s.offset.slice(1, 3)) * 60 + Number(s.offset.slice(3, 5)));
  const local = new Date((s.seconds + minutes * 60) * 1000).toISOString().replace(/\.\d+Z$/, '');
  return s.offset === '+0000' ? `${local}Z` : `${local}${s.offset.slice(0, 3)}:${s.offset.slice(3)}`;
}
