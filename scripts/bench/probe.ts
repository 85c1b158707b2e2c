// Event→Redis latency probe: a few probe devices (own tenant) publish one tick each (4 messages,
// eventTime = now) in turn, all through the run; a poller reads each device's Redis state hash every
// `pollMs` and records, for every tick, when the hash first showed its seq (or a later one).
// The probe traffic also keeps event time moving while a step drains (the Flink jobs run on watermarks).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RawMqttPublisher } from './mqtt-raw.ts';
import type { RedisLike } from './observe.ts';

export interface ProbeSample {
  eventTime: number;
  latencyMs: number;
}

export interface ProbeOptions {
  projectDir: string;
  host: string;
  port: number;
  username: string;
  password: string;
  env: string;
  tenant: string;
  devices: number;
  /** Ticks per second over all probe devices. */
  ticksPerSecond: number;
  pollMs: number;
  redis: RedisLike;
}

export class Probe {
  readonly samples: ProbeSample[] = [];
  published: Record<string, number> = { humidity: 0, temperature: 0, location: 0, state: 0 };
  ticks = 0;
  private pending = new Map<string, { seq: number; eventTime: number }[]>();
  private timers: NodeJS.Timeout[] = [];
  private polling = false;
  private paused = false;
  readonly options: ProbeOptions;

  constructor(options: ProbeOptions) {
    this.options = options;
  }

  async start(): Promise<void> {
    const o = this.options;
    const models = (await import(pathToFileURL(join(o.projectDir, 'simulator', 'models.ts')).href)) as typeof import('../../blueprints/sensors/files/simulator/models.ts');
    const { createRandom } = (await import(pathToFileURL(join(o.projectDir, 'simulator', 'random.ts')).href)) as typeof import('../../blueprints/sensors/files/simulator/random.ts');
    const random = createRandom();
    const client = new RawMqttPublisher({ host: o.host, port: o.port, clientId: `bench-probe-${o.tenant}`, username: o.username, password: o.password, window: 10_000 });
    await client.connect();
    const devices = Array.from({ length: o.devices }, (_, i) => new models.SimulatedDevice(`probe-${String(i + 1).padStart(2, '0')}`, { drynessLevel: 0, baseLat: 54.8433, baseLon: 83.0931, offlineProbability: 0 }));
    let next = 0;
    this.timers.push(
      setInterval(() => {
        if (this.paused) return;
        const device = devices[next++ % devices.length]!;
        const tick = device.tick(new Date(), random);
        for (const { kind, payload } of models.payloads(tick)) {
          client.publish(models.topicOf(o.env, o.tenant, device.deviceId, kind), payload);
          this.published[kind]! += 1;
        }
        client.flush();
        this.ticks += 1;
        const key = this.key(device.deviceId);
        this.pending.set(key, [...(this.pending.get(key) ?? []), { seq: tick.seq, eventTime: tick.time.getTime() }]);
      }, 1000 / o.ticksPerSecond),
      setInterval(() => void this.poll(), o.pollMs),
    );
    this.close = () => {
      for (const t of this.timers) clearInterval(t);
      client.close();
    };
  }

  close: () => void = () => {};

  /** Stops publishing and waits until the gateway has had time to pass on what is in flight. */
  async quiesce(settleMs = 2000): Promise<void> {
    this.paused = true;
    await new Promise((resolve) => setTimeout(resolve, settleMs));
  }

  resume(): void {
    this.paused = false;
  }

  private key(deviceId: string): string {
    return `sensors:${this.options.env}:${this.options.tenant}:device:${deviceId}:state`;
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const keys = [...this.pending.keys()].filter((k) => this.pending.get(k)!.length > 0);
      if (keys.length === 0) return;
      const pipeline = this.options.redis.pipeline();
      for (const key of keys) pipeline.hget(key, 'seq');
      const replies = (await pipeline.exec()) ?? [];
      const now = Date.now();
      keys.forEach((key, i) => {
        const seq = Number(replies[i]?.[1] ?? -1);
        const waiting = this.pending.get(key)!;
        const remaining = waiting.filter((w) => {
          if (w.seq > seq) return true;
          this.samples.push({ eventTime: w.eventTime, latencyMs: now - w.eventTime });
          return false;
        });
        this.pending.set(key, remaining);
      });
    } catch {
      // a failed poll is retried at the next interval
    } finally {
      this.polling = false;
    }
  }

  /** Ticks published but not yet seen in Redis, oldest first (age in ms). */
  oldestPendingAgeMs(): number {
    let oldest = Infinity;
    for (const list of this.pending.values()) for (const w of list) oldest = Math.min(oldest, w.eventTime);
    return oldest === Infinity ? 0 : Date.now() - oldest;
  }
}
