// Reading a local git commit (its files, modes, author, committer, message) so that the same commit can be
// recreated on GitHub through the git data API, and writing a fetched tree into a folder as a commit.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CommitSpec, FileMode, Person, TreeFile } from './git-data.ts';

const git = (cwd: string, args: string[], input?: Buffer): Buffer =>
  execFileSync('git', args, { cwd, input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 1 << 30 });

/** The files of HEAD in `dir` (submodules skipped) with their contents. */
export function readHeadFiles(dir: string, rev = 'HEAD'): TreeFile[] {
  const listing = git(dir, ['ls-tree', '-r', '-z', '--full-tree', rev]).toString('utf8');
  const entries = listing
    .split('\0')
    .filter(Boolean)
    .map((line) => {
      const [meta, path] = [line.slice(0, line.indexOf('\t')), line.slice(line.indexOf('\t') + 1)];
      const [mode, type, sha] = meta.split(' ') as [string, string, string];
      return { mode, type, sha, path };
    })
    .filter((e) => e.type === 'blob');
  const batch = git(dir, ['cat-file', '--batch'], Buffer.from(entries.map((e) => `${e.sha}\n`).join('')));
  const files: TreeFile[] = [];
  let offset = 0;
  for (const entry of entries) {
    const headerEnd = batch.indexOf(0x0a, offset);
    const size = Number(batch.subarray(offset, headerEnd).toString('utf8').split(' ')[2]);
    const content = batch.subarray(headerEnd + 1, headerEnd + 1 + size);
    offset = headerEnd + 1 + size + 1; // content, then a newline
    files.push({ path: entry.path, content: Buffer.from(content), mode: entry.mode === '100755' || entry.mode === '120000' ? entry.mode : '100644' });
  }
  return files;
}

/** Author, committer and the exact message of a commit, in the git data API's shape. */
export function readCommitSpec(dir: string, rev = 'HEAD'): CommitSpec & { sha: string } {
  const sha = git(dir, ['rev-parse', rev]).toString('utf8').trim();
  const raw = git(dir, ['cat-file', 'commit', sha]).toString('utf8');
  const split = raw.indexOf('\n\n');
  const headers = raw.slice(0, split).split('\n');
  const person = (kind: string): Person | undefined => {
    const line = headers.find((h) => h.startsWith(`${kind} `));
    const match = line?.match(/^\w+ (.*) <(.*)> (\d+) ([+-])(\d\d)(\d\d)$/);
    if (!match) return undefined;
    const [, name, email, seconds, sign, hours, minutes] = match as unknown as string[];
    const offsetMinutes = (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes));
    const local = new Date(Number(seconds) * 1000 + offsetMinutes * 60_000).toISOString().replace(/\.\d+Z$/, '');
    return { name: name!, email: email!, date: `${local}${sign}${hours}:${minutes}` };
  };
  return {
    sha,
    message: raw.slice(split + 2),
    parents: headers.filter((h) => h.startsWith('parent ')).map((h) => h.slice(7)),
    author: person('author'),
    committer: person('committer'),
  };
}

/** Whether `dir` is the top of its own git repository with at least one commit (not inside another one). */
export function hasOwnGitRepository(dir: string): boolean {
  const top = spawnSync('git', ['rev-parse', '--show-toplevel'], { cwd: dir, encoding: 'utf8' });
  const head = spawnSync('git', ['rev-parse', '--verify', '--quiet', 'HEAD'], { cwd: dir, encoding: 'utf8' });
  return top.status === 0 && head.status === 0 && realpathSync(top.stdout.trim()) === realpathSync(dir);
}

/** Writes files into `dir` (a fresh folder), then `git init` and one commit, so it is a clean work tree. */
export function materialise(dir: string, files: TreeFile[], message: string): void {
  for (const file of files) {
    const path = join(dir, file.path);
    mkdirSync(dirname(path), { recursive: true });
    if (file.mode === '120000') symlinkSync(file.content.toString('utf8'), path);
    else {
      writeFileSync(path, file.content);
      if (file.mode === '100755') chmodSync(path, 0o755);
    }
  }
  const identity = ['-c', 'user.name=create-iot-platform', '-c', 'user.email=create-iot-platform@localhost', '-c', 'commit.gpgsign=false'];
  git(dir, ['init', '--quiet', '--initial-branch=main']);
  git(dir, ['add', '--all', '--force']);
  git(dir, [...identity, 'commit', '--quiet', '--no-verify', '--allow-empty', '-m', message]);
}

/** Every file git would commit in `dir` now (tracked or new, not ignored): path → mode and blob SHA. */
export function worktreeIndex(dir: string): Map<string, { mode: FileMode; sha: string }> {
  git(dir, ['add', '--all']);
  const listing = git(dir, ['ls-files', '-s', '-z']).toString('utf8');
  const index = new Map<string, { mode: FileMode; sha: string }>();
  for (const line of listing.split('\0').filter(Boolean)) {
    const tab = line.indexOf('\t');
    const [mode, sha] = line.slice(0, tab).split(' ') as [string, string];
    if (mode === '160000') continue;
    index.set(line.slice(tab + 1), { mode: mode as FileMode, sha });
  }
  return index;
}

export const readWorktreeFile = (dir: string, path: string): Buffer => readFileSync(join(dir, path));
