// Benchmark: wall time of `create-iot-platform <dir> --blueprint B --yes --skip-install` per blueprint
// (a fresh process each time, as a user runs it; git init and first commit included), median of 5.
// Prints a table and writes reports/bench-generate.json. Target: median <= 1 s on a 2-core machine.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { blueprints } from '../renderer/catalog.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNS = 5;
const TARGET_MS = 1000;

spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const results = [];
for (const blueprint of blueprints().keys()) {
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const parent = mkdtempSync(join(tmpdir(), 'iotp-bench-'));
    const started = process.hrtime.bigint();
    const result = spawnSync(
      process.execPath,
      [join(ROOT, 'bin/create-iot-platform.js'), 'project', '--blueprint', blueprint, '--yes', '--skip-install', '--platform-dependency', '~0.0.0'],
      { cwd: parent, encoding: 'utf8' },
    );
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    rmSync(parent, { recursive: true, force: true });
    if (result.status !== 0) throw new Error(`generation failed: ${result.stderr}`);
  }
  results.push({ blueprint, runs: times.map((t) => Math.round(t)), medianMs: Math.round(median(times)), targetMs: TARGET_MS });
}

const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
console.log(`generate (no install), median of ${RUNS} fresh processes — ${machine.cpus} cores, ${machine.cpuModel}, Node ${machine.node}`);
for (const r of results) console.log(`  ${r.blueprint.padEnd(12)} median ${r.medianMs} ms  runs ${r.runs.join(' ')}  ${r.medianMs <= TARGET_MS ? 'ok' : 'OVER TARGET'}`);
mkdirSync(join(ROOT, 'reports'), { recursive: true });
writeFileSync(join(ROOT, 'reports/bench-generate.json'), `${JSON.stringify({ date: new Date().toISOString(), machine, results }, null, 2)}\n`);
console.log('wrote reports/bench-generate.json');
