// The RICH API as a function of its dependencies, so tests can build it and call app.inject() or listen.
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import { buildKitApp, postgresCheck, redisCheck, registerHealth, type KitApp } from 'create-iot-platform/api-kit';
import { resolveParameters } from 'create-iot-platform/rich-simulator';
import { CountersRepository, countersKey } from './repositories/counters.ts';
import { RunsRepository } from './repositories/runs.ts';
import type { RouteContext } from './routes/context.ts';
import { configRoutes } from './routes/config.ts';
import { runsRoutes } from './routes/runs.ts';
import { DISPLAY_PATH, displayRoutes } from './routes/display.ts';

export interface AppDeps {
  redis: Redis;
  pool: Pool;
  apiKey: string;
  /** The manifest's parameters: (the RICH contract's defaults for those it leaves out). */
  parameters?: Record<string, unknown>;
  /** The manifest's sinks.redis (key templates by topic); the blueprint defaults otherwise. */
  redisSinks?: readonly { topic: string; key: string }[];
  rateLimitPerMinute?: number;
  logLevel?: string | false;
}

export const API_PREFIX = '/api/:env/:tenantId';

export async function buildApp(deps: AppDeps): Promise<KitApp> {
  const parameters = resolveParameters(deps.parameters, 'iot-platform.yaml parameters');
  const app = await buildKitApp({
    title: 'RICH API',
    version: '1.0.0',
    description:
      'Runs of the RICH detector per env and tenant: labelled hits and ring fits (PostgreSQL), live counters (Redis), ' +
      'and an event display at /display. Times are nanoseconds since the epoch, as decimal strings. Every route but ' +
      '/healthz, /readyz, /docs and /display needs the API key in the x-api-key header; the display reads it from ' +
      'its URL fragment (/display#key=<API key>&env=<env>&tenant=<tenant>) and sends it as x-api-key.',
    apiKey: deps.apiKey,
    publicPaths: [DISPLAY_PATH],
    ...(deps.rateLimitPerMinute ? { rateLimitPerMinute: deps.rateLimitPerMinute } : {}),
    ...(deps.logLevel !== undefined ? { logLevel: deps.logLevel } : {}),
  });
  registerHealth(app, { postgres: postgresCheck(deps.pool), redis: redisCheck(deps.redis) });
  const ctx: RouteContext = {
    runs: new RunsRepository(deps.pool),
    counters: new CountersRepository(deps.redis, countersKey(deps.redisSinks)),
    parameters,
  };
  await app.register(configRoutes, { ctx });
  await app.register(runsRoutes, { prefix: API_PREFIX, ctx });
  await app.register(displayRoutes);
  return app;
}
