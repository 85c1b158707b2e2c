// Benchmark: `create-iot-platform sync --org bench` over N repositories (default 100) on the local GitHub test
// server, with primary and secondary rate limits injected. Most repositories are at an older platform version
// (a real older build from test/helpers/platform-fixture.ts), some with a conflicting edit, some current.
// Reports wall time, API requests per repository (as the server counted them, retries included), rate-limit
// hits, the write spacing used and measured, and failed repositories (must be 0).
// Prints a table and writes reports/bench-sync.json.
//   npm run bench:sync [-- --repos 100 --write-interval 1000]
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GitHubServer } from '../test/github-server/index.ts';
import { generateSeed } from '../test/github-server/seed-project.ts';
import { buildOlderPlatform, OLD_VERSION, SKEWED_LINE } from '../test/helpers/platform-fixture.ts';
import { GIT_ENV } from '../test/helpers/git.ts';
import { obtainVersion } from '../upgrade/obtain.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { repos: { type: 'string', default: '100' }, 'write-interval': { type: 'string', default: '1000' } } });
const REPOS = Number(values.repos);
const INTERVAL = Number(values['write-interval']);
const SPEC = 'file:/opt/create-iot-platform';

execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
const work = mkdtempSync(join(tmpdir(), 'iotp-bench-sync-'));
const env: Record<string, string> = { IOT_PLATFORM_SOURCE: '', IOT_PLATFORM_CACHE: join(work, 'cache'), ...GIT_ENV };
const platform = buildOlderPlatform();
env.IOT_PLATFORM_SOURCE = platform.dir;
Object.assign(process.env, env);
const old = obtainVersion(OLD_VERSION);

const generate = (bin: string, name: string) => generateSeed(bin, name, work, SPEC, env);
const oldFiles = generate(join(old.dir, 'bin/create-iot-platform.js'), 'old');
const newFiles = generate(join(ROOT, 'bin/create-iot-platform.js'), 'new');
const conflicting = oldFiles.map((f) => (f.path === SKEWED_LINE.path ? { ...f, content: f.content.toString().replace(SKEWED_LINE.old, SKEWED_LINE.edited) } : f));
if (conflicting.every((f, i) => String(f.content) === String(oldFiles[i]!.content))) throw new Error(`the ${OLD_VERSION} fixture has no line ${SKEWED_LINE.old} to edit`);

const github = await GitHubServer.start();
github.addToken('bench-token', { login: 'bench-bot', scopes: ['repo', 'workflow', 'read:org'] });
github.addOrg('bench', ['bench-bot']);
const kinds = { old: 0, conflict: 0, current: 0 };
for (let i = 1; i <= REPOS; i++) {
  const kind = i % 5 === 0 ? 'current' : i % 10 === 1 ? 'conflict' : 'old';
  kinds[kind]++;
  github.seedRepo('bench', `site-${String(i).padStart(3, '0')}`, {
    files: kind === 'current' ? newFiles : kind === 'conflict' ? conflicting : oldFiles,
    topics: ['iot-platform', 'sensors'],
  });
}
// Rate limits: the primary limit runs out every 400th request (reset 1 s later), a secondary limit hits
// every 60th write (retry-after 1 s), and a 502 every 500th request (the retry plugin).
github.inject({ kind: 'primary', every: 400, seconds: 1 });
github.inject({ kind: 'secondary', every: 60, writesOnly: true, seconds: 1 });
github.inject({ kind: 'server-error', every: 500 });

const started = performance.now();
const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
  const child = spawn(process.execPath, [join(ROOT, 'bin/create-iot-platform.js'), 'sync', '--org', 'bench', '--report', join(work, 'drift'), '--write-interval', String(INTERVAL)], {
    cwd: work,
    env: { ...process.env, ...env, GITHUB_API_URL: github.url, GITHUB_TOKEN: 'bench-token' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c;
    process.stdout.write(c);
  });
  child.stderr.on('data', (c: Buffer) => (stderr += c));
  child.on('close', (code) => resolve({ code, stdout, stderr }));
});
const wallMs = Math.round(performance.now() - started);
await github.close();

const report = JSON.parse(readFileSync(join(work, 'drift.json'), 'utf8')) as { summary: Record<string, number>; repositories: { repository: string; status: string }[] };
const perRepo = report.repositories.map((r) => github.requestsFor(r.repository));
const orgLevel = github.requestsFor(undefined);
const byStatus = (status: number) => github.log.filter((r) => r.status === status).length;
const writes = github.log.filter((r) => r.method !== 'GET' && r.status < 400).map((r) => r.at);
const gaps = writes.slice(1).map((t, i) => t - writes[i]!);
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const pct = (xs: number[], p: number) => sorted(xs)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;
const failed = report.repositories.filter((r) => r.status === 'failed').length;
const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
const summary = {
  date: new Date().toISOString(),
  machine,
  repositories: REPOS,
  seeded: kinds,
  writeIntervalMs: INTERVAL,
  injected: { primaryEveryNthRequest: 400, secondaryEveryNthWrite: 60, serverErrorEveryNthRequest: 500 },
  wallMs,
  exitCode: result.code,
  statuses: report.summary,
  failedRepositories: failed,
  apiRequests: { total: github.log.length, orgLevel, perRepository: { mean: +(perRepo.reduce((a, b) => a + b, 0) / perRepo.length).toFixed(1), min: Math.min(...perRepo), max: Math.max(...perRepo) } },
  rateLimited: { primary403or429: github.log.filter((r) => (r.status === 403 || r.status === 429) && r.method === 'GET').length + 0, all403: byStatus(403), server502: byStatus(502) },
  writes: { count: writes.length, minGapMs: Math.min(...gaps), p50GapMs: pct(gaps, 50) },
  msPerRepository: Math.round(wallMs / REPOS),
};
console.log(`\nsync over ${REPOS} repositories (${kinds.old} old, ${kinds.conflict} old with a conflict, ${kinds.current} current), write spacing ${INTERVAL} ms — ${machine.cpus} cores, Node ${machine.node}`);
console.log(`  wall time            ${(wallMs / 1000).toFixed(1)} s (${summary.msPerRepository} ms per repository)`);
console.log(`  statuses             ${Object.entries(report.summary).map(([s, n]) => `${n} ${s}`).join(', ')}`);
console.log(`  failed repositories  ${failed}`);
console.log(`  API requests         ${github.log.length} total, ${orgLevel} org-level, per repository mean ${summary.apiRequests.perRepository.mean} (min ${summary.apiRequests.perRepository.min}, max ${summary.apiRequests.perRepository.max})`);
console.log(`  limits hit           ${byStatus(403)} × 403 (primary + secondary), ${byStatus(502)} × 502, all retried`);
console.log(`  writes               ${writes.length}, gap min ${summary.writes.minGapMs} ms, median ${summary.writes.p50GapMs} ms`);
mkdirSync(join(ROOT, 'reports'), { recursive: true });
const file = join(ROOT, 'reports/bench-sync.json');
let runs: unknown[] = [];
try {
  const previous = JSON.parse(readFileSync(file, 'utf8')) as { runs?: unknown[] };
  runs = (previous.runs ?? []).filter((r) => (r as { writeIntervalMs: number }).writeIntervalMs !== INTERVAL || (r as { repositories: number }).repositories !== REPOS);
} catch {
  // first run
}
writeFileSync(file, `${JSON.stringify({ runs: [...runs, summary] }, null, 2)}\n`);
console.log('wrote reports/bench-sync.json');
rmSync(work, { recursive: true, force: true });
if (failed > 0 || result.code !== 0) {
  console.error(result.stderr);
  process.exitCode = 1;
}
