// Renders the PNG chart with matplotlib from a cached virtualenv (~/.cache/iot-platform/bench-venv).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir } from '../../stack/native/context.ts';

/** Runs scripts/bench/<script> (default chart.py, the sensors chart) on a report's JSON. */
export function drawChart(jsonFile: string, pngFile: string, script = 'chart.py'): string | undefined {
  const venv = join(cacheDir(), 'bench-venv');
  const python = join(venv, 'bin', 'python');
  if (!existsSync(python)) {
    const made = spawnSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
    if (made.status !== 0) return 'python3 -m venv failed';
  }
  if (spawnSync(python, ['-c', 'import matplotlib'], { stdio: 'ignore' }).status !== 0) {
    const installed = spawnSync(join(venv, 'bin', 'pip'), ['install', '-q', 'matplotlib'], { stdio: 'inherit' });
    if (installed.status !== 0) return 'pip install matplotlib failed';
  }
  const path = fileURLToPath(new URL(`./${script}`, import.meta.url));
  const result = spawnSync(python, [path, jsonFile, pngFile], { encoding: 'utf8' });
  return result.status === 0 ? undefined : `chart failed: ${result.stderr.trim().split('\n').pop()}`;
}
