// The one text merge of upgrades: `git merge-file` (diff3 style) over three strings. It needs the git
// binary but no repository. Conflicts stay in the text as markers whose sides are labelled in plain words.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

export interface MergeResult {
  content: string;
  /** Number of conflict regions left as markers (0: merged cleanly). */
  conflicts: number;
}

export interface MergeLabels {
  ours: string;
  base: string;
  theirs: string;
}

export type Merge3 = (base: string, ours: string, theirs: string) => MergeResult;

export const mergeLabels = (from: string, to: string): MergeLabels => ({
  ours: 'your version',
  base: `platform ${from}`,
  theirs: `platform ${to}`,
});

export function gitMergeFile(labels: MergeLabels): Merge3 {
  return (base, ours, theirs) => {
    const dir = mkdtempSync(join(tmpdir(), 'iotp-merge-'));
    try {
      const [o, b, t] = ['ours', 'base', 'theirs'].map((name, i) => {
        const file = join(dir, name);
        writeFileSync(file, [ours, base, theirs][i]!);
        return file;
      });
      const result = spawnSync(
        'git',
        ['merge-file', '--diff3', '-L', labels.ours, '-L', labels.base, '-L', labels.theirs, o!, b!, t!],
        { encoding: 'utf8' },
      );
      // Exit status: the number of conflicts (capped at 127); 255 (or a signal, or no git) is a failure.
      if (result.error || result.status === null || result.status > 127) {
        throw new Error(`git merge-file failed: ${result.error?.message ?? result.stderr.trim()}`);
      }
      return { content: readFileSync(o!, 'utf8'), conflicts: result.status };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
