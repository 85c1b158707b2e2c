// A local, in-memory GitHub REST API (node:http) for the subset create-iot-platform uses, with GitHub's
// semantics: status codes and messages, Link pagination, x-ratelimit-* headers, primary and secondary rate
// limits (injectable), 404 for a classic token that lacks a scope (with x-oauth-scopes), 403 for a
// fine-grained token that lacks a permission (with x-accepted-github-permissions), repository selection of
// fine-grained tokens, truncated recursive trees above a configurable limit, 409 on an empty repository's git
// data, 422 on an existing repository/reference/pull request, git objects with real SHA-1s.
//
// Fine-grained permissions per endpoint, as GitHub documents them ("Permissions required for fine-grained
// personal access tokens", docs.github.com/rest/authentication/permissions-required-for-fine-grained-personal-
// access-tokens; its data: github/docs src/github-apps/data/fpt-2022-11-28/fine-grained-pat-permissions.json):
//   metadata: read      GET /orgs/{org}/repos, GET /repos/{o}/{r}, GET …/topics (always granted: GitHub makes
//                       it mandatory for a token with repository access)
//   administration      write: POST /user/repos, POST /orgs/{org}/repos, PATCH /repos/{o}/{r}, PUT …/topics,
//                       PUT …/branches/{b}/protection; read: GET …/branches/{b}/protection
//   contents            read: GET …/contents/{path}, …/git/blobs/{sha}, …/git/trees/{sha}, …/git/commits/{sha},
//                       …/git/ref/{ref}, …/git/matching-refs/{ref}; write: POST …/git/blobs, …/git/trees,
//                       …/git/commits, …/git/refs, PATCH and DELETE …/git/refs/{ref}
//   workflows: write    additionally for POST …/git/refs and PATCH …/git/refs/{ref} ("additional permissions:
//                       workflows") when the commits the reference gains change .github/workflows/
//   pull_requests       read: GET …/pulls, …/pulls/{n}; write: POST …/pulls, PATCH …/pulls/{n}
//   issues or pull_requests (either)  write: POST …/issues/{n}/labels, …/issues/{n}/comments; read: their GETs
// A refusal is GitHub's: 403 "Resource not accessible by personal access token" with the header
// x-accepted-github-permissions (permissions of one set joined by ",", alternative sets by "; " — docs
// "Troubleshooting the REST API", Resource not accessible), which is also sent on successful responses.
// Fine-grained tokens read public repositories without any permission; a private repository outside the
// token's repository selection does not exist for it (404), a public one is read-only (403 on writes).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import {
  blobSha,
  commitSha,
  formatDate,
  parseDate,
  sortEntries,
  treeSha,
  type CommitObject,
  type GitObject,
  type Signature,
  type TreeEntry,
} from './git-objects.ts';

export type Access = 'read' | 'write';

/** A fine-grained token's repository permissions, with GitHub's names and levels. */
export interface Permissions {
  contents?: Access;
  pull_requests?: Access;
  issues?: Access;
  administration?: Access;
  workflows?: 'write';
  /** Always read for a token with repository access (GitHub makes it mandatory); listed for completeness. */
  metadata?: 'read';
}

export interface TokenInfo {
  login: string;
  /** Classic token scopes (sent as x-oauth-scopes); null for a fine-grained token (see permissions). */
  scopes: string[] | null;
  /** Fine-grained token: what it may do (required when scopes is null). */
  permissions?: Permissions;
  /** Fine-grained token: the selected repositories ("owner/name"); absent = all repositories. */
  repositories?: string[];
}

/** GitHub's limit on a recursive tree listing: 100,000 entries with a maximum size of 7 MB (docs, "Get a tree"). */
export const GITHUB_TREE_LIMIT = { entries: 100_000, bytes: 7 * 1024 * 1024 };

export interface Fault {
  kind: 'primary' | 'secondary' | 'server-error';
  /** How many requests it hits (default 1); with `every`, the nth, 2nth... matching request instead. */
  times?: number;
  every?: number;
  /** Only writes (POST/PATCH/PUT/DELETE). */
  writesOnly?: boolean;
  /** Only requests whose "METHOD /path" matches. */
  match?: RegExp;
  /** Primary: the reset is this many seconds away (default 1). Secondary: retry-after (default 1). */
  seconds?: number;
  /** Primary limit status: GitHub answers 403 or 429. */
  status?: 403 | 429;
  seen?: number;
}

export interface PullRequest {
  number: number;
  state: 'open' | 'closed';
  title: string;
  body: string;
  head: string;
  base: string;
  labels: string[];
  comments: string[];
  created_at: string;
  updated_at: string;
}

export interface Repo {
  id: number;
  owner: string;
  name: string;
  private: boolean;
  description: string | null;
  topics: string[];
  defaultBranch: string;
  archived: boolean;
  refs: Map<string, string>;
  objects: Map<string, GitObject>;
  protection: Map<string, unknown>;
  pulls: PullRequest[];
  nextNumber: number;
  createdAt: number;
  /** This repository's recursive-tree limit, instead of the server's. */
  treeLimit?: { entries: number; bytes: number };
}

export interface SeedFile {
  path: string;
  content: string | Buffer;
  mode?: '100644' | '100755';
}

interface Request {
  method: string;
  path: string;
  query: URLSearchParams;
  body: Record<string, unknown>;
  token?: TokenInfo;
  /** The response's headers (permission checks add x-accepted-github-permissions). */
  headers: Record<string, string>;
}

/** What an endpoint needs: a classic scope (refused as 404) and fine-grained permission sets (any one set). */
interface Need {
  scope?: string;
  permissions: string[][];
}

const FINE_GRAINED_REFUSAL = 'Resource not accessible by personal access token';
const isRead = (method: string) => method === 'GET' || method === 'HEAD';

class HttpError extends Error {
  readonly status: number;
  readonly extra: Record<string, unknown>;
  readonly headers: Record<string, string>;
  constructor(status: number, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.extra = extra;
    this.headers = headers;
  }
}

