// Step 5 of an upgrade, pure: given the old render (base), the project (ours) and the new render (theirs),
// decide per file what happens. No git, no file system: the text merge is passed in.
import { headerLine, withCurrentHeader, type Ownership } from '../renderer/ownership.ts';
import { sha256 } from '../renderer/lock.ts';
import type { Merge3 } from './merge.ts';

export type FileStatus =
  | 'new'
  | 'unchanged'
  | 'updated'
  | 'merged'
  | 'conflict'
  | 'kept-user'
  | 'deleted'
  | 'kept-deleted'
  | 'kept-removed'
  | 'restored';

export interface FileOutcome {
  path: string;
  status: FileStatus;
  detail?: string;
}

export type FileMap = ReadonlyMap<string, string>;

export interface PlanInput {
  /** The recorded platform version rendered with the project's answers. */
  base: FileMap;
  /** The project's files (at least those at the paths of base and theirs). */
  ours: FileMap;
  /** The target platform version rendered with the (migrated) answers. */
  theirs: FileMap;
  /** Ownership of each file in the new render (theirs). */
  theirsOwnership: Readonly<Record<string, Ownership>>;
  /** The project's lock file: ownership and hash of what the platform last wrote. */
  lock: Readonly<Record<string, { ownership: Ownership; sha256: string }>>;
  /** Files of the new render to write with the executable bit. */
  executable?: ReadonlySet<string>;
  /** Template renames old path → new path, on top of those detected by content similarity. */
  renames?: Readonly<Record<string, string>>;
  /** Platform-owned files the user edited or deleted get the new render back instead of a merge (`upgrade --reapply`). */
  reapply?: boolean;
  merge: Merge3;
}

export interface Plan {
  outcomes: FileOutcome[];
  writes: { path: string; content: string; executable: boolean }[];
  deletes: string[];
}

/** Line-set similarity (Dice coefficient over lines, blank lines ignored): 1 identical, 0 nothing shared. */
export function similarity(a: string, b: string): number {
  const lines = (s: string) => s.split('\n').map((l) => l.trim()).filter(Boolean);
  const la = lines(a);
  const lb = lines(b);
  if (!la.length || !lb.length) return 0;
  const counts = new Map<string, number>();
  for (const l of la) counts.set(l, (counts.get(l) ?? 0) + 1);
  let common = 0;
  for (const l of lb) {
    const n = counts.get(l) ?? 0;
    if (n > 0) {
      common++;
      counts.set(l, n - 1);
    }
  }
  return (2 * common) / (la.length + lb.length);
}

export const RENAME_SIMILARITY = 0.6;

/**
 * Template renames: a path that left the template paired with one that arrived, by the explicit map or by
 * content similarity (best pairs first, each path used once). Pairs whose new path the user already has a
 * file at, or that involve user-owned files, are left to the plain added/removed rules.
 */
export function detectRenames(input: Omit<PlanInput, 'merge'>): Map<string, string> {
  const removed = [...input.base.keys()].filter((p) => !input.theirs.has(p) && input.lock[p]?.ownership !== 'user');
  const added = [...input.theirs.keys()].filter(
    (p) => !input.base.has(p) && !input.ours.has(p) && input.theirsOwnership[p] !== 'user',
  );
  const renames = new Map<string, string>();
  const taken = new Set<string>();
  for (const [from, to] of Object.entries(input.renames ?? {})) {
    if (removed.includes(from) && added.includes(to)) {
      renames.set(from, to);
      taken.add(to);
    }
  }
  const candidates: { from: string; to: string; score: number }[] = [];
  for (const from of removed) {
    if (renames.has(from)) continue;
    for (const to of added) {
      if (taken.has(to)) continue;
      const score = similarity(input.base.get(from)!, input.theirs.get(to)!);
      if (score >= RENAME_SIMILARITY) candidates.push({ from, to, score });
    }
  }
  candidates.sort((a, b) => b.score - a.score || (a.from < b.from ? -1 : 1));
  for (const c of candidates) {
    if (renames.has(c.from) || taken.has(c.to)) continue;
    renames.set(c.from, c.to);
    taken.add(c.to);
  }
  return renames;
}

/** Headers of earlier platform versions carried the version: compared and merged as today's header, they are no change. */
const currentHeaders = (files: FileMap): FileMap => new Map([...files].map(([path, text]) => [path, withCurrentHeader(text)]));

