// Test helper: git with a fixed identity and no user/system configuration, so tests behave the same anywhere.
import { execFileSync } from 'node:child_process';

export const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Upgrade Test',
  GIT_AUTHOR_EMAIL: 'upgrade-test@example.com',
  GIT_COMMITTER_NAME: 'Upgrade Test',
  GIT_COMMITTER_EMAIL: 'upgrade-test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function initRepo(cwd: string): void {
  git(cwd, 'init', '--quiet', '--initial-branch=main');
}

export function commitAll(cwd: string, message: string): string {
  git(cwd, 'add', '--all');
  git(cwd, 'commit', '--quiet', '--no-verify', '--allow-empty', '-m', message);
  return git(cwd, 'rev-parse', 'HEAD').trim();
}

/** `git status --porcelain` lines (empty: clean). */
export function gitStatus(cwd: string): string[] {
  return git(cwd, 'status', '--porcelain', '--untracked-files=all').split('\n').filter(Boolean);
}
