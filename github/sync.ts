// `create-iot-platform sync --org ORG`: upgrade every generated repository of an organisation through the
// GitHub API. Per repository: fetch the default branch's tree into a temporary git repository, run the
// upgrade engine there, and when it changed something push one branch `iot-platform/update-<version>` (git
// data API), open or refresh one pull request, close the update pull requests it supersedes. Writes are
// serial and spaced; a state file after each repository makes an interrupted run resumable (--resume); the
// org drift report (markdown + JSON) lists repository × platform version × status × open pull request.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { parseDocument } from 'yaml';
import { UserError } from '../cli/errors.ts';
import { MANIFEST_FILE } from '../manifest/load.ts';
import { platformVersion } from '../renderer/package-root.ts';
import { formatReport, upgradeProject, type UpgradeReport } from '../upgrade/index.ts';
import { createClient, describeApiError, hasScope, isApiError, scopesOf, type Client, type GitHub } from './client.ts';
import { branchHead, createCommit, readTree, setBranch, type FileMode, type TreeFile } from './git-data.ts';
import { materialise, readWorktreeFile, worktreeIndex } from './local-tree.ts';
import { PLATFORM_TOPIC } from './create-repo.ts';

export const SYNC_USAGE = `Usage: create-iot-platform sync --org ORG [--repos a,b] [--to VERSION] [--dry-run] [--report FILE] [--resume]
  --org ORG             the GitHub organisation (or user) whose generated repositories to update
  --repos a,b           only these repositories (default: topic iot-platform or an iot-platform.yaml)
  --to VERSION          target platform version (default: this create-iot-platform's)
  --dry-run             report what would happen; write nothing to GitHub
  --report FILE         write the drift report as FILE.md and FILE.json
  --resume              continue an interrupted run (skips the repositories it finished)
  --state FILE          where progress is kept (default .iot-platform-sync/<org>.json)
  --write-interval MS   spacing of writes to GitHub (default 1000)
Needs GITHUB_TOKEN (or GH_TOKEN): a classic token with the repo and workflow scopes, or a fine-grained token
with Contents, Pull requests and Workflows: Read and write; GITHUB_API_URL for GitHub Enterprise.`;

export const UPDATE_BRANCH_PREFIX = 'iot-platform/update-';
export const PR_LABELS = ['iot-platform', 'dependencies'];

export type RepoStatus = 'up-to-date' | 'updated' | 'conflicts' | 'would-update' | 'would-conflict' | 'not-generated' | 'failed';

export interface RepoResult {
  repo: string;
  from?: string;
  to: string;
  status: RepoStatus;
  files?: Record<string, number>;
  conflicts: string[];
  pullRequest?: { number?: number; url?: string; action: 'opened' | 'refreshed' | 'unchanged' | 'would-open' | 'would-refresh' };
  closed: number[];
  requests: number;
  ms: number;
  error?: string;
}

export interface SyncState {
  org: string;
  to: string;
  dryRun: boolean;
  startedAt: string;
  done: Record<string, RepoResult>;
  finished?: boolean;
}

export interface SyncOptions {
  org: string;
  repos?: string[];
  to?: string;
  dryRun?: boolean;
  report?: string;
  resume?: boolean;
  stateFile: string;
  writeIntervalMs?: number;
  out: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

export interface SyncSummary {
  org: string;
  to: string;
  dryRun: boolean;
  results: RepoResult[];
  stats: Client['stats'];
  ms: number;
}

export async function syncCommand(argv: string[], cwd: string, out: (line: string) => void): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        org: { type: 'string' },
        repos: { type: 'string' },
        to: { type: 'string' },
        'dry-run': { type: 'boolean' },
        report: { type: 'string' },
        resume: { type: 'boolean' },
        state: { type: 'string' },
        'write-interval': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UserError(`sync: ${(error as Error).message.split('. ')[0]}; see create-iot-platform sync --help`);
  }
  if (values.help) {
    out(SYNC_USAGE);
    return 0;
  }
  if (!values.org) throw new UserError('sync: --org ORG is required (the organisation whose generated repositories to update)');
  const interval = values['write-interval'];
  if (interval !== undefined && !/^\d+$/.test(interval)) throw new UserError(`sync: --write-interval ${interval}: expected milliseconds, e.g. 1000`);
  const summary = await sync({
    org: values.org,
    repos: values.repos?.split(',').map((r) => r.trim()).filter(Boolean),
    to: values.to,
    dryRun: values['dry-run'],
    report: values.report ? resolve(cwd, values.report) : undefined,
    resume: values.resume,
    stateFile: resolve(cwd, values.state ?? join('.iot-platform-sync', `${values.org}.json`)),
    writeIntervalMs: interval === undefined ? undefined : Number(interval),
    out,
  });
  return summary.results.some((r) => r.status === 'failed') ? 1 : 0;
}