export function planUpgrade(given: PlanInput): Plan {
  const plan: Plan = { outcomes: [], writes: [], deletes: [] };
  const input: PlanInput = { ...given, base: currentHeaders(given.base), ours: currentHeaders(given.ours) };
  const { base, ours, theirs, lock, merge } = input;
  const renamedTo = detectRenames(input);
  const renamedFrom = new Map([...renamedTo].map(([from, to]) => [to, from]));

  const outcome = (path: string, status: FileStatus, detail?: string) =>
    plan.outcomes.push(detail ? { path, status, detail } : { path, status });
  const write = (path: string, content: string, status: FileStatus, detail?: string) => {
    plan.writes.push({ path, content, executable: input.executable?.has(path) ?? false });
    outcome(path, status, detail);
  };
  /** The user did not change the file since the platform wrote it (same text as the old render or the lock). */
  const unedited = (path: string, o: string, b: string) => {
    const written = given.ours.get(path) ?? o; // as on disk, old header included: what the lock hashed
    return o === b || lock[path]?.sha256 === sha256(written) || lock[path]?.sha256 === sha256(written.replaceAll('\r\n', '\n')); // autocrlf is no edit
  };
  const merged = (path: string, b: string, o: string, t: string, detail?: string) => {
    const result = merge(b, o, t);
    write(
      path,
      result.content,
      result.conflicts ? 'conflict' : 'merged',
      result.conflicts ? [detail, `${result.conflicts} conflict${result.conflicts > 1 ? 's' : ''} marked`].filter(Boolean).join('; ') : detail,
    );
  };

  const paths = [...new Set([...base.keys(), ...theirs.keys()])].sort();
  for (const path of paths) {
    const b = base.get(path);
    const o = ours.get(path);
    const t = theirs.get(path);
    const ownership = input.theirsOwnership[path] ?? lock[path]?.ownership ?? 'shared';

    const to = renamedTo.get(path);
    if (to !== undefined) {
      // The template moved this file: the new path carries the user's edits (handled at `to`).
      if (o === undefined) continue;
      plan.deletes.push(path);
      outcome(path, 'deleted', unedited(path, o, b!) ? `renamed to ${to} by the platform` : `renamed to ${to} by the platform; your edits moved there`);
      continue;
    }
    const from = renamedFrom.get(path);
    if (from !== undefined) {
      const fromOurs = ours.get(from);
      const fromBase = base.get(from)!;
      if (fromOurs === undefined) outcome(path, 'kept-deleted', `renamed from ${from}, which you had deleted`);
      else if (unedited(from, fromOurs, fromBase)) write(path, t!, 'new', `renamed from ${from}`);
      else merged(path, fromBase, fromOurs, t!, `renamed from ${from}; your edits carried over`);
      continue;
    }

    if (ownership === 'user') {
      if (o === undefined && b === undefined) write(path, t!, 'new');
      else if (o === undefined) {
        if (t !== undefined) outcome(path, 'kept-deleted', 'user-owned; you had deleted it');
      } else if (o === b && o === t) outcome(path, 'unchanged');
      else outcome(path, 'kept-user', t !== undefined && b !== undefined && t !== b ? 'user-owned; the platform template changed, yours is kept' : undefined);
      continue;
    }

    if (b === undefined) {
      // New in the template.
      if (o === undefined) write(path, t!, 'new');
      else if (o === t) outcome(path, 'unchanged', 'new in the platform; you already had the same file');
      else merged(path, '', o, t!, 'new in the platform; you already had a file here');
      continue;
    }
    if (t === undefined) {
      // Removed from the template.
      if (o === undefined) continue;
      if (unedited(path, o, b)) {
        plan.deletes.push(path);
        outcome(path, 'deleted', 'removed from the platform');
      } else {
        const kept = withoutHeader(path, o);
        if (kept === o) outcome(path, 'kept-removed', 'removed from the platform; kept because you changed it');
        else write(path, kept, 'kept-removed', 'removed from the platform; kept because you changed it, without the "Managed by create-iot-platform" header (nothing regenerates it now)');
      }
      continue;
    }
    if (input.reapply && ownership === 'platform' && o !== t && !(o !== undefined && unedited(path, o, b))) {
      write(path, t, 'restored', o === undefined ? 'platform-owned file you deleted: restored (--reapply)' : 'platform-owned file you edited: your edit replaced by the render (--reapply)');
      continue;
    }
    if (o === undefined) {
      outcome(path, 'kept-deleted', t === b ? 'you had deleted it' : 'you had deleted it; the platform changed it');
      continue;
    }
    const editedPlatform = ownership === 'platform' ? 'platform-owned file you edited: merged, not overwritten' : undefined;
    if (o === t) outcome(path, 'unchanged');
    else if (unedited(path, o, b)) write(path, t, 'updated');
    else if (t === b) outcome(path, 'unchanged', editedPlatform ? 'platform-owned file you edited: your edit kept' : 'your edits kept');
    else merged(path, b, o, t, editedPlatform);
  }
  updateHeaders(given, input, plan);
  plan.outcomes.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  return plan;
}

/**
 * A file the platform no longer generates, kept for the user, loses its "Managed by create-iot-platform … Do not
 * edit" header (today's, or an earlier version's: `text` has today's by now): no upgrade regenerates it, no lint
 * checks it, it is the user's.
 */
function withoutHeader(path: string, text: string): string {
  const header = headerLine(path);
  if (!header) return text;
  const lines = text.split('\n');
  const at = lines[0]?.startsWith('#!') ? 1 : 0;
  if (lines[at] !== header) return text;
  lines.splice(at, 1);
  return lines.join('\n');
}

/** A file the plan keeps as it is (the user's edits, no template change) still loses an earlier version's header. */
function updateHeaders(given: PlanInput, input: PlanInput, plan: Plan): void {
  const touched = new Set([...plan.writes.map((w) => w.path), ...plan.deletes]);
  for (const [path, text] of input.ours) {
    if (text === given.ours.get(path) || touched.has(path) || !input.theirs.has(path)) continue;
    if ((input.theirsOwnership[path] ?? input.lock[path]?.ownership) === 'user') continue;
    plan.writes.push({ path, content: text, executable: input.executable?.has(path) ?? false });
    const detail = 'header without the platform version';
    const previous = plan.outcomes.findIndex((o) => o.path === path);
    const outcome: FileOutcome = { path, status: 'updated', detail: [plan.outcomes[previous]?.detail, detail].filter(Boolean).join('; ') };
    if (previous >= 0) plan.outcomes[previous] = outcome;
    else plan.outcomes.push(outcome);
  }
}
