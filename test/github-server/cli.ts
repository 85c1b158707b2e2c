// Runs the built bin asynchronously (the GitHub test server lives in the test process, so a synchronous
// spawn would block it), with the environment pointed at that server.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(REPO_ROOT, 'bin/create-iot-platform.js');

export interface AsyncCliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export function githubEnv(apiUrl: string, token: string | undefined, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.GITHUB_TOKEN;
  delete env.GH_TOKEN;
  Object.assign(env, { NO_COLOR: '1', FORCE_COLOR: '0', GITHUB_API_URL: apiUrl, ...extra });
  if (token !== undefined) env.GITHUB_TOKEN = token;
  return env;
}

export function runCliAsync(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number; killAfterLine?: RegExp }): Promise<AsyncCliResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (options.killAfterLine?.test(stdout)) child.kill('SIGINT');
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}
