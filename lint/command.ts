// `create-iot-platform lint`: run inside a generated repository (and by the reusable lint workflow).
// Validates iot-platform.yaml and checks every platform-owned file recorded in .iot-platform/lock.json
// against the sha256 the platform wrote: platform-owned files are regenerated on upgrade, so a hand edit
// would be lost silently (DESIGN.md §4, "File ownership"). One line per problem; exit 1 when any.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCommandArgs } from '../cli/args.ts';
import { UserError } from '../cli/errors.ts';
import { MANIFEST_FILE, parseManifest } from '../manifest/load.ts';
import { sha256, type Lock } from '../renderer/lock.ts';
import { LOCK_FILE } from '../renderer/render.ts';

export const LINT_USAGE = `Usage: create-iot-platform lint
  Run inside a generated project: validates ${MANIFEST_FILE} and reports platform-owned files
  (recorded in ${LOCK_FILE}) that were edited or deleted by hand. Exit 0 when clean, 1 otherwise.`;

/** The command that gives platform-owned files the render back (upgrade/command.ts). */
export const REAPPLY = 'npx create-iot-platform upgrade --reapply';

/**
 * Where a change of the platform-owned file at `path` belongs instead (user-owned, kept on every upgrade), as the
 * generated README's "Change a platform-owned setting" section documents.
 */
export function overridePoint(path: string): string {
  if (path === 'compose.yaml') return 'put your setting in compose.override.yaml (docker compose merges it) or .env';
  if (path.startsWith('charts/')) return 'put your values in charts/values-<environment>.yaml (deploy) or charts/ci-values.yaml (e2e on kind)';
  if (path === '.env.example') return 'put your values in .env';
  return 'move the change to iot-platform.yaml or a shared file';
}

export const editedMessage = (path: string) => `platform-owned file edited by hand; restore it with ${REAPPLY} and ${overridePoint(path)}`;
export const DELETED = `platform-owned file deleted; restore it with ${REAPPLY}, or turn the component off in iot-platform.yaml`;

export interface LintResult {
  problems: string[];
  /** Platform-owned files checked (present and unchanged or not). */
  checked: number;
}

export function lintProject(cwd: string): LintResult {
  const problems: string[] = [];
  const manifestPath = join(cwd, MANIFEST_FILE);
  let manifestVersion: string | undefined;
  if (!existsSync(manifestPath)) {
    throw new UserError(`${MANIFEST_FILE}: not found in ${cwd}; run create-iot-platform lint in the root of a generated project`);
  }
  try {
    manifestVersion = parseManifest(readFileSync(manifestPath, 'utf8'), MANIFEST_FILE).platform.version;
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    problems.push(...error.message.split('\n'));
  }

  const lock = readLock(cwd, problems);
  let checked = 0;
  if (lock) {
    if (manifestVersion && lock.platformVersion && manifestVersion !== lock.platformVersion) {
      problems.push(
        `${MANIFEST_FILE}: platform.version: ${manifestVersion} differs from ${lock.platformVersion} in ${LOCK_FILE}; change versions with create-iot-platform upgrade, not by hand`,
      );
    }
    for (const [path, entry] of Object.entries(lock.files).sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (entry.ownership !== 'platform') continue;
      checked++;
      const file = join(cwd, path);
      if (!existsSync(file)) {
        problems.push(`${path}: ${DELETED}`);
        continue;
      }
      const text = readFileSync(file, 'utf8');
      // A checkout with core.autocrlf=true turns LF into CRLF: that is not an edit.
      if (sha256(text) !== entry.sha256 && sha256(text.replaceAll('\r\n', '\n')) !== entry.sha256) {
        problems.push(`${path}: ${editedMessage(path)}`);
      }
    }
  }
  return { problems, checked };
}

function readLock(cwd: string, problems: string[]): Lock | undefined {
  const file = join(cwd, LOCK_FILE);
  if (!existsSync(file)) {
    problems.push(`${LOCK_FILE}: not found; it records what the platform generated: restore it from git (or re-run create-iot-platform upgrade)`);
    return undefined;
  }
  let lock: unknown;
  try {
    lock = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    problems.push(`${LOCK_FILE}: not valid JSON (${(error as Error).message}); restore it from git`);
    return undefined;
  }
  const files = (lock as Partial<Lock> | null)?.files;
  const valid =
    files !== null &&
    typeof files === 'object' &&
    !Array.isArray(files) &&
    Object.values(files).every((f) => f && typeof f === 'object' && typeof f.sha256 === 'string' && typeof f.ownership === 'string');
  if (!valid) {
    problems.push(`${LOCK_FILE}: files: expected { "<path>": { "ownership", "sha256" } }; restore it from git`);
    return undefined;
  }
  return lock as Lock;
}

export async function lint(argv: string[], cwd: string, out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseCommandArgs('lint', argv, { help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    out(LINT_USAGE);
    return 0;
  }
  if (positionals.length) throw new UserError(`lint takes no arguments (got "${positionals.join(' ')}")\n${LINT_USAGE}`);
  const { problems, checked } = lintProject(cwd);
  for (const problem of problems) out(problem);
  if (problems.length) {
    process.stderr.write(`create-iot-platform lint: ${problems.length} problem${problems.length > 1 ? 's' : ''}\n`);
    return 1;
  }
  out(`${MANIFEST_FILE} is valid; ${checked} platform-owned files match ${LOCK_FILE}`);
  return 0;
}
