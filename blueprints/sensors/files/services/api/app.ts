// The sensors API as a function of its dependencies, so tests can build it and call app.inject().
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import { buildKitApp, postgresCheck, redisCheck, registerHealth, type KitApp } from 'create-iot-platform/api-kit';
import { sensorKeys } from './repositories/keys.ts';
import { RedisStateRepository } from './repositories/redis-state.ts';
import { ReadingsRepository } from './repositories/readings.ts';
import { MartsRepository } from './repositories/marts.ts';
import type { RouteContext } from './routes/context.ts';
import { devicesRoutes } from './routes/devices.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { summaryRoutes } from './routes/summary.ts';
import { droughtRoutes } from './routes/drought.ts';
import { reportsRoutes } from './routes/reports.ts';

export interface AppDeps {
  redis: Redis;
  pool: Pool;
  apiKey: string;
  /** IANA zone of "local" hours, days and weeks (default UTC). */
  timeZone?: string;
  /** A device not heard from for this long is offline (default 600). */
  offlineAfterSeconds?: number;
  /** The manifest's sinks.redis (key templates by topic); the blueprint defaults otherwise. */
  redisSinks?: readonly { topic: string; key: string }[];
  rateLimitPerMinute?: number;
  logLevel?: string | false;
  now?: () => number;
}

export const API_PREFIX = '/api/:env/:tenantId';

export async function buildApp(deps: AppDeps): Promise<KitApp> {
  const app = await buildKitApp({
    title: 'Sensors API',
    version: '1.0.0',
    description: 'Current device state (Redis), history (PostgreSQL) and dry-day reports (dbt).',
    apiKey: deps.apiKey,
    ...(deps.rateLimitPerMinute ? { rateLimitPerMinute: deps.rateLimitPerMinute } : {}),
    ...(deps.logLevel !== undefined ? { logLevel: deps.logLevel } : {}),
  });
  registerHealth(app, { postgres: postgresCheck(deps.pool), redis: redisCheck(deps.redis) });
  const now = deps.now ?? Date.now;
  const ctx: RouteContext = {
    state: new RedisStateRepository(deps.redis, {
      keys: sensorKeys(deps.redisSinks),
      offlineAfterSeconds: deps.offlineAfterSeconds ?? 600,
      now,
    }),
    readings: new ReadingsRepository(deps.pool, deps.timeZone ?? 'UTC'),
    marts: new MartsRepository(deps.pool),
    now,
  };
  for (const routes of [devicesRoutes, metricsRoutes, summaryRoutes, droughtRoutes, reportsRoutes]) {
    await app.register(routes, { prefix: API_PREFIX, ctx });
  }
  return app;
}
