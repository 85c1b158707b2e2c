// `.iot-platform/lock.json`: what the platform generated, so that lint can flag hand edits of
// platform-owned files and upgrades know each file's class and the content they last wrote, and the answers
// (the manifest) it rendered with: the next upgrade renders its merge base from them, as Copier's answers file does,
// so an edit of iot-platform.yaml since then reaches the generated files.
import { createHash } from 'node:crypto';
import type { Manifest } from '../manifest/schema.ts';
import type { Ownership } from './ownership.ts';
import type { PlannedFile } from './render.ts';

export interface Lock {
  platformVersion: string;
  blueprint: string;
  /** The manifest the files were rendered from (absent in locks of platform 0.1.0 and earlier). */
  answers?: Manifest;
  files: Record<string, { ownership: Ownership; sha256: string }>;
}

export const sha256 = (content: string) => createHash('sha256').update(content).digest('hex');

export function buildLock(manifest: Manifest, files: PlannedFile[]): Lock {
  return {
    platformVersion: manifest.platform.version,
    blueprint: manifest.blueprint,
    answers: manifest,
    files: Object.fromEntries(files.map((f) => [f.path, { ownership: f.ownership, sha256: sha256(f.content) }])),
  };
}
