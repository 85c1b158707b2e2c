// `create-iot-platform upgrade`, programmatically (the CLI in upgrade/command.ts and org-wide sync use this).
// Copier's algorithm, one small step each:
//   1 guards (guards.ts) → 2 render the recorded version with the project's answers (obtain.ts, render.ts)
//   → 3 migrate the answers and render the target version → 4 per-file 3-way merge by ownership (plan.ts)
//   → 5 write the files, iot-platform.yaml and the lock (nothing is committed).
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import { UserError } from '../cli/errors.ts';
import { MANIFEST_FILE, validateManifest } from '../manifest/load.ts';
import type { Manifest } from '../manifest/schema.ts';
import { ensureEnv } from '../env/ensure-env.ts';
import { LOCK_FILE } from '../renderer/render.ts';
import { platformVersion } from '../renderer/package-root.ts';
import type { Lock } from '../renderer/lock.ts';
import { planDiff } from './diff.ts';
import { checkCleanGit, checkTarget, findProjectRoot, readLock, type DependencyBump } from './guards.ts';
import { gitMergeFile, mergeLabels } from './merge.ts';
import { obtainVersion, scratchDir } from './obtain.ts';
import { planUpgrade, type FileOutcome, type FileStatus, type Plan } from './plan.ts';
import { renderInProcess, renderWithCli, SPECIAL, type Rendering } from './render.ts';

export type { FileOutcome, FileStatus } from './plan.ts';

export interface UpgradeReport {
  from: string;
  to: string;
  files: FileOutcome[];
  conflicts: string[];
  changed: boolean;
  /** Names appended to the project's .env (new in .env.example), when it has one. */
  envAdded?: string[];
  /** With dryRun: a unified diff per file the upgrade would write or delete (git diff format). */
  diff?: string;
}

export interface UpgradeOptions {
  projectDir: string;
  /** Target platform version (default: the running create-iot-platform). */
  to?: string;
  /** Classify only; write nothing. */
  dryRun?: boolean;
  /** Refuse a dirty git work tree (default true), except an uncommitted bump of the create-iot-platform dependency. */
  requireCleanGit?: boolean;
  /**
   * At the project's own version, re-render anyway (default false: "nothing to do"): edits of iot-platform.yaml since
   * the last render reach the generated files, 3-way merged like an upgrade. The CLI always does.
   */
  rerender?: boolean;
  /** Platform-owned files the user edited or deleted are replaced by the render instead of merged. */
  reapply?: boolean;
  log?: (line: string) => void;
}

