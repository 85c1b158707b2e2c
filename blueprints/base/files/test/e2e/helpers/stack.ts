// Runs `npm run stack -- <args>` of this project (works for every stack driver: the command picks the one
// that runs) and resolves with its output; rejects with the tail of the output when it fails.
import { spawn } from 'node:child_process';

export function stack(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'stack', '--', ...args], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`npm run stack -- ${args.join(' ')} failed (exit ${code}):\n${output.slice(-4000)}`)),
    );
  });
}
