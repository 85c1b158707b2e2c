// Test helper: render a project for a component set straight to a folder (no Yeoman, no install).
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createManifest, type Answers } from '../../manifest/create.ts';
import { renderProject, type PlannedFile, type RenderOptions } from '../../renderer/render.ts';
import { renderEnv } from '../../renderer/env.ts';
import { COMPONENTS } from '../../manifest/schema.ts';

export function renderSensors(
  overrides: Partial<Answers> = {},
  options: RenderOptions = {},
): { manifest: ReturnType<typeof createManifest>; files: PlannedFile[] } {
  const manifest = createManifest({
    blueprint: 'sensors',
    name: 'my-sensors',
    components: [...COMPONENTS],
    deploy: ['compose', 'native', 'kubernetes'],
    ...overrides,
  });
  return { manifest, files: renderProject(manifest, options) };
}

/** Renders into a fresh temporary folder (including a generated .env) and returns its path. */
export function renderToDir(
  overrides: Partial<Answers> = {},
  dir = mkdtempSync(join(tmpdir(), 'iotp-')),
  options: RenderOptions = {},
): string {
  const { manifest, files } = renderSensors(overrides, options);
  for (const file of files) {
    const target = join(dir, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content);
    if (file.executable) chmodSync(target, 0o755);
  }
  writeFileSync(join(dir, '.env'), renderEnv(manifest));
  return dir;
}
