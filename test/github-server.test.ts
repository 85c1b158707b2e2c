// The local GitHub server is as strict as GitHub: fine-grained token permissions per endpoint (403 "Resource not
// accessible by personal access token" with x-accepted-github-permissions), repository selection, classic scopes
// (404 with x-accepted-oauth-scopes), truncated recursive trees; and the client's side of it: readTree reads a
// truncated tree completely, describeApiError names the missing permission.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubServer, type Permissions } from './github-server/index.ts';
import { createClient, describeApiError } from '../github/client.ts';
import { readTree, type TreeItem } from '../github/git-data.ts';

let github: GitHubServer;
const REFUSED = 'Resource not accessible by personal access token';
const ALL: Permissions = { contents: 'write', pull_requests: 'write', issues: 'write', administration: 'write', workflows: 'write' };
const TOKENS: Record<string, Permissions> = {
  'fg-none': {},
  'fg-read': { contents: 'read', pull_requests: 'read', issues: 'read', administration: 'read' },
  'fg-contents': { contents: 'write' },
  'fg-no-workflows': { contents: 'write', pull_requests: 'write', administration: 'write' },
  'fg-pulls': { pull_requests: 'write' },
  'fg-issues': { issues: 'write' },
  'fg-all': ALL,
};

interface Answer {
  status: number;
  headers: Headers;
  body: { message?: string; truncated?: boolean; tree?: { path: string }[]; sha?: string; name?: string }[] & Record<string, unknown>;
}

async function call(token: string | undefined, method: string, path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${github.url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `token ${token}` } : {}), 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

const WORKFLOW = 'on: push\njobs: {}\n';
/** A commit on top of main in acme/private-one: `files` added (text), from the token `fg-all`. */
async function commitOnMain(files: Record<string, string>): Promise<string> {
  const main = github.repo('acme/private-one')!.refs.get('refs/heads/main')!;
  const base = await call('fg-all', 'GET', `/repos/acme/private-one/git/commits/${main}`);
  const tree = await call('fg-all', 'POST', '/repos/acme/private-one/git/trees', {
    base_tree: (base.body as unknown as { tree: { sha: string } }).tree.sha,
    tree: Object.entries(files).map(([path, content]) => ({ path, mode: '100644', type: 'blob', content })),
  });
  const commit = await call('fg-all', 'POST', '/repos/acme/private-one/git/commits', { message: 'change\n', tree: tree.body.sha, parents: [main] });
  return commit.body.sha as unknown as string;
}

beforeAll(async () => {
  github = await GitHubServer.start();
  for (const [token, permissions] of Object.entries(TOKENS)) github.addToken(token, { login: 'alice', scopes: null, permissions });
  github.addToken('fg-selected', { login: 'alice', scopes: null, permissions: ALL, repositories: ['acme/private-two'] });
  github.addToken('classic-full', { login: 'alice', scopes: ['repo', 'workflow', 'read:org'] });
  github.addToken('classic-no-workflow', { login: 'alice', scopes: ['repo', 'read:org'] });
  github.addOrg('acme', ['alice']);
  const files = [
    { path: 'README.md', content: '# one\n' },
    { path: '.github/workflows/ci.yml', content: WORKFLOW },
  ];
  const one = github.seedRepo('acme', 'private-one', { files, private: true });
  one.pulls.push({ number: 1, state: 'open', title: 't', body: '', head: 'main', base: 'main', labels: [], comments: [], created_at: '', updated_at: '' });
  one.nextNumber = 2;
  github.seedRepo('acme', 'private-two', { files, private: true });
  github.seedRepo('acme', 'public-one', { files });
});
afterAll(() => github?.close());

