import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface PackageJson {
  name: string;
  version: string;
  repository?: { url?: string };
}

let found: { root: string; pkg: PackageJson } | undefined;

function find(): { root: string; pkg: PackageJson } {
  if (found) return found;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
      if (pkg.name === 'create-iot-platform') return (found = { root: dir, pkg });
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('create-iot-platform: cannot find the package root');
    dir = parent;
  }
}

/** The folder of this package's package.json, found the same way from sources (vitest) and from dist/. */
export const packageRoot = (): string => find().root;
export const packageJson = (): PackageJson => find().pkg;
export const platformVersion = (): string => find().pkg.version;
