// `create-iot-platform upgrade [--to VERSION] [--dry-run]` inside a generated repository.
import { parseArgs } from 'node:util';
import { UserError } from '../cli/errors.ts';
import { formatReport, upgradeProject } from './index.ts';

/** Exit code of an upgrade that was applied but left conflict markers to resolve. */
export const EXIT_CONFLICTS = 3;

export const UPGRADE_USAGE = `Usage: create-iot-platform upgrade [--to VERSION] [--dry-run] [--all]
  --to VERSION   the platform version to upgrade to (default: this create-iot-platform)
  --dry-run      print what each file would become and write nothing
  --all          list unchanged files in the table too
Exit codes: 0 upgraded cleanly (or nothing to do), 3 upgraded with conflicts to resolve, 1 user error, 2 internal error.`;

export async function upgrade(argv: string[], cwd: string, out: (line: string) => void): Promise<number> {
  let values: { to?: string; 'dry-run'?: boolean; all?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { to: { type: 'string' }, 'dry-run': { type: 'boolean' }, all: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (error) {
    throw new UserError(`${(error as Error).message.split('. ')[0]}; usage: create-iot-platform upgrade [--to VERSION] [--dry-run]`);
  }
  if (values.help) {
    out(UPGRADE_USAGE);
    return 0;
  }
  const dryRun = Boolean(values['dry-run']);
  const report = await upgradeProject({ projectDir: cwd, to: values.to, dryRun, log: out });
  if (!report.changed) return 0;
  out('');
  out(formatReport(report, { all: values.all }));
  out('');
  if (dryRun) {
    out(`Dry run: nothing written. ${report.conflicts.length ? `${report.conflicts.length} file(s) would get conflict markers.` : 'It would apply cleanly.'}`);
    return 0;
  }
  if (report.conflicts.length) {
    out(`Upgraded to platform ${report.to} with ${report.conflicts.length} conflict(s); resolve the <<<<<<< markers in:`);
    for (const path of report.conflicts) out(`  ${path}`);
    out('Nothing is committed: review with `git diff`, then git add and commit.');
    return EXIT_CONFLICTS;
  }
  out(`Upgraded to platform ${report.to}. Nothing is committed: review with \`git diff\`, then commit.`);
  return 0;
}