describe('fine-grained tokens: each endpoint checks the permission GitHub documents', () => {
  // [method, path, body, accepted permission sets (the header), a token without them, a token with them]
  const P = '/repos/acme/private-one';
  const rows: [string, string, unknown, string, string, string][] = [
    ['GET', `${P}/contents/README.md`, undefined, 'contents=read', 'fg-none', 'fg-read'],
    ['GET', `${P}/git/trees/main?recursive=1`, undefined, 'contents=read', 'fg-pulls', 'fg-read'],
    ['GET', `${P}/git/ref/heads/main`, undefined, 'contents=read', 'fg-none', 'fg-read'],
    ['POST', `${P}/git/blobs`, { content: 'x', encoding: 'utf-8' }, 'contents=write', 'fg-read', 'fg-contents'],
    ['POST', `${P}/git/trees`, { tree: [{ path: 'a.txt', mode: '100644', type: 'blob', content: 'a' }] }, 'contents=write', 'fg-read', 'fg-contents'],
    ['POST', `${P}/git/refs`, { ref: 'refs/heads/x', sha: '0'.repeat(40) }, 'contents=write', 'fg-read', 'fg-contents'],
    ['GET', `${P}/pulls`, undefined, 'pull_requests=read', 'fg-contents', 'fg-read'],
    ['POST', `${P}/pulls`, { title: 't', head: 'nope', base: 'main' }, 'pull_requests=write', 'fg-read', 'fg-pulls'],
    ['PATCH', `${P}/pulls/1`, { title: 'u' }, 'pull_requests=write', 'fg-issues', 'fg-pulls'],
    ['POST', `${P}/issues/1/labels`, { labels: ['a'] }, 'issues=write; pull_requests=write', 'fg-contents', 'fg-issues'],
    ['POST', `${P}/issues/1/comments`, { body: 'c' }, 'issues=write; pull_requests=write', 'fg-read', 'fg-pulls'],
    ['PUT', `${P}/topics`, { names: ['iot-platform'] }, 'administration=write', 'fg-read', 'fg-no-workflows'],
    ['PATCH', P, { description: 'd' }, 'administration=write', 'fg-contents', 'fg-no-workflows'],
    ['GET', `${P}/branches/main/protection`, undefined, 'administration=read', 'fg-contents', 'fg-read'],
    ['PUT', `${P}/branches/main/protection`, { required_status_checks: null, enforce_admins: false, required_pull_request_reviews: null, restrictions: null }, 'administration=write', 'fg-read', 'fg-no-workflows'],
    ['POST', '/orgs/acme/repos', { name: 'new-one' }, 'administration=write', 'fg-contents', 'fg-no-workflows'],
    ['POST', '/user/repos', { name: 'mine' }, 'administration=write', 'fg-read', 'fg-no-workflows'],
  ];
  const cases = rows.map(([method, path, body, accepted, without, withIt]) => ({ method, path, body, accepted, without, withIt }));
  it.each(cases)('$method $path needs $accepted', async ({ method, path, body, accepted, without, withIt }) => {
    const refused = await call(without, method, path, body);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ message: REFUSED, status: '403' });
    expect(refused.headers.get('x-accepted-github-permissions')).toBe(accepted);
    const allowed = await call(withIt, method, path, body);
    expect(allowed.status).not.toBe(403); // past the permission check (some bodies are then invalid: 404/422)
    expect(allowed.status).toBeLessThan(500);
    expect(allowed.headers.get('x-accepted-github-permissions')).toBe(accepted); // sent on success too
  });

  it('metadata is always readable; public repositories are readable without any permission but not writable', async () => {
    expect((await call('fg-none', 'GET', '/repos/acme/private-one')).status).toBe(200);
    expect((await call('fg-none', 'GET', '/repos/acme/private-one/topics')).status).toBe(200);
    expect((await call('fg-none', 'GET', '/repos/acme/public-one/contents/README.md')).status).toBe(200);
    const write = await call('fg-read', 'POST', '/repos/acme/public-one/git/blobs', { content: 'x' });
    expect([write.status, write.body.message]).toEqual([403, REFUSED]);
  });

  it('repository selection: private repositories outside it do not exist for the token, public ones are read-only', async () => {
    expect((await call('fg-selected', 'GET', '/repos/acme/private-one')).status).toBe(404);
    expect((await call('fg-selected', 'GET', '/repos/acme/private-two')).status).toBe(200);
    const listed = await call('fg-selected', 'GET', '/orgs/acme/repos?per_page=100');
    const publicOnes = [...github.repos.values()].filter((r) => r.owner === 'acme' && !r.private).map((r) => r.name);
    expect((listed.body as { name: string }[]).map((r) => r.name).sort()).toEqual([...publicOnes, 'private-two'].sort());
    expect((await call('fg-selected', 'POST', '/repos/acme/public-one/git/blobs', { content: 'x' })).status).toBe(403);
    expect((await call('fg-selected', 'POST', '/repos/acme/private-two/git/blobs', { content: 'x' })).status).toBe(201);
    const all = await call('fg-all', 'GET', '/orgs/acme/repos?per_page=100');
    expect((all.body as { name: string }[]).map((r) => r.name)).toContain('private-one');
  });

  it('a reference gaining commits that change .github/workflows/ needs workflows: write as well; other commits do not', async () => {
    const touching = await commitOnMain({ '.github/workflows/ci.yml': `${WORKFLOW}# changed\n` });
    const refused = await call('fg-no-workflows', 'POST', '/repos/acme/private-one/git/refs', { ref: 'refs/heads/wf', sha: touching });
    expect([refused.status, refused.body.message, refused.headers.get('x-accepted-github-permissions')]).toEqual([403, REFUSED, 'contents=write,workflows=write']);
    const moved = await call('fg-no-workflows', 'PATCH', '/repos/acme/private-one/git/refs/heads/main', { sha: touching, force: true });
    expect(moved.status).toBe(403);
    const plain = await commitOnMain({ 'docs/notes.md': 'notes\n' });
    expect((await call('fg-no-workflows', 'POST', '/repos/acme/private-one/git/refs', { ref: 'refs/heads/plain', sha: plain })).status).toBe(201);
    expect((await call('fg-all', 'POST', '/repos/acme/private-one/git/refs', { ref: 'refs/heads/wf', sha: touching })).status).toBe(201);
    // Once a reference reaches the commit, another reference to it adds nothing new.
    expect((await call('fg-no-workflows', 'POST', '/repos/acme/private-one/git/refs', { ref: 'refs/heads/wf-2', sha: touching })).status).toBe(201);
  });

  it('classic tokens keep scopes: x-oauth-scopes on every answer, 404 with x-accepted-oauth-scopes when one is missing', async () => {
    const ok = await call('classic-full', 'GET', '/repos/acme/private-one/contents/README.md');
    expect([ok.status, ok.headers.get('x-oauth-scopes'), ok.headers.get('x-accepted-github-permissions')]).toEqual([200, 'repo, workflow, read:org', null]);
    const touching = await commitOnMain({ '.github/workflows/other.yml': WORKFLOW });
    const refused = await call('classic-no-workflow', 'POST', '/repos/acme/private-one/git/refs', { ref: 'refs/heads/classic', sha: touching });
    expect([refused.status, refused.body.message, refused.headers.get('x-accepted-oauth-scopes')]).toEqual([404, 'Not Found', 'workflow']);
    expect(() => github.addToken('fg-nothing', { login: 'alice', scopes: null })).toThrow(/needs its permissions/);
  });
});