const DOCS = 'https://docs.github.com/rest';
const notFound = () => new HttpError(404, 'Not Found', { documentation_url: DOCS, status: '404' });

export class GitHubServer {
  url = '';
  readonly webUrl = 'https://github.test';
  readonly tokens = new Map<string, TokenInfo>();
  readonly users = new Set<string>();
  readonly orgs = new Map<string, Set<string>>();
  readonly repos = new Map<string, Repo>();
  readonly faults: Fault[] = [];
  /** Plans without branch protection for private repositories (GitHub Free). */
  readonly freePlanOwners = new Set<string>();
  /** Primary rate limit: `limit` requests per token per `windowSeconds`. */
  primary = { limit: 5000, windowSeconds: 3600 };
  readonly buckets = new Map<string, { remaining: number; reset: number }>();
  /** Recursive tree listings are truncated above this (GitHub's limit by default; lower it in tests, or per repository). */
  readonly treeLimit = { ...GITHUB_TREE_LIMIT };
  /** Every request: method, path, query, status, time, the repository it concerned, and whether a tree was truncated. */
  readonly log: { method: string; path: string; query: string; status: number; at: number; repo?: string; truncated?: boolean }[] = [];
  private server?: Server;
  private nextId = 1;

  static async start(): Promise<GitHubServer> {
    const github = new GitHubServer();
    github.server = createServer((req, res) => void github.handle(req, res));
    github.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => github.server!.listen(0, '127.0.0.1', resolve));
    github.url = `http://127.0.0.1:${(github.server.address() as AddressInfo).port}`;
    return github;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  addToken(token: string, info: TokenInfo): this {
    if (info.scopes === null && !info.permissions) throw new Error(`token ${token}: a fine-grained token (scopes: null) needs its permissions`);
    this.tokens.set(token, info);
    this.users.add(info.login);
    return this;
  }

  addOrg(org: string, members: string[]): this {
    this.orgs.set(org.toLowerCase(), new Set(members.map((m) => m.toLowerCase())));
    return this;
  }

  inject(fault: Fault): this {
    this.faults.push({ ...fault, seen: 0 });
    return this;
  }

  repo(fullName: string): Repo | undefined {
    return this.repos.get(fullName.toLowerCase());
  }

  /** A repository with one commit holding `files` on its default branch (a fixture, not an API call). */
  seedRepo(owner: string, name: string, options: { files?: SeedFile[]; topics?: string[]; private?: boolean; description?: string; message?: string } = {}): Repo {
    const repo = this.newRepo(owner, name, { private: options.private ?? false, description: options.description ?? null });
    repo.topics = options.topics ?? [];
    if (options.files) {
      const flat = new Map(
        options.files.map((f) => {
          const content = Buffer.isBuffer(f.content) ? f.content : Buffer.from(f.content, 'utf8');
          return [f.path, { mode: f.mode ?? '100644', sha: this.store(repo, { type: 'blob', content }) }] as const;
        }),
      );
      const tree = this.buildTree(repo, flat);
      const who: Signature = { name: 'seed', email: 'seed@example.test', seconds: 1_700_000_000, offset: '+0000' };
      const commit = this.store(repo, { type: 'commit', commit: { tree, parents: [], author: who, committer: who, message: options.message ?? 'Initial commit\n' } });
      repo.refs.set(`refs/heads/${repo.defaultBranch}`, commit);
    }
    return repo;
  }

  /** path → content of a branch (or commit) of a repository: what a clone would check out. */
  files(fullName: string, ref?: string): Map<string, { content: Buffer; mode: string }> {
    const repo = this.repo(fullName)!;
    const commit = this.resolveCommit(repo, ref ?? repo.defaultBranch);
    const out = new Map<string, { content: Buffer; mode: string }>();
    for (const [path, entry] of this.flatten(repo, this.commitOf(repo, commit).tree)) {
      out.set(path, { content: (repo.objects.get(entry.sha) as { content: Buffer }).content, mode: entry.mode });
    }
    return out;
  }

  /** The commits of a branch, newest first. */
  history(fullName: string, branch?: string): { sha: string; commit: CommitObject }[] {
    const repo = this.repo(fullName)!;
    const out = [];
    let sha: string | undefined = repo.refs.get(`refs/heads/${branch ?? repo.defaultBranch}`);
    while (sha) {
      const commit = this.commitOf(repo, sha);
      out.push({ sha, commit });
      sha = commit.parents[0];
    }
    return out;
  }

  /** Requests that concerned one repository (or the org-level ones when `fullName` is undefined). */
  requestsFor(fullName: string | undefined): number {
    return this.log.filter((r) => r.repo === fullName?.toLowerCase()).length;
  }

