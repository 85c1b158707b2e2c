// Commits through GitHub's git data API (blobs, trees, commits, refs): no git protocol, no clone. Text files
// travel inline in the tree request (one call for the whole tree); only binary files need a blob each.
import { createHash } from 'node:crypto';
import type { GitHub } from './client.ts';

export type FileMode = '100644' | '100755' | '120000';

export interface TreeFile {
  path: string;
  content: Buffer;
  mode: FileMode;
}

export interface Person {
  name: string;
  email: string;
  /** ISO 8601 with the original offset, e.g. 2025-01-31T10:00:00+01:00 */
  date: string;
}

export interface CommitSpec {
  message: string;
  parents: string[];
  author?: Person;
  committer?: Person;
}

export interface RepoRef {
  owner: string;
  repo: string;
}

/** The SHA-1 git gives a blob: what GitHub answers for the same content. */
export const gitBlobSha = (content: Buffer): string =>
  createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Content that survives a round trip as a JSON string (valid UTF-8, no NUL): sent inline in the tree. */
function asText(content: Buffer): string | undefined {
  if (content.includes(0)) return undefined;
  try {
    const text = utf8.decode(content);
    return Buffer.from(text, 'utf8').equals(content) ? text : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Creates a tree holding `files` (on top of `baseTree` when given; `deleted` paths removed from it) and a
 * commit of it. Returns the commit and tree SHAs; moves no ref.
 */
export async function createCommit(
  octokit: GitHub,
  { owner, repo }: RepoRef,
  files: TreeFile[],
  commit: CommitSpec,
  options: { baseTree?: string; deleted?: string[] } = {},
): Promise<{ commitSha: string; treeSha: string }> {
  const entries: { path: string; mode: FileMode; type: 'blob'; sha?: string | null; content?: string }[] = [];
  for (const file of files) {
    const text = asText(file.content);
    if (text !== undefined) {
      entries.push({ path: file.path, mode: file.mode, type: 'blob', content: text });
    } else {
      const { data } = await octokit.rest.git.createBlob({ owner, repo, content: file.content.toString('base64'), encoding: 'base64' });
      entries.push({ path: file.path, mode: file.mode, type: 'blob', sha: data.sha });
    }
  }
  for (const path of options.deleted ?? []) entries.push({ path, mode: '100644', type: 'blob', sha: null });
  const { data: tree } = await octokit.rest.git.createTree({
    owner,
    repo,
    tree: entries as never,
    ...(options.baseTree ? { base_tree: options.baseTree } : {}),
  });
  const { data: created } = await octokit.rest.git.createCommit({
    owner,
    repo,
    message: commit.message,
    tree: tree.sha,
    parents: commit.parents,
    ...(commit.author ? { author: commit.author } : {}),
    ...(commit.committer ? { committer: commit.committer } : {}),
  });
  return { commitSha: created.sha, treeSha: tree.sha };
}

/** The commit a branch points at, or undefined when the branch does not exist (or the repository is empty: 409). */
export async function branchHead(octokit: GitHub, { owner, repo }: RepoRef, branch: string): Promise<string | undefined> {
  try {
    const { data } = await octokit.rest.git.getRef({ owner, repo, ref: `heads/${branch}` });
    return data.object.sha;
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 404 || status === 409) return undefined;
    throw error;
  }
}

export interface TreeItem {
  path: string;
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
}

/**
 * Every entry of a tree (paths from its root) and the tree's SHA; `treeish` is a tree, a commit or a branch.
 * One recursive listing when it fits; GitHub truncates a recursive listing above 100,000 entries or 7 MB
 * (`truncated: true`; docs "Get a tree": "use the non-recursive method of fetching trees, and fetch one
 * sub-tree at a time"): then the tree is listed non-recursively and each subtree is read the same way, so only
 * folders that are too large themselves are split further.
 */
export async function readTree(octokit: GitHub, { owner, repo }: RepoRef, treeish: string): Promise<{ sha: string; entries: TreeItem[] }> {
  type Listing = { sha: string; truncated: boolean; tree: { path?: string; mode?: string; type?: string; sha?: string }[] };
  const list = async (sha: string, recursive: boolean) =>
    (await octokit.rest.git.getTree({ owner, repo, tree_sha: sha, ...(recursive ? { recursive: 'true' } : {}) })).data as Listing;
  const items = (listing: Listing, prefix: string): TreeItem[] =>
    listing.tree.map((e) => ({ path: `${prefix}${e.path}`, mode: e.mode!, type: e.type as TreeItem['type'], sha: e.sha! }));
  const read = async (whole: Listing, prefix: string): Promise<TreeItem[]> => {
    if (!whole.truncated) return items(whole, prefix);
    const top = await list(whole.sha, false);
    if (top.truncated) throw new Error(`the folder ${prefix || '/'} holds more entries than GitHub lists for one tree`);
    const out: TreeItem[] = [];
    for (const entry of items(top, prefix)) {
      out.push(entry);
      if (entry.type === 'tree') out.push(...(await read(await list(entry.sha, true), `${entry.path}/`)));
    }
    return out;
  };
  const root = await list(treeish, true);
  return { sha: root.sha, entries: await read(root, '') };
}

/** Points `branch` at `sha`, creating the branch when missing (force-moves it otherwise). */
export async function setBranch(octokit: GitHub, { owner, repo }: RepoRef, branch: string, sha: string, exists: boolean): Promise<void> {
  if (exists) await octokit.rest.git.updateRef({ owner, repo, ref: `heads/${branch}`, sha, force: true });
  else await octokit.rest.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha });
}
