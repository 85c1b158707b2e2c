// `npm pack` of this checkout, the way a release packs it (prepack builds dist/), into a folder of the caller.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface PackedCheckout {
  /** Absolute path of the .tgz. */
  path: string;
  name: string;
  version: string;
  /** sha512 integrity of the tarball, as npm records it in lock files. */
  integrity: string;
  /** Paths inside the package (without the package/ prefix). */
  files: string[];
}

export function packCheckout(destination: string, env: NodeJS.ProcessEnv = process.env): PackedCheckout {
  const result = spawnSync('npm', ['pack', '--json', '--pack-destination', destination], {
    cwd: REPO_ROOT,
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 300_000,
  });
  if (result.status !== 0) throw new Error(`npm pack failed (exit ${result.status}): ${tail(result.stderr || result.stdout)}`);
  // The prepack script's own output may precede the JSON on stdout: the JSON is the last top-level array.
  const start = result.stdout.lastIndexOf('\n[\n');
  const json = JSON.parse(start >= 0 ? result.stdout.slice(start + 1) : result.stdout) as {
    name: string;
    version: string;
    filename: string;
    integrity: string;
    files: { path: string }[];
  }[];
  const packed = json[0]!;
  return {
    path: join(destination, packed.filename),
    name: packed.name,
    version: packed.version,
    integrity: packed.integrity,
    files: packed.files.map((f) => f.path).sort(),
  };
}

const tail = (text: string) => text.trim().split('\n').slice(-15).join(' | ');
