// Current state in Redis (hashes written by the Redis sink): device state, the recent summary and the
// dry-days streak. Lists use SCAN (never KEYS) and one pipelined HGETALL per page of keys.
import type { Redis } from 'ioredis';
import type { KeyTemplate } from 'create-iot-platform/redis-sink';
import type { SensorKeys } from './keys.ts';
import {
  bool,
  DROUGHT_FIELDS,
  iso,
  latestTime,
  num,
  STATE_FIELDS,
  SUMMARY_FIELDS,
  time,
  type Hash,
} from './fields.ts';

export interface DeviceState {
  deviceId: string;
  env: string;
  tenantId: string;
  lat: number | null;
  lon: number | null;
  humidity: number | null;
  temperature: number | null;
  measuredAt: string | null;
  rssi: number | null;
  snr: number | null;
  /** Battery charge in percent (0..100). */
  batteryPercent: number | null;
  /** What the device last reported; null when unknown. */
  reportedOnline: boolean | null;
  /**
   * Received from within OFFLINE_AFTER_SECONDS (by the platform's clock: when its latest message arrived) and
   * not reporting itself offline.
   */
  online: boolean;
  lastSeenAt: string | null;
  lastSeenMs: number | null;
}

export interface RecentSummary {
  env: string;
  tenantId: string;
  windowSeconds: number;
  windowStart: string | null;
  windowEnd: string | null;
  totalDevices: number;
  onlineDevices: number;
  offlineDevices: number;
  avgTemperature: number | null;
  avgHumidity: number | null;
}

export interface DroughtState {
  env: string;
  tenantId: string;
  deviceId: string;
  threshold: number | null;
  lastAt: string | null;
  lastOkAt: string | null;
  streakDays: number;
  lastHumidity: number | null;
}

export interface StateRepositoryOptions {
  keys: SensorKeys;
  offlineAfterSeconds: number;
  now?: () => number;
}

export class RedisStateRepository {
  readonly redis: Redis;
  readonly options: StateRepositoryOptions;

  constructor(redis: Redis, options: StateRepositoryOptions) {
    this.redis = redis;
    this.options = options;
  }

  /** Every key of a template for one env/tenant (SCAN MATCH, COUNT 1000), with its device id. */
  async scan(template: KeyTemplate, env: string, tenant: string): Promise<{ key: string; deviceId: string }[]> {
    const pattern = template.scanPattern({ env, tenant });
    const found = new Map<string, string>();
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const values = template.parse(key);
        if (values && values.env === env && values.tenant === tenant && values.device_id) found.set(key, values.device_id);
      }
    } while (cursor !== '0');
    return [...found].map(([key, deviceId]) => ({ key, deviceId }));
  }

  async hashes(keys: string[]): Promise<Hash[]> {
    if (keys.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.hgetall(key);
    const results = (await pipeline.exec()) ?? [];
    return results.map(([error, value]) => {
      if (error) throw error;
      return (value ?? {}) as Hash;
    });
  }

  toDeviceState(env: string, tenant: string, deviceId: string, hash: Hash): DeviceState {
    const now = this.options.now?.() ?? Date.now();
    const lastSeenMs = latestTime(hash, STATE_FIELDS.seen);
    const reportedOnline = bool(hash, STATE_FIELDS.online);
    // Hashes without the platform's receive time (older layouts) fall back to the latest time of any kind.
    const receivedMs = latestTime(hash, STATE_FIELDS.received) ?? lastSeenMs;
    const recent = receivedMs !== null && now - receivedMs <= this.options.offlineAfterSeconds * 1000;
    return {
      deviceId,
      env,
      tenantId: tenant,
      lat: num(hash, STATE_FIELDS.lat),
      lon: num(hash, STATE_FIELDS.lon),
      humidity: num(hash, STATE_FIELDS.humidity),
      temperature: num(hash, STATE_FIELDS.temperature),
      measuredAt: iso(time(hash, STATE_FIELDS.measuredAt)),
      rssi: num(hash, STATE_FIELDS.rssi),
      snr: num(hash, STATE_FIELDS.snr),
      batteryPercent: num(hash, STATE_FIELDS.battery),
      reportedOnline,
      online: recent && reportedOnline !== false,
      lastSeenAt: iso(lastSeenMs),
      lastSeenMs,
    };
  }

  async listDevices(env: string, tenant: string): Promise<DeviceState[]> {
    const keys = await this.scan(this.options.keys.state, env, tenant);
    const hashes = await this.hashes(keys.map((k) => k.key));
    return keys
      .map((k, i) => ({ k, hash: hashes[i]! }))
      .filter(({ hash }) => Object.keys(hash).length > 0)
      .map(({ k, hash }) => this.toDeviceState(env, tenant, k.deviceId, hash));
  }

  async getDevice(env: string, tenant: string, deviceId: string): Promise<DeviceState | undefined> {
    const key = this.options.keys.state.fill({ env, tenant, device_id: deviceId });
    if (!key) return undefined;
    const hash = (await this.redis.hgetall(key)) as Hash;
    return Object.keys(hash).length === 0 ? undefined : this.toDeviceState(env, tenant, deviceId, hash);
  }

  async recentSummary(env: string, tenant: string): Promise<RecentSummary> {
    const key = this.options.keys.summary.fill({ env, tenant });
    const hash: Hash = key ? ((await this.redis.hgetall(key)) as Hash) : {};
    return {
      env,
      tenantId: tenant,
      windowSeconds: num(hash, SUMMARY_FIELDS.windowSeconds) ?? 600,
      windowStart: iso(time(hash, SUMMARY_FIELDS.windowStart)),
      windowEnd: iso(time(hash, SUMMARY_FIELDS.windowEnd)),
      totalDevices: num(hash, SUMMARY_FIELDS.totalDevices) ?? 0,
      onlineDevices: num(hash, SUMMARY_FIELDS.onlineDevices) ?? 0,
      offlineDevices: num(hash, SUMMARY_FIELDS.offlineDevices) ?? 0,
      avgTemperature: num(hash, SUMMARY_FIELDS.avgTemperature),
      avgHumidity: num(hash, SUMMARY_FIELDS.avgHumidity),
    };
  }

  toDrought(env: string, tenant: string, deviceId: string, hash: Hash): DroughtState {
    return {
      env,
      tenantId: tenant,
      deviceId,
      threshold: num(hash, DROUGHT_FIELDS.threshold),
      lastAt: iso(time(hash, DROUGHT_FIELDS.lastAt)),
      lastOkAt: iso(time(hash, DROUGHT_FIELDS.lastOkAt)),
      streakDays: num(hash, DROUGHT_FIELDS.streakDays) ?? 0,
      lastHumidity: num(hash, DROUGHT_FIELDS.lastHumidity),
    };
  }

  async getDrought(env: string, tenant: string, deviceId: string): Promise<DroughtState | undefined> {
    const key = this.options.keys.drought.fill({ env, tenant, device_id: deviceId });
    if (!key) return undefined;
    const hash = (await this.redis.hgetall(key)) as Hash;
    return Object.keys(hash).length === 0 ? undefined : this.toDrought(env, tenant, deviceId, hash);
  }

  async listDroughts(env: string, tenant: string): Promise<DroughtState[]> {
    const keys = await this.scan(this.options.keys.drought, env, tenant);
    const hashes = await this.hashes(keys.map((k) => k.key));
    return keys
      .map((k, i) => ({ k, hash: hashes[i]! }))
      .filter(({ hash }) => Object.keys(hash).length > 0)
      .map(({ k, hash }) => this.toDrought(env, tenant, k.deviceId, hash));
  }
}
