// Bus simulator: the platform's GTFS-Realtime simulator (iot-gtfs-sim) on the project's static feed. Vehicles move
// along the trips' shapes on schedule (with the delay, dwell and GPS noise of simulator/simulator.env) and the feed
// is served at http://<host>:SIM_PORT/vehicle-positions.pb and their predictions at /trip-updates.pb, with ETag, 304
// and gzip, where the gateway polls them.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const setting = (name: string, fallback: string) => process.env[name]?.trim() || fallback;

const platformRoot = dirname(createRequire(import.meta.url).resolve('create-iot-platform/package.json'));
const args = [
  join(platformRoot, 'bin', 'iot-gtfs-sim.js'),
  '--gtfs', setting('GTFS_FEED', 'scenarios/transport/fixtures/synthetic-gtfs'),
  '--host', setting('SIM_HOST', '127.0.0.1'),
  '--port', setting('SIM_PORT', '8090'),
  '--interval', setting('SIM_INTERVAL_SECONDS', '10'),
  '--speed', setting('SIM_SPEED', '1'),
  '--default-delay', setting('SIM_DEFAULT_DELAY_SECONDS', '0'),
  '--dwell', setting('SIM_DWELL_SECONDS', '0'),
  '--noise', setting('SIM_NOISE_METRES', '0'),
  '--trip-updates',
  '--gzip',
  ...(process.env.SIM_START?.trim() ? ['--start', process.env.SIM_START.trim()] : []),
];

const simulator = spawn(process.execPath, args, { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => simulator.kill(signal));
simulator.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
