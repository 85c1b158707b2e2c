// vitest runs TypeScript without checking types: the whole repository (sources, tests, scripts) must
// typecheck under the strict settings too.
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/cli.ts';

it('typechecks (tsc -p tsconfig.test.json)', () => {
  const result = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.test.json'], { cwd: REPO_ROOT, encoding: 'utf8' });
  expect(result.stdout + result.stderr).toBe('');
  expect(result.status).toBe(0);
}, 300_000);
