// The transport API as a function of its dependencies, so tests can build it and call app.inject() or listen.
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import { buildKitApp, postgresCheck, redisCheck, registerHealth, type KitApp } from 'create-iot-platform/api-kit';
import { vehicleKeys } from './repositories/keys.ts';
import { VehiclesRepository } from './repositories/vehicles.ts';
import { ArrivalsRepository } from './repositories/arrivals.ts';
import { NetworkRepository } from './repositories/network.ts';
import type { RouteContext } from './routes/context.ts';
import { vehiclesRoutes } from './routes/vehicles.ts';
import { stopsRoutes } from './routes/stops.ts';
import { performanceRoutes } from './routes/performance.ts';
import { networkRoutes } from './routes/network.ts';
import { MAP_PATH, mapRoutes } from './routes/map.ts';

export interface AppDeps {
  redis: Redis;
  pool: Pool;
  apiKey: string;
  /** The manifest's sinks.redis (key templates by topic); the blueprint defaults otherwise. */
  redisSinks?: readonly { topic: string; key: string }[];
  rateLimitPerMinute?: number;
  logLevel?: string | false;
}

export async function buildApp(deps: AppDeps): Promise<KitApp> {
  const app = await buildKitApp({
    title: 'Transport API',
    version: '1.0.0',
    description:
      'Vehicles now (Redis), stop arrivals and on-time performance (PostgreSQL), the network of the static GTFS feed, ' +
      'and a live map at /map. Every route but /healthz, /readyz, /docs and /map needs the API key in the x-api-key ' +
      'header; the map page reads it from its URL fragment (/map#key=<API key>) and sends it as x-api-key.',
    apiKey: deps.apiKey,
    publicPaths: [MAP_PATH],
    ...(deps.rateLimitPerMinute ? { rateLimitPerMinute: deps.rateLimitPerMinute } : {}),
    ...(deps.logLevel !== undefined ? { logLevel: deps.logLevel } : {}),
  });
  registerHealth(app, { postgres: postgresCheck(deps.pool), redis: redisCheck(deps.redis) });
  const ctx: RouteContext = {
    vehicles: new VehiclesRepository(deps.redis, vehicleKeys(deps.redisSinks)),
    arrivals: new ArrivalsRepository(deps.pool),
    network: new NetworkRepository(deps.pool),
  };
  for (const routes of [vehiclesRoutes, stopsRoutes, performanceRoutes, networkRoutes]) await app.register(routes, { ctx });
  await app.register(mapRoutes);
  return app;
}
