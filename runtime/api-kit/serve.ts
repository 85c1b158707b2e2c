// The process entry every blueprint API shares: the environment contract of the component catalog's api service
// (API_HOST/API_PORT/API_KEY, POSTGRES_*, REDIS_*, RATE_LIMIT_PER_MINUTE), the manifest, the PostgreSQL pool and
// Redis client, listen, and a graceful close. The blueprint's main only builds its app from these.
import pg from 'pg';
import { Redis } from 'ioredis';
import { createLogger, env, installShutdownHandlers, loadManifest, logLevel, onShutdown, type RuntimeManifest } from '../service-kit/index.ts';

export interface ApiContext {
  pool: pg.Pool;
  redis: Redis;
  apiKey: string;
  rateLimitPerMinute: number;
  logLevel: string;
  manifest: RuntimeManifest;
}

/** Connects, builds the app with `build`, listens; logs `started` fields with the port once it listens. */
export async function serveApi(
  build: (context: ApiContext) => Promise<{ listen(options: { port: number; host: string }): Promise<unknown>; close(): Promise<unknown> }>,
  started: Record<string, unknown> = {},
): Promise<void> {
  const log = createLogger('api');
  installShutdownHandlers(log);
  const config = env.readConfig(() => ({
    port: env.int('API_PORT', 8080),
    host: env.str('API_HOST', '0.0.0.0'),
    apiKey: env.str('API_KEY'),
    postgres: {
      host: env.str('POSTGRES_HOST'),
      port: env.int('POSTGRES_PORT', 5432),
      database: env.str('POSTGRES_DB'),
      user: env.str('POSTGRES_USER'),
      password: env.str('POSTGRES_PASSWORD'),
    },
    redis: {
      host: env.str('REDIS_HOST'),
      port: env.int('REDIS_PORT', 6379),
      username: env.optional('REDIS_USERNAME'),
      password: env.optional('REDIS_PASSWORD'),
    },
    rateLimitPerMinute: env.int('RATE_LIMIT_PER_MINUTE', 600),
  }));

  let manifest: RuntimeManifest;
  try {
    manifest = loadManifest();
  } catch (error) {
    log.fatal((error as Error).message);
    process.exit(2);
  }

  const pool = new pg.Pool({ ...config.postgres, max: 10, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 5000 });
  pool.on('error', (error) => log.warn('postgres pool error', { error: error.message }));
  const redis = new Redis({
    host: config.redis.host,
    port: config.redis.port,
    ...(config.redis.username ? { username: config.redis.username } : {}),
    ...(config.redis.password ? { password: config.redis.password } : {}),
    maxRetriesPerRequest: 2,
  });
  redis.on('error', (error) => log.warn('redis error', { error: error.message }));

  const app = await build({ pool, redis, apiKey: config.apiKey, rateLimitPerMinute: config.rateLimitPerMinute, logLevel: logLevel(), manifest });
  onShutdown('postgres', () => pool.end());
  onShutdown('redis', () => redis.quit());
  onShutdown('http server', () => app.close());
  await app.listen({ port: config.port, host: config.host });
  log.info('api started', { port: config.port, ...started });
}
