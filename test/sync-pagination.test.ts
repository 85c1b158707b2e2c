// `sync --org` over an organisation of 130 repositories: the listing crosses GitHub's 100-per-page limit, so
// it must follow the Link header. The repositories are cheap: a platform manifest at today's version and a
// lock file (up to date: sync reads them and has nothing to do), some without the topic (found by their
// manifest), one with the topic but no manifest, one archived, a few unrelated.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubServer } from './github-server/index.ts';
import { githubEnv, runCliAsync } from './github-server/cli.ts';
import { GIT_ENV } from './helpers/git.ts';
import { platformVersion } from '../renderer/package-root.ts';

const COUNT = 130;
const work = mkdtempSync(join(tmpdir(), 'iotp-sync-pages-'));
let github: GitHubServer;
const name = (i: number) => `unit-${String(i).padStart(3, '0')}`;
/** What each repository is, by its number (1-based, in creation order = listing order). */
const kind = (i: number) =>
  i === 57 ? 'archived' : i === 64 || i === 128 ? 'unrelated' : i === 101 ? 'topic-only' : i % 10 === 0 ? 'manifest-only' : 'generated';

beforeAll(async () => {
  github = await GitHubServer.start();
  github.addToken('tok', { login: 'alice', scopes: ['repo', 'workflow', 'read:org'] });
  github.addOrg('many', ['alice']);
  const project = [
    { path: 'iot-platform.yaml', content: `apiVersion: 1\nplatform:\n  version: ${platformVersion()}\n` },
    { path: '.iot-platform/lock.json', content: '{}\n' },
  ];
  const readme = (i: number) => [{ path: 'README.md', content: `# ${name(i)}\n` }];
  for (let i = 1; i <= COUNT; i++) {
    const k = kind(i);
    const topics = k === 'generated' || k === 'topic-only' || k === 'archived' ? ['iot-platform'] : [];
    const repo = github.seedRepo('many', name(i), { files: k === 'unrelated' || k === 'topic-only' ? readme(i) : project, topics });
    repo.archived = k === 'archived';
  }
});
afterAll(async () => {
  await github?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('sync over more than 100 repositories', { timeout: 300_000 }, () => {
  it('lists every page and reports every generated repository exactly once', async () => {
    const result = await runCliAsync(['sync', '--org', 'many', '--report', join(work, 'many')], {
      cwd: work,
      env: githubEnv(github.url, 'tok', { ...GIT_ENV, IOTP_GITHUB_WRITE_INTERVAL_MS: '0' }),
      timeoutMs: 300_000,
    });
    expect(result.stderr).toBe('');
    expect(result.code, result.stdout.slice(-3000)).toBe(0);
    const pages = github.log.filter((r) => r.method === 'GET' && r.path === '/orgs/many/repos');
    expect(pages.map((r) => new URLSearchParams(r.query).get('page') ?? '1')).toEqual(['1', '2']);
    expect(pages.every((r) => new URLSearchParams(r.query).get('per_page') === '100')).toBe(true);

    const all = Array.from({ length: COUNT }, (_, n) => n + 1);
    const expected = all.filter((i) => !['archived', 'unrelated'].includes(kind(i))).map((i) => `many/${name(i)}`);
    const report = JSON.parse(readFileSync(join(work, 'many.json'), 'utf8')) as { repositories: { repository: string; status: string }[] };
    expect(report.repositories.map((r) => r.repository)).toEqual(expected); // listing order, each once, past repository 100
    expect(expected).toHaveLength(127);
    const status = new Map(report.repositories.map((r) => [r.repository, r.status]));
    expect(status.get('many/unit-101')).toBe('not-generated');
    expect([...status.values()].filter((s) => s === 'up-to-date')).toHaveLength(126);
    expect(result.stdout).toMatch(/^127 generated repositories in many, target platform /m);
    expect(result.stdout).toMatch(/^\[127\/127\] many\/unit-130: /m);
    // Repositories without the topic are looked for their manifest once each; none is read twice or skipped.
    const probes = github.log.filter((r) => r.path.endsWith('/contents/iot-platform.yaml')).map((r) => r.repo);
    expect(probes).toEqual(all.filter((i) => ['manifest-only', 'unrelated'].includes(kind(i))).map((i) => `many/${name(i)}`));
    expect(github.log.filter((r) => r.method !== 'GET')).toEqual([]);
  });
});
