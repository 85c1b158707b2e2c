// `create-iot-platform upgrade [--to VERSION] [--reapply] [--dry-run] [--yes]` inside a generated repository.
import { parseArgs } from 'node:util';
import { UserError } from '../cli/errors.ts';
import { formatReport, upgradeProject } from './index.ts';

/** Exit code of an upgrade that was applied but left conflict markers to resolve. */
export const EXIT_CONFLICTS = 3;

export const UPGRADE_USAGE = `Usage: create-iot-platform upgrade [--to VERSION] [--reapply] [--dry-run] [--all] [--yes]
  Moves the project to a platform version and re-renders it from iot-platform.yaml, 3-way merging your edits; at
  the project's own version it applies the edits of iot-platform.yaml since the last render. It never prompts.
  --to VERSION   the platform version to upgrade to (default: this create-iot-platform)
  --reapply      give platform-owned files you edited or deleted the render back (lint names them; put your
                 settings in compose.override.yaml, .env or charts/values-<environment>.yaml instead)
  --dry-run      print the table and a unified diff per file, write nothing
  --all          list unchanged files in the table too
  --yes, -y      non-interactive (accepted for CI and Renovate; upgrade never asks)
  The working tree must be committed, except an uncommitted bump of create-iot-platform in package.json
  (and package-lock.json), as Renovate leaves it.
Exit codes: 0 upgraded cleanly (or nothing to do), 1 user error, 2 internal error, 3 upgraded with conflicts to resolve.`;

export async function upgrade(argv: string[], cwd: string, out: (line: string) => void): Promise<number> {
  let values: { to?: string; 'dry-run'?: boolean; all?: boolean; reapply?: boolean; yes?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        to: { type: 'string' },
        'dry-run': { type: 'boolean' },
        all: { type: 'boolean' },
        reapply: { type: 'boolean' },
        yes: { type: 'boolean', short: 'y' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UserError(`${(error as Error).message.split('. ')[0]}; usage: create-iot-platform upgrade [--to VERSION] [--reapply] [--dry-run] [--yes]`);
  }
  if (values.help) {
    out(UPGRADE_USAGE);
    return 0;
  }
  const dryRun = Boolean(values['dry-run']);
  const report = await upgradeProject({ projectDir: cwd, to: values.to, dryRun, rerender: true, reapply: values.reapply, log: out });
  if (!report.changed) return 0;
  out('');
  out(formatReport(report, { all: values.all }));
  out('');
  const done = report.from === report.to ? `Re-rendered platform ${report.to}` : `Upgraded to platform ${report.to}`;
  if (dryRun) {
    if (report.diff) out(report.diff.trimEnd());
    if (report.diff) out('');
    out(`Dry run: nothing written. ${report.conflicts.length ? `${report.conflicts.length} file(s) would get conflict markers.` : 'It would apply cleanly.'}`);
    return 0;
  }
  if (report.envAdded?.length) out(`Added to .env (git-ignored): ${report.envAdded.join(', ')}.`);
  if (report.conflicts.length) {
    out(`${done} with ${report.conflicts.length} conflict(s); resolve the <<<<<<< markers in:`);
    for (const path of report.conflicts) out(`  ${path}`);
    out('Nothing is committed: review with `git diff`, then git add and commit.');
    return EXIT_CONFLICTS;
  }
  out(`${done}. Nothing is committed: review with \`git diff\`, then commit.`);
  return 0;
}