export async function sync(options: SyncOptions): Promise<SyncSummary> {
  const started = Date.now();
  const out = options.out;
  const to = options.to ?? platformVersion();
  const client = createClient({ env: options.env, writeIntervalMs: options.writeIntervalMs, log: out });
  const state = startState(options, to);
  const repos = await discover(client, options);
  out(
    `${options.dryRun ? 'Dry run: ' : ''}${repos.length} generated repositor${repos.length === 1 ? 'y' : 'ies'} in ${options.org}, target platform ${to}${
      options.resume && Object.keys(state.done).length ? ` (resuming: ${Object.keys(state.done).length} already done)` : ''
    }`,
  );
  const results: RepoResult[] = [];
  let index = 0;
  for (const repo of repos) {
    index++;
    const prefix = `[${index}/${repos.length}] ${repo.full_name}`;
    const previous = state.done[repo.full_name];
    if (previous && previous.status !== 'failed') {
      results.push(previous);
      out(`${prefix}: done before (${describe(previous)})`);
      continue;
    }
    const result = await syncRepo(client, repo, to, options);
    results.push(result);
    state.done[repo.full_name] = result;
    saveState(options.stateFile, state);
    out(`${prefix}: ${describe(result)}`);
  }
  state.finished = true;
  saveState(options.stateFile, state);
  const summary: SyncSummary = { org: options.org, to, dryRun: Boolean(options.dryRun), results, stats: client.stats, ms: Date.now() - started };
  if (options.report) {
    const base = options.report.replace(/\.(md|json)$/, '');
    mkdirSync(dirname(base), { recursive: true });
    writeFileSync(`${base}.md`, driftMarkdown(summary));
    writeFileSync(`${base}.json`, `${JSON.stringify(driftJson(summary), null, 2)}\n`);
    out(`Report: ${base}.md, ${base}.json`);
  }
  const counts = countBy(results.map((r) => r.status));
  out(`Done in ${(summary.ms / 1000).toFixed(1)} s: ${Object.entries(counts).map(([s, n]) => `${n} ${s}`).join(', ')}; ${client.stats.requests} API requests`);
  return summary;
}

interface OrgRepo {
  name: string;
  full_name: string;
  default_branch?: string;
  topics?: string[];
  archived?: boolean;
  size?: number;
}

/** What sync writes needs from a classic token: pushing branches (repo or public_repo) with workflow files (workflow). */
const SYNC_SCOPES = ['public_repo', 'workflow'];

