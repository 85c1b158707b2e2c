// `create-iot-platform --github owner/name` against the local GitHub server: the repository holds one commit
// with exactly the generated files (never .env), topics and branch protection; every failure is one line
// with exit code 1 and leaves the local project intact.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubServer } from './github-server/index.ts';
import { githubEnv, runCliAsync } from './github-server/cli.ts';

let github: GitHubServer;
const FULL = 'tok-full';
const NO_WORKFLOW = 'tok-no-workflow';
const PUBLIC_ONLY = 'tok-public-only';
const FINE_GRAINED = 'tok-fine-grained';
const FINE_NO_WORKFLOWS = 'tok-fine-no-workflows';
const FINE_NO_CONTENTS = 'tok-fine-no-contents';
const FINE_READ_ONLY = 'tok-fine-read-only';
const REFUSED = 'GitHub: 403 Resource not accessible by personal access token';
const SETTINGS = 'in its settings \\(GitHub → Settings → Developer settings → Fine-grained tokens\\)';
const BASE = ['--blueprint', 'sensors', '--yes', '--skip-install'];

beforeAll(async () => {
  github = await GitHubServer.start();
  github.addToken(FULL, { login: 'alice', scopes: ['repo', 'workflow', 'read:org'] });
  github.addToken(NO_WORKFLOW, { login: 'alice', scopes: ['repo', 'read:org'] });
  github.addToken(PUBLIC_ONLY, { login: 'alice', scopes: ['public_repo', 'workflow'] });
  // Fine-grained tokens: what `--github` needs (Administration, Contents, Workflows: write), and less.
  github.addToken(FINE_GRAINED, { login: 'bob', scopes: null, permissions: { administration: 'write', contents: 'write', workflows: 'write' } });
  github.addToken(FINE_NO_WORKFLOWS, { login: 'bob', scopes: null, permissions: { administration: 'write', contents: 'write' } });
  github.addToken(FINE_NO_CONTENTS, { login: 'bob', scopes: null, permissions: { administration: 'write', workflows: 'write' } });
  github.addToken(FINE_READ_ONLY, { login: 'bob', scopes: null, permissions: { contents: 'read', pull_requests: 'read', administration: 'read' } });
  github.addOrg('acme', ['alice', 'bob']);
  github.addOrg('freeorg', ['alice']);
  github.freePlanOwners.add('freeorg');
  github.seedRepo('acme', 'taken', { files: [{ path: 'README.md', content: '# taken\n' }] });
});
afterAll(() => github?.close());

const tempDir = () => mkdtempSync(join(tmpdir(), 'iotp-gh-'));
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
const run = (args: string[], token: string | null = FULL, cwd = tempDir(), extra: Record<string, string> = {}) =>
  runCliAsync(args, { cwd, env: githubEnv(github.url, token ?? undefined, { IOTP_GITHUB_WRITE_INTERVAL_MS: '0', ...extra }) }).then((r) => ({ ...r, cwd }));

async function expectOneLineError(args: string[], token: string | null, message: RegExp) {
  const result = await run(args, token);
  expect(result.stderr.trim()).toMatch(message);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.code).toBe(1);
  return result;
}

