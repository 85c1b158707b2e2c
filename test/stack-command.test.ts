// The stack command's one-line errors, without starting anything.
import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, tempDir } from './helpers/cli.ts';
import { renderToDir } from './helpers/render.ts';

function stack(args: string[], cwd: string, env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [BIN, 'stack', ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env }, input: '' });
  return { code: result.status, stderr: result.stderr.trim() };
}

describe('stack', () => {
  it('names the manifest it needs outside a project', () => {
    const cwd = tempDir();
    expect(stack(['up', '--native'], cwd)).toEqual({ code: 1, stderr: `error: ${cwd}/iot-platform.yaml: not found; run the stack from the root of a generated project` });
  });

  it('names a missing prerequisite and how to install it', () => {
    const project = renderToDir({ components: ['redis'] });
    // Only node itself on PATH: no psql, redis-server, mosquitto, java.
    const result = stack(['up', '--native'], project, { PATH: dirname(process.execPath) });
    expect(result).toEqual({ code: 1, stderr: 'error: native stack needs "psql" for postgres; install it (apt-get install postgresql) and retry' });
  });

  it('rejects an unknown command with the usage', () => {
    const result = stack(['restart'], renderToDir());
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe('error: unknown stack command "restart"');
    expect(result.stderr).toContain('up [--only a,b]');
  });

  it('says when the native stack is not running', () => {
    expect(stack(['dbt', 'build', '--native'], renderToDir())).toEqual({
      code: 1,
      stderr: 'error: the native stack is not running; start it with: npm run stack -- up --native',
    });
  });
});