describe('describeApiError names the permission a fine-grained token lacks', () => {
  const refusal = async (token: string, run: (client: ReturnType<typeof createClient>) => Promise<unknown>, what: string, repo?: string) => {
    const client = createClient({ env: { GITHUB_TOKEN: token, GITHUB_API_URL: github.url }, writeIntervalMs: 0 });
    const error = await run(client).then(() => undefined, (e: unknown) => e);
    expect(error).toBeDefined();
    return describeApiError(error, what, [], { granted: client.granted, repo });
  };
  const settings = 'in its settings (GitHub → Settings → Developer settings → Fine-grained tokens)';

  it('one permission, alternatives, and the one left once the others proved themselves', async () => {
    const ref = { owner: 'acme', repo: 'private-one' };
    expect(await refusal('fg-read', (c) => c.octokit.rest.pulls.create({ ...ref, title: 't', head: 'main', base: 'main' }), 'opening the pull request', 'acme/private-one')).toBe(
      `opening the pull request: the fine-grained token lacks Pull requests: Read and write for acme/private-one (GitHub: 403 ${REFUSED}); grant it, with acme/private-one in the token's repository access, ${settings}`,
    );
    expect(await refusal('fg-read', (c) => c.octokit.rest.issues.addLabels({ ...ref, issue_number: 1, labels: ['x'] }), 'labelling')).toBe(
      `labelling: the fine-grained token lacks Issues: Read and write or Pull requests: Read and write (GitHub: 403 ${REFUSED}); grant it ${settings}`,
    );
    const touching = await commitOnMain({ '.github/workflows/third.yml': WORKFLOW });
    // The client proves contents: write first (a tree), so the refusal of the reference names Workflows alone.
    const pushed = await refusal(
      'fg-no-workflows',
      async (c) => {
        await c.octokit.rest.git.createTree({ ...ref, tree: [{ path: 'b.txt', mode: '100644', type: 'blob', content: 'b' }] });
        await c.octokit.rest.git.createRef({ ...ref, ref: 'refs/heads/third', sha: touching });
      },
      'pushing',
    );
    expect(pushed).toBe(`pushing: the fine-grained token lacks Workflows: Read and write, which pushing .github/workflows needs (GitHub: 403 ${REFUSED}); grant it ${settings}`);
    const unproven = await refusal('fg-no-workflows', (c) => c.octokit.rest.git.createRef({ ...ref, ref: 'refs/heads/third', sha: touching }), 'pushing');
    expect(unproven).toMatch(/^pushing: the fine-grained token lacks Contents: Read and write and Workflows: Read and write, which pushing/);
    // A classic token's 404 names the scope GitHub accepts and the token's own.
    const classic = await refusal('classic-no-workflow', (c) => c.octokit.rest.git.createRef({ ...ref, ref: 'refs/heads/third', sha: touching }), 'pushing');
    expect(classic).toBe('pushing: the GitHub token lacks the scope workflow, which pushing .github/workflows needs (it has: repo, read:org); add it (gh auth refresh -s workflow) or use a token that has it');
  });
});