  // ---------------------------------------------------------------- HTTP

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const arrived = Date.now(); // before the body is read: when the client sent the request
    const url = new URL(req.url ?? '/', 'http://localhost');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const method = req.method ?? 'GET';
    const path = decodeURIComponent(url.pathname);
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'x-github-api-version-selected': '2022-11-28',
      'x-github-request-id': randomUUID(),
    };
    const repoMatch = path.match(/^\/repos\/([^/]+)\/([^/]+)/);
    const entry: (typeof this.log)[number] = {
      method,
      path,
      query: url.search,
      status: 0,
      at: arrived,
      repo: repoMatch ? `${repoMatch[1]}/${repoMatch[2]}`.toLowerCase() : undefined,
    };
    this.log.push(entry);
    let status = 200;
    let payload: unknown;
    try {
      const auth = req.headers.authorization?.replace(/^(token|bearer)\s+/i, '');
      const token = auth ? this.tokens.get(auth) : undefined;
      if (auth && !token) throw new HttpError(401, 'Bad credentials', { documentation_url: DOCS, status: '401' });
      if (token?.scopes) headers['x-oauth-scopes'] = token.scopes.join(', ');
      this.rateLimit(auth ?? `ip`, method, `${method} ${path}`, headers);
      let body: Record<string, unknown> = {};
      if (text) {
        try {
          body = JSON.parse(text);
        } catch {
          throw new HttpError(400, 'Problems parsing JSON');
        }
      }
      [status, payload] = this.route({ method, path, query: url.searchParams, body, token, headers }, headers);
      if (status === 200 && (payload as { truncated?: boolean } | undefined)?.truncated) entry.truncated = true;
    } catch (error) {
      if (!(error instanceof HttpError)) {
        status = 500;
        payload = { message: `test server: ${(error as Error).stack}` };
      } else {
        status = error.status;
        payload = { message: error.message, ...error.extra };
        Object.assign(headers, error.headers);
      }
    }
    entry.status = status;
    res.writeHead(status, headers);
    res.end(status === 204 || payload === undefined ? undefined : JSON.stringify(payload));
  }

  private rateLimit(key: string, method: string, line: string, headers: Record<string, string>) {
    const now = Math.floor(Date.now() / 1000);
    let bucket = this.buckets.get(key);
    if (!bucket || now >= bucket.reset) {
      bucket = { remaining: this.primary.limit, reset: now + this.primary.windowSeconds };
      this.buckets.set(key, bucket);
    }
    const setHeaders = () =>
      Object.assign(headers, {
        'x-ratelimit-limit': String(this.primary.limit),
        'x-ratelimit-remaining': String(bucket.remaining),
        'x-ratelimit-reset': String(bucket.reset),
        'x-ratelimit-used': String(this.primary.limit - bucket.remaining),
        'x-ratelimit-resource': 'core',
      });
    const isWrite = method !== 'GET' && method !== 'HEAD';
    for (const fault of this.faults) {
      if (fault.writesOnly && !isWrite) continue;
      if (fault.match && !fault.match.test(line)) continue;
      if (!fault.every && (fault.times ?? 1) <= 0) continue;
      fault.seen = (fault.seen ?? 0) + 1;
      if (fault.every ? fault.seen % fault.every !== 0 : false) continue;
      if (!fault.every) fault.times = (fault.times ?? 1) - 1;
      if (fault.kind === 'primary') {
        bucket.remaining = 0;
        bucket.reset = now + (fault.seconds ?? 1);
        break;
      }
      setHeaders();
      if (fault.kind === 'secondary') {
        throw new HttpError(
          403,
          'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.',
          { documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits', status: '403' },
          { 'retry-after': String(fault.seconds ?? 1) },
        );
      }
      throw new HttpError(502, 'Server Error');
    }
    if (bucket.remaining <= 0) {
      setHeaders();
      const fault = this.faults.find((f) => f.kind === 'primary' && f.status);
      throw new HttpError(fault?.status ?? 403, `API rate limit exceeded for user. (But here's the good news: Authenticated requests get a higher rate limit.)`, {
        documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit',
        status: String(fault?.status ?? 403),
      });
    }
    bucket.remaining--;
    setHeaders();
  }

  private route(req: Request, headers: Record<string, string>): [number, unknown] {
    const { method, path } = req;
    const user = () => {
      if (!req.token) throw new HttpError(401, 'Requires authentication', { documentation_url: DOCS, status: '401' });
      return req.token;
    };
    let m: RegExpMatchArray | null;
    if (method === 'GET' && path === '/user') return [200, { login: user().login, id: 1, type: 'User', html_url: `${this.webUrl}/${user().login}` }];
    if (method === 'GET' && path === '/rate_limit') return [200, { resources: { core: { limit: this.primary.limit } } }];
    if (method === 'POST' && path === '/user/repos') {
      this.authorize(req, undefined, { scope: req.body.private ? 'repo' : 'public_repo', permissions: [['administration=write']] });
      return [201, this.repoJson(this.createRepoFromApi(user().login, req))];
    }
    if ((m = path.match(/^\/orgs\/([^/]+)$/)) && method === 'GET') {
      user();
      if (!this.orgs.has(m[1]!.toLowerCase())) throw notFound();
      return [200, { login: m[1], id: 2, type: 'Organization' }];
    }
    if ((m = path.match(/^\/orgs\/([^/]+)\/repos$/))) {
      const org = m[1]!;
      const members = this.orgs.get(org.toLowerCase());
      if (!members) throw notFound();
      if (method === 'POST') {
        this.authorize(req, undefined, { scope: req.body.private ? 'repo' : 'public_repo', permissions: [['administration=write']] });
        if (!members.has(user().login.toLowerCase())) throw new HttpError(403, 'You need admin access to the organization before adding a repository to it.');
        return [201, this.repoJson(this.createRepoFromApi(org, req))];
      }
      if (method === 'GET') {
        this.authorize(req, undefined, { permissions: [['metadata=read']] });
        const member = req.token !== undefined && members.has(req.token.login.toLowerCase());
        const list = [...this.repos.values()]
          .filter((r) => r.owner.toLowerCase() === org.toLowerCase() && (!r.private || (member && this.canSee(req.token, r))))
          .sort((a, b) => a.createdAt - b.createdAt || a.id - b.id)
          .map((r) => this.repoJson(r));
        return [200, this.paginate(req, list, headers)];
      }
    }
    if ((m = path.match(/^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/))) {
      const repo = this.repos.get(`${m[1]}/${m[2]}`.toLowerCase());
      const rest = m[3] ?? '';
      if (!repo) throw notFound();
      if (!this.canSee(req.token, repo)) throw notFound();
      return this.repoRoute(req, repo, rest, headers);
    }
    throw notFound();
  }

  private repoRoute(req: Request, repo: Repo, rest: string, headers: Record<string, string>): [number, unknown] {
    const { method, body } = req;
    /** A write: the classic repo/public_repo scope, or the fine-grained permission sets given. */
    const write = (...permissions: string[][]) => this.authorize(req, repo, { scope: repo.private ? 'repo' : 'public_repo', permissions });
    const read = (...permissions: string[][]) => this.authorize(req, repo, { permissions });
    let m: RegExpMatchArray | null;
    if (rest === '' && method === 'GET') {
      read(['metadata=read']);
      return [200, this.repoJson(repo)];
    }
    if (rest === '' && method === 'PATCH') {
      write(['administration=write']);
      if (typeof body.default_branch === 'string') {
        if (!repo.refs.has(`refs/heads/${body.default_branch}`)) throw this.validation('Repository', 'default_branch', 'invalid');
        repo.defaultBranch = body.default_branch;
      }
      if (body.description !== undefined) repo.description = body.description as string | null;
      return [200, this.repoJson(repo)];
    }
    if (rest === '/topics') {
      if (method === 'GET') {
        read(['metadata=read']);
        return [200, { names: repo.topics }];
      }
      if (method === 'PUT') {
        write(['administration=write']);
        const names = (body.names as string[] | undefined) ?? [];
        const bad = names.find((n) => !/^[a-z0-9][a-z0-9-]{0,49}$/.test(n));
        if (bad !== undefined) throw this.validation('Repository', 'topics', 'invalid', `"${bad}" is not a valid topic`);
        repo.topics = [...new Set(names)];
        return [200, { names: repo.topics }];
      }
    }
    if ((m = rest.match(/^\/branches\/(.+)\/protection$/))) {
      const branch = m[1]!;
      this.authorize(req, repo, { scope: 'repo', permissions: [[isRead(method) ? 'administration=read' : 'administration=write']] });
      if (!repo.refs.has(`refs/heads/${branch}`)) throw new HttpError(404, 'Branch not found', { documentation_url: DOCS });
      if (repo.private && this.freePlanOwners.has(repo.owner.toLowerCase())) {
        throw new HttpError(403, 'Upgrade to GitHub Pro or make this repository public to enable this feature.', { documentation_url: DOCS });
      }
      if (method === 'PUT') {
        for (const key of ['required_status_checks', 'enforce_admins', 'required_pull_request_reviews', 'restrictions']) {
          if (!(key in body)) throw new HttpError(422, `Invalid request.\n\n"${key}" wasn't supplied.`, { documentation_url: DOCS });
        }
        repo.protection.set(branch, body);
        return [200, { url: `${this.url}/repos/${repo.owner}/${repo.name}/branches/${branch}/protection`, ...body }];
      }
      if (method === 'GET') {
        if (!repo.protection.has(branch)) throw new HttpError(404, 'Branch not protected', { documentation_url: DOCS });
        return [200, repo.protection.get(branch)];
      }
    }
    if ((m = rest.match(/^\/contents\/(.+)$/)) && method === 'GET') {
      read(['contents=read']);
      if (repo.refs.size === 0) throw new HttpError(404, 'This repository is empty.', { documentation_url: DOCS });
      const commit = this.resolveCommit(repo, req.query.get('ref') ?? repo.defaultBranch);
      const entry = this.flatten(repo, this.commitOf(repo, commit).tree).get(m[1]!);
      if (!entry) throw notFound();
      const content = (repo.objects.get(entry.sha) as { content: Buffer }).content;
      return [200, { type: 'file', encoding: 'base64', size: content.length, name: m[1]!.split('/').pop(), path: m[1], sha: entry.sha, content: content.toString('base64') }];
    }
    if (rest.startsWith('/git/')) return this.gitRoute(req, repo, rest.slice(4), write, read);
    if (rest === '/pulls' || rest.startsWith('/pulls/') || rest.startsWith('/issues/')) return this.pullRoute(req, repo, rest, write, read, headers);
    throw notFound();
  }

  private gitRoute(req: Request, repo: Repo, rest: string, write: (...p: string[][]) => void, read: (...p: string[][]) => void): [number, unknown] {
    const { method, body } = req;
    const base = `${this.url}/repos/${repo.owner}/${repo.name}/git`;
    const empty = () => {
      if (repo.refs.size === 0) throw new HttpError(409, 'Git Repository is empty.', { documentation_url: DOCS, status: '409' });
    };
    let m: RegExpMatchArray | null;
    if (rest === '/blobs' && method === 'POST') {
      write(['contents=write']);
      empty();
      if (typeof body.content !== 'string') throw this.validation('Blob', 'content', 'missing_field');
      const content = Buffer.from(body.content, body.encoding === 'base64' ? 'base64' : 'utf8');
      const sha = this.store(repo, { type: 'blob', content });
      return [201, { sha, url: `${base}/blobs/${sha}` }];
    }
    if ((m = rest.match(/^\/blobs\/([0-9a-f]{40})$/)) && method === 'GET') {
      read(['contents=read']);
      const object = repo.objects.get(m[1]!);
      if (object?.type !== 'blob') throw notFound();
      return [200, { sha: m[1], node_id: m[1], size: object.content.length, url: `${base}/blobs/${m[1]}`, content: object.content.toString('base64'), encoding: 'base64' }];
    }
    if (rest === '/trees' && method === 'POST') {
      write(['contents=write']);
      empty();
      const flat = new Map<string, { mode: string; sha: string }>();
      if (body.base_tree) {
        const baseTree = repo.objects.get(body.base_tree as string);
        if (baseTree?.type !== 'tree') throw this.validation('Tree', 'base_tree', 'invalid', 'base_tree is not a valid tree oid');
        for (const [path, entry] of this.flatten(repo, body.base_tree as string)) flat.set(path, entry);
      }
      for (const item of (body.tree as { path: string; mode: string; type: string; sha?: string | null; content?: string }[]) ?? []) {
        if (!item.path || /^\/|\/$|(^|\/)\.\.?(\/|$)/.test(item.path)) throw this.validation('Tree', 'path', 'invalid', `tree.path contains a malformed path component`);
        if (!['100644', '100755', '120000'].includes(item.mode)) throw this.validation('Tree', 'mode', 'invalid', `tree.mode ${item.mode} is invalid`);
        if (item.sha === null) {
          flat.delete(item.path);
          continue;
        }
        let sha = item.sha;
        if (item.content !== undefined) sha = this.store(repo, { type: 'blob', content: Buffer.from(item.content, 'utf8') });
        else if (!sha || repo.objects.get(sha)?.type !== 'blob') throw this.validation('Tree', 'sha', 'invalid', `tree.sha ${sha} is not a valid blob`);
        flat.set(item.path, { mode: item.mode, sha: sha! });
      }
      const sha = this.buildTree(repo, flat);
      return [201, this.treeJson(repo, sha, false)];
    }
    if ((m = rest.match(/^\/trees\/(.+)$/)) && method === 'GET') {
      read(['contents=read']);
      empty();
      let sha = m[1]!;
      const object = repo.objects.get(sha);
      if (object?.type === 'commit') sha = object.commit.tree;
      else if (!object) sha = this.commitOf(repo, this.resolveCommit(repo, sha)).tree;
      return [200, this.treeJson(repo, sha, req.query.has('recursive') && req.query.get('recursive') !== '0' && req.query.get('recursive') !== 'false')];
    }
    if (rest === '/commits' && method === 'POST') {
      write(['contents=write']);
      empty();
      const tree = body.tree as string;
      if (repo.objects.get(tree)?.type !== 'tree') throw this.validation('Commit', 'tree', 'invalid', 'Tree SHA does not exist');
      const parents = (body.parents as string[] | undefined) ?? [];
      if (parents.some((p) => repo.objects.get(p)?.type !== 'commit')) throw this.validation('Commit', 'parents', 'invalid', 'Parent SHA does not exist or is not a commit object');
      const who = (value: unknown): Signature => {
        const p = value as { name?: string; email?: string; date?: string } | undefined;
        const login = req.token?.login ?? 'anonymous';
        return { name: p?.name ?? login, email: p?.email ?? `${login}@users.noreply.github.com`, ...parseDate(p?.date) };
      };
      const author = who(body.author);
      const committer = body.committer ? who(body.committer) : author;
      const commit: CommitObject = { tree, parents, author, committer, message: String(body.message ?? '') };
      const sha = this.store(repo, { type: 'commit', commit });
      return [201, this.commitJson(repo, sha)];
    }
    if ((m = rest.match(/^\/commits\/([0-9a-f]{40})$/)) && method === 'GET') {
      read(['contents=read']);
      if (repo.objects.get(m[1]!)?.type !== 'commit') throw notFound();
      return [200, this.commitJson(repo, m[1]!)];
    }
    if ((m = rest.match(/^\/ref\/(.+)$/)) && method === 'GET') {
      read(['contents=read']);
      empty();
      const ref = `refs/${m[1]}`;
      const sha = repo.refs.get(ref);
      if (!sha) throw notFound();
      return [200, this.refJson(repo, ref, sha)];
    }
    if ((m = rest.match(/^\/matching-refs\/(.*)$/)) && method === 'GET') {
      read(['contents=read']);
      const prefix = `refs/${m[1]}`;
      return [200, [...repo.refs].filter(([r]) => r.startsWith(prefix)).map(([r, s]) => this.refJson(repo, r, s))];
    }
    if (rest === '/refs' && method === 'POST') {
      write(['contents=write']);
      const ref = String(body.ref ?? '');
      if (!/^refs\/.+\/.+/.test(ref)) throw new HttpError(422, 'Reference name must start with \'refs/\' and have at least two slashes.', { documentation_url: DOCS });
      if (repo.refs.has(ref)) throw new HttpError(422, 'Reference already exists', { documentation_url: DOCS, status: '422' });
      const sha = String(body.sha ?? '');
      if (repo.objects.get(sha)?.type !== 'commit') throw new HttpError(422, 'Object does not exist', { documentation_url: DOCS });
      this.checkWorkflows(req, repo, sha);
      repo.refs.set(ref, sha);
      return [201, this.refJson(repo, ref, sha)];
    }
    if ((m = rest.match(/^\/refs\/(.+)$/)) && (method === 'PATCH' || method === 'DELETE')) {
      write(['contents=write']);
      const ref = `refs/${m[1]}`;
      const current = repo.refs.get(ref);
      if (!current) throw new HttpError(422, 'Reference does not exist', { documentation_url: DOCS });
      if (method === 'DELETE') {
        repo.refs.delete(ref);
        for (const pull of repo.pulls) if (pull.state === 'open' && `refs/heads/${pull.head}` === ref) pull.state = 'closed';
        return [204, undefined];
      }
      const sha = String(body.sha ?? '');
      if (repo.objects.get(sha)?.type !== 'commit') throw new HttpError(422, 'Object does not exist', { documentation_url: DOCS });
      if (!body.force && !this.isAncestor(repo, current, sha)) throw new HttpError(422, 'Update is not a fast forward', { documentation_url: DOCS });
      this.checkWorkflows(req, repo, sha);
      repo.refs.set(ref, sha);
      return [200, this.refJson(repo, ref, sha)];
    }
    throw notFound();
  }

  private pullRoute(
    req: Request,
    repo: Repo,
    rest: string,
    write: (...p: string[][]) => void,
    read: (...p: string[][]) => void,
    headers: Record<string, string>,
  ): [number, unknown] {
    const { method, body } = req;
    let m: RegExpMatchArray | null;
    if (rest === '/pulls' && method === 'GET') {
      read(['pull_requests=read']);
      const state = req.query.get('state') ?? 'open';
      const head = req.query.get('head');
      const baseRef = req.query.get('base');
      const list = repo.pulls
        .filter((p) => state === 'all' || p.state === state)
        .filter((p) => !head || head.toLowerCase() === `${repo.owner}:${p.head}`.toLowerCase())
        .filter((p) => !baseRef || p.base === baseRef)
        .sort((a, b) => b.number - a.number)
        .map((p) => this.pullJson(repo, p));
      return [200, this.paginate(req, list, headers)];
    }
    if (rest === '/pulls' && method === 'POST') {
      write(['pull_requests=write']);
      const head = String(body.head ?? '').replace(/^[^:]+:/, '');
      const baseRef = String(body.base ?? '');
      if (!body.title) throw this.validation('PullRequest', 'title', 'missing_field');
      const headSha = repo.refs.get(`refs/heads/${head}`);
      const baseSha = repo.refs.get(`refs/heads/${baseRef}`);
      if (!headSha) throw this.validation('PullRequest', 'head', 'invalid');
      if (!baseSha) throw this.validation('PullRequest', 'base', 'invalid');
      if (repo.pulls.some((p) => p.state === 'open' && p.head === head && p.base === baseRef)) {
        throw this.validation('PullRequest', undefined, 'custom', `A pull request already exists for ${repo.owner}:${head}.`);
      }
      if (headSha === baseSha || this.isAncestor(repo, headSha, baseSha)) throw this.validation('PullRequest', undefined, 'custom', `No commits between ${baseRef} and ${head}`);
      const now = new Date().toISOString();
      const pull: PullRequest = { number: repo.nextNumber++, state: 'open', title: String(body.title), body: String(body.body ?? ''), head, base: baseRef, labels: [], comments: [], created_at: now, updated_at: now };
      repo.pulls.push(pull);
      return [201, this.pullJson(repo, pull)];
    }
    if ((m = rest.match(/^\/pulls\/(\d+)$/))) {
      const pull = repo.pulls.find((p) => p.number === Number(m![1]));
      if (!pull) throw notFound();
      if (method === 'GET') {
        read(['pull_requests=read']);
        return [200, this.pullJson(repo, pull)];
      }
      if (method === 'PATCH') {
        write(['pull_requests=write']);
        if (body.title !== undefined) pull.title = String(body.title);
        if (body.body !== undefined) pull.body = String(body.body);
        if (body.state === 'closed' || body.state === 'open') pull.state = body.state;
        pull.updated_at = new Date().toISOString();
        return [200, this.pullJson(repo, pull)];
      }
    }
    if ((m = rest.match(/^\/issues\/(\d+)\/(labels|comments)$/))) {
      const pull = repo.pulls.find((p) => p.number === Number(m![1]));
      if (!pull) throw notFound();
      if (m[2] === 'labels' && method === 'POST') {
        write(['issues=write'], ['pull_requests=write']);
        const labels = (body.labels as (string | { name: string })[] | undefined) ?? [];
        for (const label of labels) {
          const name = typeof label === 'string' ? label : label.name;
          if (!pull.labels.includes(name)) pull.labels.push(name);
        }
        return [200, pull.labels.map((name) => ({ name, color: 'ededed' }))];
      }
      if (m[2] === 'comments' && method === 'POST') {
        write(['issues=write'], ['pull_requests=write']);
        if (!body.body) throw this.validation('IssueComment', 'body', 'missing_field');
        pull.comments.push(String(body.body));
        return [201, { id: this.nextId++, body: body.body }];
      }
      if (method === 'GET') read(['issues=read'], ['pull_requests=read']);
      if (m[2] === 'comments' && method === 'GET') return [200, this.paginate(req, pull.comments.map((b, i) => ({ id: i + 1, body: b })), headers)];
      if (m[2] === 'labels' && method === 'GET') return [200, pull.labels.map((name) => ({ name }))];
    }
    throw notFound();
  }

  // ---------------------------------------------------------------- helpers

  /** A classic token's scope (`repo` implies `public_repo`); a fine-grained token has none. */
  private hasScope(token: TokenInfo, scope: string): boolean {
    if (token.scopes === null) return false;
    if (token.scopes.includes(scope)) return true;
    return scope === 'public_repo' && token.scopes.includes('repo');
  }

  /** GitHub answers 404 (not 403) when a classic token lacks the scope, and says which scopes it accepts. */
  private needScope(req: Request, scope: string) {
    if (!req.token) throw new HttpError(401, 'Requires authentication', { documentation_url: DOCS });
    if (!this.hasScope(req.token, scope)) {
      throw new HttpError(404, 'Not Found', { documentation_url: DOCS, status: '404' }, { 'x-accepted-oauth-scopes': scope === 'public_repo' ? 'public_repo, repo' : scope });
    }
  }

  /** Whether a fine-grained token's repository selection includes the repository (no selection: all). */
  private selected(token: TokenInfo, repo: Repo): boolean {
    const full = `${repo.owner}/${repo.name}`.toLowerCase();
    return !token.repositories || token.repositories.some((r) => r.toLowerCase() === full);
  }

  /** Whether the repository exists for this caller: public ones for everyone, private ones per token. */
  private canSee(token: TokenInfo | undefined, repo: Repo): boolean {
    if (!repo.private) return true;
    if (!token) return false;
    return token.scopes !== null ? this.hasScope(token, 'repo') : this.selected(token, repo);
  }

  /** A fine-grained token holds `name=access` (write implies read; metadata read is always granted). */
  private grants(token: TokenInfo, permission: string): boolean {
    const [name, access] = permission.split('=') as [keyof Permissions, Access];
    if (name === 'metadata') return true;
    const held = token.permissions?.[name];
    return held === 'write' || (held === 'read' && access === 'read');
  }

  /**
   * The permission check of one endpoint. Classic tokens: the scope (404 when missing). Fine-grained tokens:
   * one of the permission sets (403 with x-accepted-github-permissions when none is held); reads of public
   * repositories need no permission; writes to a repository outside the token's selection are refused.
   */
  private authorize(req: Request, repo: Repo | undefined, need: Need) {
    const token = req.token;
    if (!token) {
      if (need.scope || !isRead(req.method)) throw new HttpError(401, 'Requires authentication', { documentation_url: DOCS, status: '401' });
      return;
    }
    if (token.scopes !== null) {
      if (need.scope) this.needScope(req, need.scope);
      return;
    }
    const accepted = need.permissions.map((set) => set.join(',')).join('; ');
    req.headers['x-accepted-github-permissions'] = accepted;
    const readOnly = need.permissions.some((set) => set.every((p) => p.endsWith('=read')));
    if (repo && !repo.private && readOnly) return;
    if ((!repo || this.selected(token, repo)) && need.permissions.some((set) => set.every((p) => this.grants(token, p)))) return;
    throw new HttpError(403, FINE_GRAINED_REFUSAL, { documentation_url: DOCS, status: '403' }, { 'x-accepted-github-permissions': accepted });
  }

  /**
   * Pointing a reference at `sha` adds the commits reachable from it that no reference reached before; when
   * one of them changes .github/workflows/ (against its first parent, or adds it as a root commit) the token
   * needs the classic workflow scope (refused as 404) or the fine-grained workflows permission (403).
   */
  private checkWorkflows(req: Request, repo: Repo, sha: string) {
    const token = req.token;
    if (!token || !this.changesWorkflows(repo, sha)) return;
    if (token.scopes !== null) {
      if (!this.hasScope(token, 'workflow')) throw new HttpError(404, 'Not Found', { documentation_url: DOCS, status: '404' }, { 'x-accepted-oauth-scopes': 'workflow' });
      return;
    }
    const accepted = 'contents=write,workflows=write';
    req.headers['x-accepted-github-permissions'] = accepted;
    if (!this.grants(token, 'workflows=write')) {
      throw new HttpError(403, FINE_GRAINED_REFUSAL, { documentation_url: DOCS, status: '403' }, { 'x-accepted-github-permissions': accepted });
    }
  }

  private changesWorkflows(repo: Repo, sha: string): boolean {
    const known = new Set<string>();
    const walk = (from: string, visit: (commit: string) => boolean) => {
      const stack = [from];
      while (stack.length) {
        const commit = stack.pop()!;
        if (!visit(commit)) continue;
        stack.push(...this.commitOf(repo, commit).parents);
      }
    };
    for (const target of repo.refs.values()) walk(target, (c) => !known.has(c) && Boolean(known.add(c)));
    const fresh: string[] = [];
    walk(sha, (c) => !known.has(c) && !fresh.includes(c) && fresh.push(c) > 0);
    const workflows = (commit: string | undefined) =>
      new Map(
        commit === undefined
          ? []
          : [...this.flatten(repo, this.commitOf(repo, commit).tree)].filter(([p]) => p.startsWith('.github/workflows/')).map(([p, e]) => [p, `${e.mode} ${e.sha}`]),
      );
    return fresh.some((commit) => {
      const after = workflows(commit);
      const before = workflows(this.commitOf(repo, commit).parents[0]);
      return after.size !== before.size || [...after].some(([p, v]) => before.get(p) !== v);
    });
  }

  private validation(resource: string, field: string | undefined, code: string, message?: string) {
    return new HttpError(422, message && code === 'custom' ? 'Validation Failed' : 'Validation Failed', {
      errors: [{ resource, ...(field ? { field } : {}), code, ...(message ? { message } : {}) }],
      documentation_url: DOCS,
      status: '422',
    });
  }

  private paginate<T>(req: Request, items: T[], headers: Record<string, string>): T[] {
    const perPage = Math.min(100, Math.max(1, Number(req.query.get('per_page') ?? 30) || 30));
    const page = Math.max(1, Number(req.query.get('page') ?? 1) || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (p: number, rel: string) => {
      const query = new URLSearchParams(req.query);
      query.set('per_page', String(perPage));
      query.set('page', String(p));
      return `<${this.url}${req.path}?${query}>; rel="${rel}"`;
    };
    const links = [];
    if (page > 1) links.push(link(page - 1, 'prev'));
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    if (page > 1) links.push(link(1, 'first'));
    if (links.length) headers.link = links.join(', ');
    return items.slice((page - 1) * perPage, page * perPage);
  }

  private newRepo(owner: string, name: string, options: { private: boolean; description: string | null }): Repo {
    const repo: Repo = {
      id: this.nextId++,
      owner,
      name,
      private: options.private,
      description: options.description,
      topics: [],
      defaultBranch: 'main',
      archived: false,
      refs: new Map(),
      objects: new Map(),
      protection: new Map(),
      pulls: [],
      nextNumber: 1,
      createdAt: Date.now(),
    };
    this.repos.set(`${owner}/${name}`.toLowerCase(), repo);
    return repo;
  }

  private createRepoFromApi(owner: string, req: Request): Repo {
    const name = String(req.body.name ?? '');
    if (!/^[A-Za-z0-9._-]{1,100}$/.test(name)) throw this.validation('Repository', 'name', 'custom', 'name is invalid');
    if (this.repos.has(`${owner}/${name}`.toLowerCase())) {
      throw new HttpError(422, 'Repository creation failed.', {
        errors: [{ resource: 'Repository', code: 'custom', field: 'name', message: 'name already exists on this account' }],
        documentation_url: DOCS,
        status: '422',
      });
    }
    const repo = this.newRepo(owner, name, { private: Boolean(req.body.private), description: (req.body.description as string | undefined) ?? null });
    if (req.body.auto_init) {
      const blob = this.store(repo, { type: 'blob', content: Buffer.from(`# ${name}\n${repo.description ? `\n${repo.description}\n` : ''}`) });
      const tree = this.buildTree(repo, new Map([['README.md', { mode: '100644', sha: blob }]]));
      const login = req.token!.login;
      const who: Signature = { name: login, email: `${login}@users.noreply.github.com`, ...parseDate(undefined) };
      const commit = this.store(repo, { type: 'commit', commit: { tree, parents: [], author: who, committer: who, message: 'Initial commit' } });
      repo.refs.set('refs/heads/main', commit);
    }
    return repo;
  }

  private store(repo: Repo, object: GitObject): string {
    const sha = object.type === 'blob' ? blobSha(object.content) : object.type === 'tree' ? treeSha(object.entries) : commitSha(object.commit);
    if (object.type === 'tree') object.entries = sortEntries(object.entries);
    repo.objects.set(sha, object);
    return sha;
  }

  /** Builds nested trees from path → blob and returns the root tree's SHA. */
  private buildTree(repo: Repo, flat: Map<string, { mode: string; sha: string }>): string {
    const build = (prefix: string): string => {
      const entries: TreeEntry[] = [];
      const dirs = new Set<string>();
      for (const [path, entry] of flat) {
        if (!path.startsWith(prefix)) continue;
        const rest = path.slice(prefix.length);
        const slash = rest.indexOf('/');
        if (slash === -1) entries.push({ name: rest, mode: entry.mode, type: 'blob', sha: entry.sha });
        else dirs.add(rest.slice(0, slash));
      }
      for (const dir of dirs) entries.push({ name: dir, mode: '040000', type: 'tree', sha: build(`${prefix}${dir}/`) });
      return this.store(repo, { type: 'tree', entries });
    };
    return build('');
  }

  private flatten(repo: Repo, tree: string, prefix = '', out = new Map<string, { mode: string; sha: string }>()) {
    const object = repo.objects.get(tree);
    if (object?.type !== 'tree') throw notFound();
    for (const entry of object.entries) {
      if (entry.type === 'tree') this.flatten(repo, entry.sha, `${prefix}${entry.name}/`, out);
      else out.set(`${prefix}${entry.name}`, { mode: entry.mode, sha: entry.sha });
    }
    return out;
  }

  private resolveCommit(repo: Repo, ref: string): string {
    if (repo.objects.get(ref)?.type === 'commit') return ref;
    const sha = repo.refs.get(ref.startsWith('refs/') ? ref : `refs/heads/${ref}`);
    if (!sha) throw notFound();
    return sha;
  }

  private commitOf(repo: Repo, sha: string): CommitObject {
    const object = repo.objects.get(sha);
    if (object?.type !== 'commit') throw notFound();
    return object.commit;
  }

  private isAncestor(repo: Repo, ancestor: string, of: string): boolean {
    const queue = [of];
    const seen = new Set<string>();
    while (queue.length) {
      const sha = queue.pop()!;
      if (sha === ancestor) return true;
      if (seen.has(sha)) continue;
      seen.add(sha);
      queue.push(...this.commitOf(repo, sha).parents);
    }
    return false;
  }

  private repoJson(repo: Repo) {
    const full = `${repo.owner}/${repo.name}`;
    return {
      id: repo.id,
      node_id: `R_${repo.id}`,
      name: repo.name,
      full_name: full,
      owner: { login: repo.owner, type: this.orgs.has(repo.owner.toLowerCase()) ? 'Organization' : 'User' },
      private: repo.private,
      visibility: repo.private ? 'private' : 'public',
      html_url: `${this.webUrl}/${full}`,
      clone_url: `${this.webUrl}/${full}.git`,
      url: `${this.url}/repos/${full}`,
      description: repo.description,
      default_branch: repo.defaultBranch,
      topics: repo.topics,
      archived: repo.archived,
      fork: false,
      size: repo.refs.size ? 1 : 0,
    };
  }

  private treeJson(repo: Repo, sha: string, recursive: boolean) {
    const object = repo.objects.get(sha);
    if (object?.type !== 'tree') throw notFound();
    const base = `${this.url}/repos/${repo.owner}/${repo.name}/git`;
    const entry = (path: string, e: { mode: string; type: string; sha: string }) => ({
      path,
      mode: e.mode,
      type: e.type,
      sha: e.sha,
      ...(e.type === 'blob' ? { size: (repo.objects.get(e.sha) as { content: Buffer }).content.length } : {}),
      url: `${base}/${e.type}s/${e.sha}`,
    });
    // A recursive listing stops at the limit (entries, or bytes of the entries as JSON) and says truncated:
    // GitHub returns what fitted and asks for subtrees to be fetched one at a time, non-recursively.
    const entries: ReturnType<typeof entry>[] = [];
    const limit = repo.treeLimit ?? this.treeLimit;
    let bytes = 1; // the JSON array's brackets; each entry adds its length and a comma
    let truncated = false;
    const walk = (tree: string, prefix: string) => {
      for (const e of (repo.objects.get(tree) as { entries: TreeEntry[] }).entries) {
        if (truncated) return;
        const item = entry(`${prefix}${e.name}`, e);
        bytes += JSON.stringify(item).length + 1;
        if (recursive && (entries.length >= limit.entries || bytes > limit.bytes)) {
          truncated = true;
          return;
        }
        entries.push(item);
        if (recursive && e.type === 'tree') walk(e.sha, `${prefix}${e.name}/`);
      }
    };
    walk(sha, '');
    return { sha, url: `${base}/trees/${sha}`, tree: entries, truncated };
  }

  private commitJson(repo: Repo, sha: string) {
    const c = this.commitOf(repo, sha);
    const base = `${this.url}/repos/${repo.owner}/${repo.name}/git`;
    const person = (s: Signature) => ({ name: s.name, email: s.email, date: formatDate(s) });
    return {
      sha,
      node_id: sha,
      url: `${base}/commits/${sha}`,
      author: person(c.author),
      committer: person(c.committer),
      message: c.message,
      tree: { sha: c.tree, url: `${base}/trees/${c.tree}` },
      parents: c.parents.map((p) => ({ sha: p, url: `${base}/commits/${p}` })),
      verification: { verified: false, reason: 'unsigned', signature: null, payload: null },
    };
  }

  private refJson(repo: Repo, ref: string, sha: string) {
    const base = `${this.url}/repos/${repo.owner}/${repo.name}/git`;
    return { ref, node_id: ref, url: `${base}/${ref}`, object: { sha, type: 'commit', url: `${base}/commits/${sha}` } };
  }

  private pullJson(repo: Repo, p: PullRequest) {
    const full = `${repo.owner}/${repo.name}`;
    return {
      id: p.number + 1000,
      number: p.number,
      state: p.state,
      title: p.title,
      body: p.body,
      html_url: `${this.webUrl}/${full}/pull/${p.number}`,
      labels: p.labels.map((name) => ({ name })),
      head: { ref: p.head, label: `${repo.owner}:${p.head}`, sha: repo.refs.get(`refs/heads/${p.head}`) ?? null, repo: { full_name: full } },
      base: { ref: p.base, label: `${repo.owner}:${p.base}`, sha: repo.refs.get(`refs/heads/${p.base}`) ?? null, repo: { full_name: full } },
      created_at: p.created_at,
      updated_at: p.updated_at,
      merged_at: null,
    };
  }
}
