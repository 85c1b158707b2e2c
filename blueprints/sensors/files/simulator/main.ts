// Sensor simulator: a TypeScript port of the prior demo's v2 emulator (prior-demos.md §2.2). Publishes
// humidity, temperature, location and state CSV messages per env × tenant × device: an optional backfill
// from BACKFILL_FROM_YEAR, then one tick every REALTIME_INTERVAL_SEC. RATE=<msg/s> runs a benchmark
// load instead (with DURATION_SEC), and SEED makes a run repeatable. Differences from the demo: each device
// connects as itself and may publish only under its own topics (iot-platform.yaml mqtt.credentials), so the
// demo's command/ack round trip is gone; QoS 1 (MQTT_QOS=0 for the old behaviour); USELESS_PAYLOAD_BYTES
// padding travels as an MQTT v5 user property (the demo appended a CSV column, which made every padded message
// unparseable); and OFFLINE_PROBABILITY.
import type { IClientPublishOptions } from 'mqtt';
import { DeviceConnections } from 'create-iot-platform/mqtt-access';
import { loadManifest } from 'create-iot-platform/service-kit';
import { readSimulatorConfig, type SimulatorConfig } from './config.ts';
import { createRandom } from './random.ts';
import { payloads, SimulatedDevice, topicOf } from './models.ts';
import { Publisher } from './publisher.ts';

function log(level: string, msg: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ level, time: new Date().toISOString(), service: 'simulator', msg, ...fields })}\n`);
}

let config: SimulatorConfig;
try {
  config = readSimulatorConfig();
} catch (error) {
  log('fatal', (error as Error).message);
  process.exit(2);
}

const random = createRandom(config.seed);
const devices = config.environments.flatMap((env) =>
  config.tenants.flatMap((tenant) =>
    config.devices.map((deviceId) => ({
      env,
      tenant,
      device: new SimulatedDevice(deviceId, {
        drynessLevel: config.drynessLevel,
        baseLat: config.baseLat,
        baseLon: config.baseLon,
        offlineProbability: config.offlineProbability,
      }),
    })),
  ),
);

const connections = new DeviceConnections({
  url: config.mqttUrl,
  manifest: loadManifest(),
  deviceKey: config.deviceKey,
  ...(config.adminPassword ? { adminPassword: config.adminPassword } : {}),
  clientIdPrefix: config.clientId,
  connectOptions: { reconnectPeriod: 1000 },
});
const publishOptions: IClientPublishOptions = {
  qos: config.qos,
  retain: false,
  ...(config.uselessPayloadBytes > 0
    ? { properties: { userProperties: { padding: 'X'.repeat(config.uselessPayloadBytes) } } }
    : {}),
};
const publisher = new Publisher(connections, publishOptions, config.maxInflight);
let stopping = false;

async function tickAll(time: Date): Promise<number> {
  let count = 0;
  for (const { env, tenant, device } of devices) {
    for (const { kind, payload } of payloads(device.tick(time, random))) {
      await publisher.publish(topicOf(env, tenant, device.deviceId, kind), payload);
      count += 1;
    }
  }
  return count;
}

async function backfill(): Promise<void> {
  const from = Date.UTC(config.backfillFromYear, 0, 1);
  const step = config.backfillIntervalSec * 1000;
  log('info', 'backfill started', { from: new Date(from).toISOString(), intervalSec: config.backfillIntervalSec });
  let messages = 0;
  let ticks = 0;
  for (let t = from; t < Date.now() && !stopping; t += step) {
    messages += await tickAll(new Date(t));
    if (++ticks % 10_000 === 0) log('info', 'backfill progress', { at: new Date(t).toISOString(), messages });
  }
  log('info', 'backfill done', { messages });
}

async function realtime(): Promise<void> {
  log('info', 'realtime started', { intervalSec: config.realtimeIntervalSec, devices: devices.length });
  while (!stopping) {
    const started = Date.now();
    await tickAll(new Date());
    const wait = config.realtimeIntervalSec * 1000 - (Date.now() - started);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** Benchmark load: RATE messages per second with current timestamps, in 10 ms slices. */
async function rateMode(): Promise<void> {
  const started = Date.now();
  const end = config.durationSec > 0 ? started + config.durationSec * 1000 : Infinity;
  log('info', 'rate mode started', { rate: config.rate, durationSec: config.durationSec });
  let due = 0;
  let next = 0;
  while (!stopping && Date.now() < end) {
    due = Math.floor(((Date.now() - started) / 1000) * config.rate);
    while (publisher.sent + publisher.inflight + publisher.failed < due && !stopping) {
      const { env, tenant, device } = devices[next++ % devices.length]!;
      for (const { kind, payload } of payloads(device.tick(new Date(), random))) {
        await publisher.publish(topicOf(env, tenant, device.deviceId, kind), payload);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await publisher.drain();
  const seconds = (Date.now() - started) / 1000;
  log('info', 'rate mode done', {
    sent: publisher.sent,
    failed: publisher.failed,
    seconds,
    achievedRate: Math.round(publisher.sent / seconds),
    ...(publisher.lastError ? { lastError: publisher.lastError } : {}),
  });
}

async function stop(signal: string): Promise<void> {
  if (stopping) process.exit(0);
  stopping = true;
  log('info', 'stopping', { signal, sent: publisher.sent });
  await Promise.race([publisher.drain(), new Promise((resolve) => setTimeout(resolve, 5000))]);
  await connections.endAsync();
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));

log('info', 'started', { url: config.mqttUrl, devices: devices.length, seeded: Boolean(config.seed) });
try {
  if (config.rate > 0) {
    await rateMode();
    await connections.endAsync();
  } else {
    if (config.backfillEnabled) await backfill();
    await realtime();
  }
} catch (error) {
  log('fatal', 'simulator failed', { error: (error as Error).message });
  process.exit(1);
}