async function discover(client: Client, options: SyncOptions): Promise<OrgRepo[]> {
  const { octokit } = client;
  const all: OrgRepo[] = [];
  let scopes: string[] | undefined;
  try {
    for await (const page of octokit.paginate.iterator(octokit.rest.repos.listForOrg, { org: options.org, per_page: 100, type: 'all' })) {
      scopes ??= scopesOf(page.headers as Record<string, string>);
      all.push(...(page.data as OrgRepo[]));
    }
  } catch (error) {
    if (isApiError(error) && error.status === 404) {
      throw new UserError(`sync: organisation "${options.org}" not found, or the token cannot see it; check --org and the token's read:org scope`);
    }
    throw new UserError(`sync: ${describeApiError(error, `listing the repositories of ${options.org}`, ['repo', 'workflow'], { granted: client.granted })}`);
  }
  // A classic token says its scopes: one that cannot push is refused before anything is read or written.
  // (A fine-grained token's permissions cannot be read; a refusal names the missing one per repository.)
  const missing = scopes && !options.dryRun ? SYNC_SCOPES.filter((s) => !hasScope(scopes, s)) : [];
  if (missing.length) {
    throw new UserError(
      `sync: the GitHub token lacks the scope${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (it has: ${scopes!.join(', ') || 'none'}), which pushing update branches${missing.includes('workflow') ? ' with .github/workflows files' : ''} needs; add ${missing.length > 1 ? 'them' : 'it'} (gh auth refresh -s ${missing.map((s) => (s === 'public_repo' ? 'repo' : s)).join(',')}) or run with --dry-run`,
    );
  }
  const active = all.filter((r) => !r.archived);
  if (options.repos?.length) {
    const byName = new Map(active.map((r) => [r.name.toLowerCase(), r]));
    const missing = options.repos.filter((name) => !byName.has(name.replace(/^.*\//, '').toLowerCase()));
    if (missing.length) throw new UserError(`sync: no repository ${missing.map((m) => `"${m}"`).join(', ')} in ${options.org} (archived ones are skipped); check --repos`);
    return options.repos.map((name) => byName.get(name.replace(/^.*\//, '').toLowerCase())!);
  }
  const found: OrgRepo[] = [];
  for (const repo of active) {
    if (repo.topics?.includes(PLATFORM_TOPIC)) found.push(repo);
    else if (repo.size !== 0) {
      try {
        if (await hasManifest(octokit, options.org, repo.name)) found.push(repo);
      } catch (error) {
        throw new UserError(`sync: ${describeApiError(error, `looking for ${MANIFEST_FILE} in ${repo.full_name}`, [], { granted: client.granted, repo: repo.full_name })}`);
      }
    }
  }
  return found;
}

async function hasManifest(octokit: GitHub, owner: string, repo: string): Promise<boolean> {
  try {
    await octokit.rest.repos.getContent({ owner, repo, path: MANIFEST_FILE });
    return true;
  } catch (error) {
    if (isApiError(error) && error.status === 404) return false;
    throw error;
  }
}

/** Blob contents by SHA, shared by all repositories of a run: generated repositories share most files. */
const blobCache = new Map<string, Buffer>();

async function syncRepo(client: Client, repo: OrgRepo, to: string, options: SyncOptions): Promise<RepoResult> {
  const { octokit } = client;
  const started = Date.now();
  const requestsBefore = client.stats.requests;
  const [owner, name] = repo.full_name.split('/') as [string, string];
  const ref = { owner, repo: name };
  const branch = `${UPDATE_BRANCH_PREFIX}${to}`;
  const result: RepoResult = { repo: repo.full_name, to, status: 'failed', conflicts: [], closed: [], requests: 0, ms: 0 };
  const dir = mkdtempSync(join(tmpdir(), 'iotp-sync-'));
  /** What is being done, for the error line ("opening the pull request: …"). */
  let step = 'reading the default branch';
  try {
    // 1. The default branch's tree, into a temporary git repository (a clean work tree for the upgrade).
    const defaultBranch = repo.default_branch ?? (await octokit.rest.repos.get(ref)).data.default_branch;
    const head = await branchHead(octokit, ref, defaultBranch);
    if (!head) return { ...result, status: 'not-generated', error: `empty repository (no ${defaultBranch} branch)` };
    const tree = await readTree(octokit, ref, head);
    const blobs = tree.entries.filter((e) => e.type === 'blob' && e.mode !== '160000');
    if (!blobs.some((e) => e.path === MANIFEST_FILE)) return { ...result, status: 'not-generated', error: `no ${MANIFEST_FILE} on ${defaultBranch}` };
    const files: TreeFile[] = [];
    for (const entry of blobs) {
      let content = blobCache.get(entry.sha);
      if (!content) {
        const { data } = await octokit.rest.git.getBlob({ ...ref, file_sha: entry.sha });
        content = Buffer.from(data.content, data.encoding === 'base64' ? 'base64' : 'utf8');
        blobCache.set(entry.sha, content);
      }
      files.push({ path: entry.path, content, mode: entry.mode as FileMode });
    }
    materialise(dir, files, `${repo.full_name}@${head}`);
    const before = new Map<string, { mode: string; sha: string }>(blobs.map((e) => [e.path, { mode: e.mode, sha: e.sha }]));
    result.from = versionOf(readFileSync(join(dir, MANIFEST_FILE), 'utf8'));

    // 2. The upgrade, in that folder.
    step = 'upgrading';
    const report = await upgradeProject({ projectDir: dir, to, dryRun: options.dryRun, requireCleanGit: true, log: () => {} });
    result.from = report.from || result.from;
    result.files = countBy(report.files.filter((f) => f.status !== 'unchanged').map((f) => f.status));
    result.conflicts = report.conflicts;
    step = 'listing the open pull requests';
    const openPulls = (await octokit.paginate(octokit.rest.pulls.list, { ...ref, state: 'open', per_page: 100 })) as {
      number: number;
      html_url: string;
      body: string | null;
      title: string;
      head: { ref: string };
    }[];
    const ours = openPulls.find((p) => p.head.ref === branch);
    const superseded = openPulls.filter((p) => p.head.ref.startsWith(UPDATE_BRANCH_PREFIX) && p.head.ref !== branch);

    if (!report.changed) {
      result.status = 'up-to-date';
    } else if (options.dryRun) {
      result.status = report.conflicts.length ? 'would-conflict' : 'would-update';
      result.pullRequest = ours ? { number: ours.number, url: ours.html_url, action: 'would-refresh' } : { action: 'would-open' };
    } else {
      // 3. The changed files as one commit on the update branch (unchanged when the branch already holds them).
      const after = worktreeIndex(dir);
      const changed: TreeFile[] = [];
      for (const [path, entry] of after) {
        const old = before.get(path);
        if (!old || old.sha !== entry.sha || old.mode !== entry.mode) changed.push({ path, content: readWorktreeFile(dir, path), mode: entry.mode });
      }
      const deleted = [...before.keys()].filter((path) => !after.has(path));
      if (changed.length === 0 && deleted.length === 0) {
        result.status = 'up-to-date';
      } else {
        const localTree = execFileSync('git', ['write-tree'], { cwd: dir, encoding: 'utf8' }).trim();
        step = `pushing the branch ${branch}`;
        const existing = await branchHead(octokit, ref, branch);
        const existingTree = existing ? (await octokit.rest.git.getCommit({ ...ref, commit_sha: existing })).data : undefined;
        const current = existingTree && existingTree.tree.sha === localTree && existingTree.parents[0]?.sha === head;
        if (!current) {
          const message = `Update to create-iot-platform ${to}\n\nFrom platform ${report.from} by create-iot-platform sync.${report.conflicts.length ? `\nConflicts to resolve: ${report.conflicts.join(', ')}` : ''}\n`;
          const commit = await createCommit(octokit, ref, changed, { message, parents: [head] }, { baseTree: tree.sha, deleted });
          await setBranch(octokit, ref, branch, commit.commitSha, Boolean(existing));
        }
        // 4. One pull request: opened, or refreshed in place.
        const title = `Update to create-iot-platform ${to}${report.conflicts.length ? ` (${report.conflicts.length} conflict${report.conflicts.length > 1 ? 's' : ''})` : ''}`;
        const body = pullBody(report);
        if (ours) {
          step = `refreshing pull request #${ours.number}`;
          if (ours.body !== body || ours.title !== title) await octokit.rest.pulls.update({ ...ref, pull_number: ours.number, title, body });
          result.pullRequest = { number: ours.number, url: ours.html_url, action: current && ours.body === body && ours.title === title ? 'unchanged' : 'refreshed' };
        } else {
          step = 'opening the pull request';
          const { data: pull } = await octokit.rest.pulls.create({ ...ref, title, body, head: branch, base: defaultBranch, maintainer_can_modify: true });
          step = `labelling pull request #${pull.number}`;
          await octokit.rest.issues.addLabels({ ...ref, issue_number: pull.number, labels: PR_LABELS });
          result.pullRequest = { number: pull.number, url: pull.html_url, action: 'opened' };
        }
        result.status = report.conflicts.length ? 'conflicts' : 'updated';
      }
    }
    // 5. Older update pull requests are superseded (by this one, or by the default branch being current).
    for (const pull of superseded) {
      if (!options.dryRun) {
        step = `closing the superseded pull request #${pull.number}`;
        const by = result.pullRequest?.number ? `#${result.pullRequest.number}` : `${defaultBranch}, which is already at platform ${to}`;
        await octokit.rest.issues.createComment({ ...ref, issue_number: pull.number, body: `Superseded by ${by} (create-iot-platform sync to ${to}).` });
        await octokit.rest.pulls.update({ ...ref, pull_number: pull.number, state: 'closed' });
      }
      result.closed.push(pull.number);
    }
    return result;
  } catch (error) {
    const message = error instanceof UserError ? error.message : describeApiError(error, step, [], { granted: client.granted, repo: repo.full_name });
    return { ...result, status: 'failed', error: message.split('\n')[0] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    const finished = result;
    finished.requests = client.stats.requests - requestsBefore;
    finished.ms = Date.now() - started;
  }
}

function pullBody(report: UpgradeReport): string {
  return [
    `This pull request updates the repository from **create-iot-platform ${report.from}** to **${report.to}**, made by \`create-iot-platform sync\`.`,
    '',
    report.conflicts.length
      ? `### ⚠️ ${report.conflicts.length} conflict${report.conflicts.length > 1 ? 's' : ''}\n\nYour edits and the platform's changes overlap in these files; they contain conflict markers (\`<<<<<<<\`) to resolve before merging:\n\n${report.conflicts.map((c) => `- \`${c}\``).join('\n')}\n`
      : 'No conflicts: your edits were kept or merged.\n',
    '### Files',
    '',
    formatReport(report),
    '',
    '<sub>Running sync again refreshes this pull request in place. Platform-owned files are regenerated; shared files are 3-way merged; user-owned files are never touched.</sub>',
    '',
  ].join('\n');
}

function versionOf(manifest: string): string | undefined {
  try {
    const value = (parseDocument(manifest).toJS() as { platform?: { version?: unknown } } | null)?.platform?.version;
    return value === undefined ? undefined : String(value);
  } catch {
    return undefined;
  }
}

function describe(r: RepoResult): string {
  const version = r.from ? `${r.from}${r.status === 'up-to-date' || r.status === 'not-generated' || r.status === 'failed' ? '' : ` → ${r.to}`}` : '';
  const parts = [version, r.status];
  if (r.files && r.status !== 'up-to-date') {
    const changed = Object.entries(r.files).filter(([s]) => s !== 'kept-user').reduce((n, [, c]) => n + c, 0);
    parts.push(`${changed} file${changed === 1 ? '' : 's'}${r.conflicts.length ? ` (${r.conflicts.length} conflict${r.conflicts.length > 1 ? 's' : ''})` : ''}`);
  }
  if (r.pullRequest) parts.push(r.pullRequest.number ? `PR #${r.pullRequest.number} ${r.pullRequest.action}` : `PR ${r.pullRequest.action}`);
  if (r.closed.length) parts.push(`${r.status.startsWith('would') || r.pullRequest?.action.startsWith('would') ? 'would close' : 'closed'} ${r.closed.map((n) => `#${n}`).join(', ')}`);
  if (r.error) parts.push(r.error);
  return parts.filter(Boolean).join(', ');
}

function startState(options: SyncOptions, to: string): SyncState {
  if (options.resume) {
    if (!existsSync(options.stateFile)) throw new UserError(`sync --resume: no state file ${options.stateFile}; run sync without --resume`);
    const state = JSON.parse(readFileSync(options.stateFile, 'utf8')) as SyncState;
    if (state.org !== options.org || state.to !== to || state.dryRun !== Boolean(options.dryRun)) {
      throw new UserError(
        `sync --resume: ${options.stateFile} is a run for --org ${state.org} --to ${state.to}${state.dryRun ? ' --dry-run' : ''}; resume with those, or run without --resume`,
      );
    }
    return state;
  }
  return { org: options.org, to, dryRun: Boolean(options.dryRun), startedAt: new Date().toISOString(), done: {} };
}

function saveState(file: string, state: SyncState) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  execFileSync('mv', ['-f', `${file}.tmp`, file]);
}

const countBy = (values: string[]) => values.reduce<Record<string, number>>((acc, v) => ((acc[v] = (acc[v] ?? 0) + 1), acc), {});

export function driftJson(summary: SyncSummary) {
  return {
    org: summary.org,
    targetVersion: summary.to,
    dryRun: summary.dryRun,
    generatedAt: new Date().toISOString(),
    summary: countBy(summary.results.map((r) => r.status)),
    apiRequests: summary.stats.requests,
    repositories: summary.results.map((r) => ({
      repository: r.repo,
      platformVersion: r.from ?? null,
      targetVersion: r.to,
      status: r.status,
      pullRequest: r.pullRequest?.number ? { number: r.pullRequest.number, url: r.pullRequest.url, action: r.pullRequest.action } : r.pullRequest ? { action: r.pullRequest.action } : null,
      files: r.files ?? {},
      conflicts: r.conflicts,
      closedPullRequests: r.closed,
      error: r.error ?? null,
    })),
  };
}

export function driftMarkdown(summary: SyncSummary): string {
  const counts = countBy(summary.results.map((r) => r.status));
  const rows = summary.results.map((r) => {
    const pr = r.pullRequest?.number ? `[#${r.pullRequest.number}](${r.pullRequest.url}) ${r.pullRequest.action}` : (r.pullRequest?.action ?? '');
    const notes = [
      r.conflicts.length ? `conflicts: ${r.conflicts.map((c) => `\`${c}\``).join(', ')}` : '',
      r.closed.length ? `${summary.dryRun ? 'would close' : 'closed'} ${r.closed.map((n) => `#${n}`).join(', ')}` : '',
      r.error ?? '',
    ].filter(Boolean).join('; ');
    return `| ${r.repo} | ${r.from ?? '?'} | ${r.status} | ${pr} | ${notes.replaceAll('|', '\\|')} |`;
  });
  return [
    `# Platform drift: ${summary.org}`,
    '',
    `Target platform **${summary.to}**${summary.dryRun ? ' (dry run: nothing was written to GitHub)' : ''}. ${summary.results.length} repositories: ${Object.entries(counts).map(([s, n]) => `${n} ${s}`).join(', ')}.`,
    '',
    '| repository | platform version | status | pull request | notes |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