describe('create --github', () => {
  it('creates an organisation repository holding the local first commit: generated files only, topics, protection', async () => {
    const result = await run(['sensors', ...BASE, '--github', 'acme/sensors', '--description', 'Soil sensors']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const project = join(result.cwd, 'sensors');
    const repo = github.repo('acme/sensors')!;
    expect(repo.private).toBe(false);
    expect(repo.description).toBe('Soil sensors');
    expect(repo.topics).toEqual(['iot-platform', 'sensors']);
    expect(repo.defaultBranch).toBe('main');
    const history = github.history('acme/sensors');
    expect(history).toHaveLength(1); // the auto-init commit was replaced, not built upon
    // Exactly what the local commit holds: every generated file, no .env, same modes.
    const local = git(project, 'ls-files', '-s').split('\n').map((l) => l.split(/\s+/)).map(([mode, sha, , path]) => `${mode} ${sha} ${path}`);
    const remote = [...github.files('acme/sensors')].map(([path, f]) => `${f.mode} ${execFileSync('git', ['hash-object', '--stdin'], { input: f.content, encoding: 'utf8' }).trim()} ${path}`);
    expect(remote.sort()).toEqual(local.sort());
    expect(github.files('acme/sensors').has('.env')).toBe(false);
    expect(existsSync(join(project, '.env'))).toBe(true);
    expect(github.files('acme/sensors').has('.github/workflows/ci.yml')).toBe(true);
    expect(github.files('acme/sensors').get('iot-platform.yaml')!.content.toString()).toBe(readFileSync(join(project, 'iot-platform.yaml'), 'utf8'));
    // The same commit, so the local branch simply tracks origin.
    expect(history[0]!.sha).toBe(git(project, 'rev-parse', 'HEAD'));
    expect(git(project, 'remote', 'get-url', 'origin')).toBe('https://github.test/acme/sensors.git');
    expect(git(project, 'rev-parse', 'origin/main')).toBe(history[0]!.sha);
    expect(repo.protection.get('main')).toMatchObject({ required_status_checks: { strict: true, contexts: ['lint / lint'] } });
    expect(result.stdout).toMatch(/Created the GitHub repository https:\/\/github.test\/acme\/sensors/);
    expect(result.stdout).toMatch(/Pushed \d+ files as one commit/);
  });

  it('creates a private repository of the token user (POST /user/repos), and without git pushes the generated files', async () => {
    const result = await run(['mine', ...BASE, '--skip-git', '--github', 'alice/mine', '--private']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(github.log.some((r) => r.method === 'POST' && r.path === '/user/repos' && r.status === 201)).toBe(true);
    const repo = github.repo('alice/mine')!;
    expect(repo.private).toBe(true);
    const files = github.files('alice/mine');
    expect(files.has('.env')).toBe(false);
    expect(files.has('iot-platform.yaml')).toBe(true);
    const local = execFileSync('find', ['.', '-type', 'f', '-not', '-name', '.env'], { cwd: join(result.cwd, 'mine'), encoding: 'utf8' })
      .trim().split('\n').map((p) => p.slice(2)).sort();
    expect([...files.keys()].sort()).toEqual(local);
  });

  it('works with a fine-grained token holding Administration, Contents and Workflows: write (no x-oauth-scopes header)', async () => {
    const result = await run(['fine', ...BASE, '--github', 'acme/fine'], FINE_GRAINED);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(github.history('acme/fine')).toHaveLength(1);
    expect(github.files('acme/fine').has('.github/workflows/ci.yml')).toBe(true);
    expect(github.repo('acme/fine')!.protection.has('main')).toBe(true);
  });

  it('warns, but completes, when the plan has no branch protection for private repositories', async () => {
    const result = await run(['free', ...BASE, '--github', 'freeorg/free', '--private']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Warning: branch protection is not available for this private repository on its GitHub plan; main is unprotected/);
    expect(github.history('freeorg/free')).toHaveLength(1);
  });

  it('--dry-run says what it would do on GitHub and calls nothing', async () => {
    const before = github.log.length;
    const result = await run(['dry', ...BASE, '--dry-run', '--github', 'acme/dry', '--private'], null);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Would create the private GitHub repository acme\/dry, push the \d+ files \(not \.env\) as one commit, set topics iot-platform, sensors and protect main/);
    expect(github.log.length).toBe(before);
  });
});

describe('create --github: errors are one line, exit 1, nothing half-done', () => {
  it('no token', async () => {
    const { cwd } = await expectOneLineError(['out', ...BASE, '--github', 'acme/x'], null, /^error: no GitHub token: set GITHUB_TOKEN \(or GH_TOKEN\) to a token with the repo and workflow scopes/);
    expect(existsSync(join(cwd, 'out'))).toBe(false);
  });

  it('GH_TOKEN is read too', async () => {
    const result = await runCliAsync(['gh', ...BASE, '--github', 'acme/gh-token'], {
      cwd: tempDir(),
      env: githubEnv(github.url, undefined, { GH_TOKEN: FULL, IOTP_GITHUB_WRITE_INTERVAL_MS: '0' }),
    });
    expect(result.stderr).toBe('');
    expect(github.repo('acme/gh-token')).toBeDefined();
  });

  it('a rejected token', async () => {
    await expectOneLineError(['out', ...BASE, '--github', 'acme/x'], 'nope', /^error: --github acme\/x: checking the token: GitHub rejected the token \(401 Bad credentials\); set GITHUB_TOKEN to a valid token$/);
  });

  it('the workflow scope missing (needed to push .github/workflows)', async () => {
    const { cwd } = await expectOneLineError(
      ['out', ...BASE, '--github', 'acme/x'],
      NO_WORKFLOW,
      /^error: --github acme\/x: the GitHub token lacks the scope workflow \(it has: repo, read:org\); the workflow scope is needed to push \.github\/workflows; create a token with public_repo, workflow/,
    );
    expect(existsSync(join(cwd, 'out'))).toBe(false);
    expect(github.repo('acme/x')).toBeUndefined();
  });

  it('a fine-grained token without Workflows cannot push .github/workflows: the line names the permission, GitHub keeps only its first commit', async () => {
    const before = github.log.length;
    await expectOneLineError(
      ['nowf', ...BASE, '--github', 'acme/nowf'],
      FINE_NO_WORKFLOWS,
      new RegExp(
        `^error: --github acme/nowf: pushing the generated files: the fine-grained token lacks Workflows: Read and write, which pushing \\.github/workflows needs \\(${REFUSED}\\); grant it ${SETTINGS}; the repository acme/nowf exists on GitHub but is incomplete: delete it \\(gh repo delete acme/nowf\\) and run again \\(the local project in nowf is complete\\)$`,
      ),
    );
    expect([...github.files('acme/nowf').keys()]).toEqual(['README.md']); // GitHub's auto-init commit, nothing of ours
    const refused = github.log.slice(before).filter((r) => r.status === 403);
    expect(refused.map((r) => `${r.method} ${r.path}`)).toEqual(['PATCH /repos/acme/nowf/git/refs/heads/main']);
  });

  it('a fine-grained token without Contents: write is refused at its first push request', async () => {
    await expectOneLineError(
      ['nocontents', ...BASE, '--github', 'acme/nocontents'],
      FINE_NO_CONTENTS,
      new RegExp(`^error: --github acme/nocontents: pushing the generated files: the fine-grained token lacks Contents: Read and write \\(${REFUSED}\\); grant it ${SETTINGS}; the repository acme/nocontents exists`),
    );
    expect(github.history('acme/nocontents')).toHaveLength(1);
  });

  it('a read-only fine-grained token is refused before anything is written on GitHub', async () => {
    const before = github.log.length;
    await expectOneLineError(
      ['ro', ...BASE, '--github', 'acme/ro'],
      FINE_READ_ONLY,
      new RegExp(`^error: --github acme/ro: creating the repository: the fine-grained token lacks Administration: Read and write \\(${REFUSED}\\); grant it ${SETTINGS} \\(the local project in ro is complete\\)$`),
    );
    expect(github.repo('acme/ro')).toBeUndefined();
    const writes = github.log.slice(before).filter((r) => r.method !== 'GET');
    expect(writes.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['POST /orgs/acme/repos 403']);
  });

  it('the repo scope missing for a private repository', async () => {
    await expectOneLineError(['out', ...BASE, '--github', 'acme/x', '--private'], PUBLIC_ONLY, /^error: --github acme\/x: the GitHub token lacks the scope repo \(it has: public_repo, workflow\)/);
  });

  it('an existing repository', async () => {
    const { cwd } = await expectOneLineError(['out', ...BASE, '--github', 'acme/taken'], FULL, /^error: --github acme\/taken: the repository already exists \(https:\/\/github.test\/acme\/taken\); choose another name or delete it first$/);
    expect(existsSync(join(cwd, 'out'))).toBe(false);
    expect(github.history('acme/taken')).toHaveLength(1);
  });

  it('an owner that is neither the user nor a visible organisation', async () => {
    await expectOneLineError(['out', ...BASE, '--github', 'nobody/x'], FULL, /^error: --github nobody\/x: "nobody" is neither the token's user \(alice\) nor an organisation it can see/);
  });

  it('a malformed --github value and --private without --github', async () => {
    await expectOneLineError(['out', ...BASE, '--github', 'just-a-name'], FULL, /^error: --github: expected OWNER\/NAME \(a user or organisation and a repository name\), got "just-a-name"$/);
    await expectOneLineError(['out', ...BASE, '--private'], FULL, /^error: --private needs --github OWNER\/NAME/);
  });

  it('the primary rate limit, with its reset time', async () => {
    github.inject({ kind: 'primary', match: /^GET \/user$/, seconds: 3600 });
    try {
      const { cwd } = await expectOneLineError(['out', ...BASE, '--github', 'acme/limited'], FULL, /^error: --github acme\/limited: checking the token: GitHub API rate limit exceeded; it resets at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(in 60 min\); retry then$/);
      expect(existsSync(join(cwd, 'out'))).toBe(false);
    } finally {
      github.buckets.clear();
    }
  });

  it('a failure after the project was generated keeps the local project and says what exists on GitHub', async () => {
    github.inject({ kind: 'primary', match: /^POST \/repos\/acme\/half\/git\/trees$/, seconds: 3600 });
    try {
      const { cwd } = await expectOneLineError(
        ['half', ...BASE, '--github', 'acme/half'],
        FULL,
        /^error: --github acme\/half: pushing the generated files: GitHub API rate limit exceeded; it resets at .*; the repository acme\/half exists on GitHub but is incomplete: delete it \(gh repo delete acme\/half\) and run again \(the local project in half is complete\)$/,
      );
      const project = join(cwd, 'half');
      expect(existsSync(join(project, 'iot-platform.yaml'))).toBe(true);
      expect(existsSync(join(project, '.env'))).toBe(true);
      expect(git(project, 'status', '--porcelain')).toBe('');
      expect(git(project, 'remote')).toBe('');
    } finally {
      github.buckets.clear();
    }
  });
});