export async function upgradeProject(options: UpgradeOptions): Promise<UpgradeReport> {
  const log = options.log ?? (() => {});
  const root = findProjectRoot(options.projectDir);
  const manifestFile = join(root, MANIFEST_FILE);
  const manifestText = readFileSync(manifestFile, 'utf8');
  const raw = parseDocument(manifestText).toJS() as { platform?: { version?: unknown } } | null;
  const from = String(raw?.platform?.version ?? '');
  const running = platformVersion();
  const to = options.to ?? running;
  const newer = checkTarget(from, to, running, options.to !== undefined);
  // Re-rendering at the project's own version takes this code: another version's CLI would write that version's headers.
  if (!newer && (to !== running || (!options.rerender && !options.reapply))) {
    log(`Already at platform ${to}: nothing to do.`);
    return { from, to, files: [], conflicts: [], changed: false };
  }
  const lock = readLock(root);
  const platformOwned = new Set(Object.entries(lock.files).filter(([, f]) => f.ownership === 'platform').map(([path]) => path));
  const bump = options.requireCleanGit !== false ? checkCleanGit(root, options.reapply ? platformOwned : new Set()) : undefined;
  // Renovate's uncommitted bump: the old render had the committed spec, the new one gets Renovate's.
  const recordedSpec = bump?.committed ?? recordedDependency(root);
  const targetSpec = bump?.uncommitted ?? bumpDependency(recordedSpec, from, to);
  const scratch = scratchDir();
  try {
    mkdirSync(scratch, { recursive: true });
    const answers = recordedAnswers(lock, manifestFile, scratch);
    const base = from === running ? renderInProcess(validateManifest(answers.manifest, answers.recorded ? LOCK_FILE : MANIFEST_FILE), recordedSpec) : renderWithCli(obtainVersion(from, log), answers.file, recordedSpec, join(scratch, 'old'));
    const migrations: string[] = [];
    let theirs: Rendering;
    if (to === running) {
      const manifest: Manifest = validateManifest(raw, MANIFEST_FILE, (line) => migrations.push(line));
      theirs = renderInProcess({ ...manifest, platform: { version: to } }, targetSpec);
    } else {
      theirs = renderWithCli(obtainVersion(to, log), manifestFile, targetSpec, join(scratch, 'new'));
    }
    for (const line of migrations) log(line);
    const plan = planUpgrade({
      base: without(base.files, SPECIAL),
      ours: readProject(root, [...base.files.keys(), ...theirs.files.keys()], bump),
      theirs: without(theirs.files, SPECIAL),
      theirsOwnership: Object.fromEntries(Object.entries(theirs.lock.files).map(([p, f]) => [p, f.ownership])),
      lock: lock.files,
      executable: theirs.executable,
      reapply: options.reapply,
      merge: gitMergeFile(mergeLabels(from, to)),
    });
    if (newer) {
      const newManifest = upgradedManifest(manifestText, theirs.files.get(MANIFEST_FILE)!, to);
      plan.writes.push({ path: MANIFEST_FILE, content: newManifest.text, executable: false });
      plan.outcomes.push({ path: MANIFEST_FILE, status: 'updated', detail: `platform.version ${from} → ${to}${newManifest.migrated ? `; apiVersion migrated to ${newManifest.apiVersion} (rewritten: comments dropped)` : ''}` });
    }
    const lockText = theirs.files.get(LOCK_FILE)!;
    if (newer || readFileSync(join(root, LOCK_FILE), 'utf8') !== lockText) {
      plan.writes.push({ path: LOCK_FILE, content: lockText, executable: false });
      plan.outcomes.push({ path: LOCK_FILE, status: 'updated', detail: newer ? `hashes of platform ${to}` : `hashes and answers of this render${answers.recorded ? '' : ' (answers recorded for the next upgrade)'}` });
    }
    if (!newer && !plan.writes.length && !plan.deletes.length) {
      log(`Already at platform ${to}, and every generated file matches ${MANIFEST_FILE}: nothing to do.`);
      return { from, to, files: [], conflicts: [], changed: false };
    }
    const diff = options.dryRun ? planDiff(root, plan) : undefined;
    // a secret or setting the new render lists in .env.example reaches an existing .env (never overwriting a line)
    const envAdded = options.dryRun ? [] : (applyPlan(root, plan), ensureEnv(root, false).added.map((a) => a.name));
    const files = plan.outcomes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { from, to, files, conflicts: files.filter((f) => f.status === 'conflict').map((f) => f.path), changed: true, envAdded, ...(diff !== undefined ? { diff } : {}) };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * The answers the platform last rendered with, for the merge base (Copier renders the old version with the previous
 * answers): the lock's, or, in locks that predate them, the current manifest. As a file for another version's CLI.
 */
function recordedAnswers(lock: Lock, manifestFile: string, scratch: string): { manifest: unknown; file: string; recorded: boolean } {
  if (lock.answers === undefined) return { manifest: parseDocument(readFileSync(manifestFile, 'utf8')).toJS(), file: manifestFile, recorded: false };
  const file = join(scratch, 'answers.yaml');
  writeFileSync(file, stringify(lock.answers));
  return { manifest: lock.answers, file, recorded: true };
}

const STATUS_ORDER: FileStatus[] = ['conflict', 'restored', 'kept-removed', 'merged', 'updated', 'new', 'deleted', 'kept-deleted', 'kept-user', 'unchanged'];

/** The classification table (markdown): every file an upgrade touched or kept, and a count per status. */
export function formatReport(report: UpgradeReport, options: { all?: boolean } = {}): string {
  if (!report.changed) return `Already at platform ${report.to}: nothing to do.`;
  const headline = report.from === report.to ? `Platform ${report.to} re-rendered from ${MANIFEST_FILE}` : `Platform ${report.from} → ${report.to}`;
  const counts = new Map<FileStatus, number>();
  for (const f of report.files) counts.set(f.status, (counts.get(f.status) ?? 0) + 1);
  const rows = report.files
    .filter((f) => options.all || f.status !== 'unchanged' || f.detail)
    .sort((a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) || (a.path < b.path ? -1 : 1))
    .map((f) => `| ${f.status} | \`${f.path}\` | ${(f.detail ?? '').replaceAll('|', '\\|')} |`);
  const hidden = report.files.length - rows.length;
  return [
    `${headline}: ${STATUS_ORDER.filter((s) => counts.has(s)).map((s) => `${counts.get(s)} ${s}`).join(', ')}`,
    '',
    '| status | file | detail |',
    '|---|---|---|',
    ...rows,
    ...(hidden ? ['', `${hidden} unchanged file${hidden > 1 ? 's' : ''} not listed.`] : []),
  ].join('\n');
}

/** The create-iot-platform spec in the project's package.json, as the old render must reproduce it. */
function recordedDependency(root: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    return pkg.devDependencies?.['create-iot-platform'] ?? pkg.dependencies?.['create-iot-platform'];
  } catch {
    return undefined;
  }
}

/** A plain range on the old version (`~0.0.9`, `^0.0.9`, `0.0.9`) follows the upgrade; anything else (file:, git) stays. */
export function bumpDependency(spec: string | undefined, from: string, to: string): string | undefined {
  if (spec === undefined) return undefined;
  const match = /^([~^]?)(.+)$/.exec(spec);
  return match && match[2] === from ? `${match[1]}${to}` : spec;
}

/**
 * iot-platform.yaml after the upgrade: only platform.version changes (the user's comments and layout stay),
 * unless the target migrated its apiVersion: then the target's rendering of the migrated manifest.
 */
export function upgradedManifest(text: string, rendered: string, to: string): { text: string; migrated: boolean; apiVersion: string } {
  const doc = parseDocument(text);
  const apiVersion = String(parseDocument(rendered).get('apiVersion'));
  if (String(doc.get('apiVersion')) !== apiVersion) return { text: rendered, migrated: true, apiVersion };
  doc.setIn(['platform', 'version'], to);
  return { text: doc.toString({ lineWidth: 0 }), migrated: false, apiVersion };
}

function without(files: Map<string, string>, skip: Set<string>): Map<string, string> {
  return new Map([...files].filter(([path]) => !skip.has(path)));
}

/** The project's files; with Renovate's bump, package.json as committed (the bump is the platform's side). */
function readProject(root: string, paths: string[], bump: DependencyBump | undefined): Map<string, string> {
  const ours = new Map<string, string>();
  if (bump) ours.set('package.json', bump.committedPackageJson);
  for (const path of new Set(paths)) {
    if (SPECIAL.has(path) || ours.has(path)) continue;
    try {
      ours.set(path, readFileSync(join(root, path), 'utf8'));
    } catch {
      // absent (deleted by the user, or new in the template)
    }
  }
  return ours;
}

function applyPlan(root: string, plan: Plan): void {
  for (const file of plan.writes) {
    const target = join(root, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content);
    if (file.executable) chmodSync(target, 0o755);
  }
  for (const path of plan.deletes) {
    rmSync(join(root, path), { force: true });
    // Folders the deletion emptied go too (git does not track empty folders).
    for (let dir = dirname(join(root, path)); dir.startsWith(`${root}/`) && existsSync(dir) && readdirSync(dir).length === 0; dir = dirname(dir)) {
      rmdirSync(dir);
    }
  }
}

export { UserError };