describe('truncated trees', () => {
  // 3 top-level folders of 4 sub-folders of 5 files (+ 2 root files): 2 + 3 + 12 + 60 = 77 entries.
  const files = [
    { path: 'a.txt', content: 'a\n' },
    { path: 'z.txt', content: 'z\n' },
    ...['src', 'docs', 'flink'].flatMap((top) =>
      [1, 2, 3, 4].flatMap((sub) => [1, 2, 3, 4, 5].map((n) => ({ path: `${top}/part-${sub}/file-${n}.txt`, content: `${top} ${sub} ${n}\n` }))),
    ),
  ];
  const sorted = (items: TreeItem[]) => items.map((e) => `${e.type} ${e.mode} ${e.sha} ${e.path}`).sort();

  it('the server truncates a recursive listing at its entry and byte limits, never a non-recursive one', async () => {
    github.seedRepo('acme', 'deep', { files });
    try {
      const whole = await call('fg-all', 'GET', '/repos/acme/deep/git/trees/main?recursive=1');
      expect([whole.body.truncated, (whole.body.tree as unknown[]).length]).toEqual([false, 77]);
      github.treeLimit.entries = 10;
      const cut = await call('fg-all', 'GET', '/repos/acme/deep/git/trees/main?recursive=1');
      expect([cut.body.truncated, (cut.body.tree as unknown[]).length]).toEqual([true, 10]);
      const top = await call('fg-all', 'GET', '/repos/acme/deep/git/trees/main');
      expect([top.body.truncated, (top.body.tree as unknown[]).length]).toEqual([false, 5]);
      github.treeLimit.entries = 100_000;
      github.treeLimit.bytes = 2_000;
      const bytes = await call('fg-all', 'GET', '/repos/acme/deep/git/trees/main?recursive=1');
      expect(bytes.body.truncated).toBe(true);
      expect(JSON.stringify(bytes.body.tree).length).toBeLessThanOrEqual(2_000);
    } finally {
      Object.assign(github.treeLimit, { entries: 100_000, bytes: 7 * 1024 * 1024 });
    }
  });

  it('readTree reads a truncated tree completely: the same entries as one untruncated listing', async () => {
    const client = createClient({ env: { GITHUB_TOKEN: 'fg-all', GITHUB_API_URL: github.url }, writeIntervalMs: 0 });
    const ref = { owner: 'acme', repo: 'deep' };
    const before = github.log.length;
    const whole = await readTree(client.octokit, ref, 'main');
    expect(whole.entries).toHaveLength(77);
    expect(github.log.length - before).toBe(1);
    // 8: each top folder (24 entries) is still too large and is split again; its parts (6 entries) are not.
    github.treeLimit.entries = 8;
    try {
      const start = github.log.length;
      const split = await readTree(client.octokit, ref, 'main');
      expect(split.sha).toBe(whole.sha);
      expect(sorted(split.entries)).toEqual(sorted(whole.entries));
      const requests = github.log.slice(start);
      expect(requests.filter((r) => r.truncated)).toHaveLength(4); // the root and the three top folders
      expect(requests.filter((r) => !r.query.includes('recursive'))).toHaveLength(4); // each listed non-recursively once
      expect(requests).toHaveLength(1 + 1 + 3 * (1 + 1 + 4)); // root: recursive + flat; per top folder: recursive + flat + 4 parts
    } finally {
      github.treeLimit.entries = 100_000;
    }
  });
});
