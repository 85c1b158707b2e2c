// `upgrade --dry-run`'s evidence: what the plan would do to each file, as one unified diff per file (the format of
// `git diff`, made by `git diff --no-index` over two scratch folders: the project's files as they are, and as the
// plan would leave them).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Plan } from './plan.ts';

export function planDiff(root: string, plan: Plan): string {
  const scratch = mkdtempSync(join(tmpdir(), 'iotp-diff-'));
  try {
    const put = (side: 'a' | 'b', path: string, content: string) => {
      const file = join(scratch, side, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
    };
    mkdirSync(join(scratch, 'a'));
    mkdirSync(join(scratch, 'b'));
    for (const path of [...plan.writes.map((w) => w.path), ...plan.deletes]) {
      const current = join(root, path);
      if (existsSync(current)) put('a', path, readFileSync(current, 'utf8'));
    }
    for (const file of plan.writes) put('b', file.path, file.content);
    const result = spawnSync('git', ['diff', '--no-index', '--no-color', '--no-ext-diff', '--no-prefix', 'a', 'b'], { cwd: scratch, encoding: 'utf8', maxBuffer: 1 << 28 });
    // Exit status 1 means "differences found".
    if (result.error || (result.status !== 0 && result.status !== 1)) throw new Error(`git diff --no-index failed: ${result.error?.message ?? result.stderr.trim()}`);
    return result.stdout;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
