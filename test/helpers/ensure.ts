// Runs one of scripts/ensure-*.sh (idempotent tool installers) and returns what it prints: the tool's path.
// A tool that cannot be installed fails the test with the script's own message; it is never skipped.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPTS = fileURLToPath(new URL('../../scripts', import.meta.url));

export function ensureTool(script: string, timeoutMs = 600_000): string {
  try {
    return execFileSync('bash', [join(SCRIPTS, script)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs }).trim();
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`scripts/${script} failed: ${e.stderr?.trim() || e.message}`);
  }
}
