// The interactive path on a real pseudo-terminal: prompts appear for what flags did not answer, with the
// blueprint's defaults, and the answers end up in the manifest; a component set the blueprint cannot run is
// refused inside its prompt.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { parseManifest } from '../manifest/load.ts';
import { BIN, tempDir } from './helpers/cli.ts';

const DRIVER = new URL('./helpers/pty_drive.py', import.meta.url).pathname;
const DOWN = '\u001b[B';

it('prompts on a terminal and writes the answers', () => {
  const cwd = tempDir();
  const steps = [
    ['Project folder', 'field-kit\r'],
    ['Blueprint', '\r'],
    ['Project name', '\r'],
    // Unselect "api" (second entry) and take the rest of the defaults.
    ['Optional components', `${DOWN} \r`],
    ['Deploy targets', '\r'],
  ];
  const result = spawnSync('python3', [DRIVER, JSON.stringify(steps), process.execPath, BIN, '--skip-install', '--skip-git', '--platform-dependency', '~0.0.0'], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(result.stdout).toContain('Created field-kit (sensors blueprint');
  expect(result.status).toBe(0);
  const manifest = parseManifest(readFileSync(join(cwd, 'field-kit', 'iot-platform.yaml'), 'utf8'), 'iot-platform.yaml');
  expect(manifest.project.name).toBe('field-kit');
  expect(manifest.components).toEqual(['redis', 'dbt', 'history']);
  expect(manifest.deploy.targets).toEqual(['compose', 'native', 'kubernetes']);
}, 150_000);

it('checks "api needs redis" inside the components prompt and asks again, before the next question', () => {
  const cwd = tempDir();
  const steps = [
    ['Project folder', 'no-redis\r'],
    ['Blueprint', '\r'],
    ['Project name', '\r'],
    // Unselect "redis" (first entry) but keep "api": the prompt refuses it and stays.
    ['Optional components', ' \r'],
    ['"api" needs "redis": select redis too, or unselect api', `${DOWN} \r`], // unselect api as well
    ['Deploy targets', '\r'],
  ];
  const result = spawnSync('python3', [DRIVER, JSON.stringify(steps), process.execPath, BIN, '--skip-install', '--skip-git', '--platform-dependency', '~0.0.0'], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(result.stdout).toContain('Created no-redis (sensors blueprint');
  expect(result.status).toBe(0);
  const manifest = parseManifest(readFileSync(join(cwd, 'no-redis', 'iot-platform.yaml'), 'utf8'), 'iot-platform.yaml');
  expect(manifest.components).toEqual(['dbt', 'history']);
}, 150_000);
