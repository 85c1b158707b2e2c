// RICH detector simulator: the platform's iot-rich-sim publishing a live run over MQTT, as the detector's tenant
// (iot-platform.yaml mqtt.credentials: tenant; provisioned first when MQTT_ADMIN_PASSWORD is set), on the topics of
// events.tracks and events.hits; hits only when iot-platform.yaml declares no tracks event (trackless mode: Flink
// finds the rings from the hits alone). The physics parameters are iot-platform.yaml's; the run's seed, speed and
// length are simulator/simulator.env's. Detector time starts now: the stream's clock is the detector's.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { brokerSettings, DeviceConnections, devicePassword, projectEnv } from 'create-iot-platform/mqtt-access';
import { loadManifest } from 'create-iot-platform/service-kit';

const env = projectEnv(process.cwd());
const setting = (name: string, fallback: string) => env[name]?.trim() || fallback;
const manifest = loadManifest('iot-platform.yaml');
const broker = brokerSettings(env);
if (!broker.deviceKey) throw new Error('MQTT_DEVICE_KEY is not set: run `npm run stack -- up` (or set it in .env) first');

const runId = setting('SIM_RUN_ID', `run-${new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '')}`);
const topicOf = (event: 'tracks' | 'hits') => {
  const source = manifest.events[event]!.source;
  if (!('mqtt' in source)) throw new Error(`iot-platform.yaml: events.${event} is not an MQTT source`);
  return source.mqtt.replace('{env}', setting('SIM_ENV', 'dev')).replace('{tenant}', setting('SIM_TENANT', 'detector')).replace('{runId}', runId);
};
const hitsTopic = topicOf('hits');
const tracksTopic = manifest.events.tracks ? topicOf('tracks') : null;

// Provision the tenant's MQTT user (needs the admin password), then let the simulator publish as it.
const connections = new DeviceConnections({ url: broker.url, manifest, deviceKey: broker.deviceKey, ...(broker.adminPassword ? { adminPassword: broker.adminPassword } : {}) });
const who = connections.identityOf(hitsTopic);
await connections.clientOf(who);
await connections.endAsync();

const platformRoot = dirname(createRequire(import.meta.url).resolve('create-iot-platform/package.json'));
const args = [
  join(platformRoot, 'bin', 'iot-rich-sim.js'),
  '--mqtt', broker.url,
  ...(tracksTopic ? ['--tracks-topic', tracksTopic] : ['--hits-only']),
  '--hits-topic', hitsTopic,
  '--username', who.username,
  '--params', 'iot-platform.yaml',
  '--seed', setting('SIM_SEED', '1'),
  '--speed', setting('SIM_SPEED', '1'),
  '--batch-ms', setting('SIM_BATCH_MS', '10'),
  ...(env.SIM_DURATION_SECONDS?.trim() ? ['--duration', env.SIM_DURATION_SECONDS.trim()] : []),
];
console.log(`iot-rich-sim: run ${runId} on ${tracksTopic ? `${tracksTopic} and ` : ''}${hitsTopic} as ${who.username}`);
const simulator = spawn(process.execPath, args, { stdio: 'inherit', env: { ...process.env, MQTT_PASSWORD: devicePassword(broker.deviceKey, who.username) } });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => simulator.kill(signal));
simulator.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
