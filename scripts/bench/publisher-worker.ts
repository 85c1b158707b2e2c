// One load-generator process (forked by load.ts): publishes realistic sensor ticks — the simulator's own
// value models, 4 CSV messages per tick (humidity, temperature, location, state) — for a slice of the
// step's devices at `rate` msg/s for `seconds`, over several raw MQTT connections (a device always uses
// the same connection, so its messages stay in order). Event times are "now" and strictly increase per
// device, so every tick is one distinct sensor_readings row. Reports progress and totals over IPC.
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { RawMqttPublisher } from './mqtt-raw.ts';

export interface WorkerConfig {
  projectDir: string;
  host: string;
  port: number;
  username: string;
  password: string;
  env: string;
  tenant: string;
  devices: string[];
  /** Messages per second for this worker (4 per tick). */
  rate: number;
  seconds: number;
  connections: number;
  window: number;
  clientPrefix: string;
}

export interface WorkerProgress {
  type: 'progress';
  published: number;
  acked: number;
}

export interface WorkerResult {
  type: 'done';
  published: number;
  acked: number;
  unacked: number;
  ticks: number;
  perKind: Record<string, number>;
  startedAt: number;
  publishEndedAt: number;
  lastAckAt: number;
  /** Time the generator was blocked on a full window (broker not acknowledging fast enough), ms. */
  blockedMs: number;
  cpuSeconds: number;
}

const config = JSON.parse(process.env.BENCH_WORKER_CONFIG!) as WorkerConfig;
const models = (await import(pathToFileURL(join(config.projectDir, 'simulator', 'models.ts')).href)) as typeof import('../../blueprints/sensors/files/simulator/models.ts');
const { createRandom } = (await import(pathToFileURL(join(config.projectDir, 'simulator', 'random.ts')).href)) as typeof import('../../blueprints/sensors/files/simulator/random.ts');

const random = createRandom();
const devices = config.devices.map((id) => ({
  sim: new models.SimulatedDevice(id, { drynessLevel: 36, baseLat: 54.8433, baseLon: 83.0931, offlineProbability: 0 }),
  lastMs: 0,
}));
const clients = Array.from(
  { length: Math.max(1, Math.min(config.connections, devices.length)) },
  (_, i) =>
    new RawMqttPublisher({
      host: config.host,
      port: config.port,
      clientId: `${config.clientPrefix}-${i}`,
      username: config.username,
      password: config.password,
      window: config.window,
    }),
);
await Promise.all(clients.map((c) => c.connect()));
let lastAckAt = 0;
for (const c of clients) c.onAck = () => (lastAckAt = Date.now());

const perKind: Record<string, number> = { humidity: 0, temperature: 0, location: 0, state: 0 };
const tickRate = config.rate / 4;
const cpuStart = process.cpuUsage();
const startedAt = Date.now();
const endAt = startedAt + config.seconds * 1000;
let ticks = 0;
let published = 0;
let blockedMs = 0;
let next = 0;

const progress = setInterval(() => {
  process.send?.({ type: 'progress', published, acked: clients.reduce((n, c) => n + c.acked, 0) } satisfies WorkerProgress);
}, 1000);

while (Date.now() < endAt) {
  const due = Math.min(Math.floor(((Date.now() - startedAt) / 1000) * tickRate), Math.floor(config.seconds * tickRate));
  while (ticks < due && Date.now() < endAt) {
    const index = next++ % devices.length;
    const client = clients[index % clients.length]!;
    if (!client.hasRoom) {
      for (const c of clients) c.flush();
      const blocked = Date.now();
      await client.waitForRoom();
      blockedMs += Date.now() - blocked;
    }
    const device = devices[index]!;
    const now = Date.now();
    device.lastMs = now > device.lastMs ? now : device.lastMs + 1;
    for (const { kind, payload } of models.payloads(device.sim.tick(new Date(device.lastMs), random))) {
      client.publish(models.topicOf(config.env, config.tenant, device.sim.deviceId, kind), payload);
      perKind[kind]! += 1;
      published += 1;
    }
    ticks += 1;
  }
  for (const c of clients) c.flush();
  await new Promise((resolve) => setTimeout(resolve, 5));
}
const publishEndedAt = Date.now();
await Promise.all(clients.map((c) => c.drain(60_000)));
clearInterval(progress);
const cpu = process.cpuUsage(cpuStart);
const acked = clients.reduce((n, c) => n + c.acked, 0);
process.send?.({
  type: 'done',
  published,
  acked,
  unacked: published - acked,
  ticks,
  perKind,
  startedAt,
  publishEndedAt,
  lastAckAt,
  blockedMs,
  cpuSeconds: (cpu.user + cpu.system) / 1e6,
} satisfies WorkerResult);
for (const c of clients) c.close();
setTimeout(() => process.exit(0), 200);
