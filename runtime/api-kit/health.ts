// /healthz (liveness: the process answers) and /readyz (readiness: every dependency answers in time).
import { z } from 'zod';
import type { KitApp } from './build-app.ts';

export type ReadinessCheck = () => Promise<unknown>;

export function postgresCheck(pool: { query(sql: string): Promise<unknown> }): ReadinessCheck {
  return () => pool.query('select 1');
}

export function redisCheck(redis: { ping(): Promise<unknown> }): ReadinessCheck {
  return () => redis.ping();
}

const statusSchema = z.object({ status: z.string(), checks: z.record(z.string(), z.enum(['ok', 'failed'])).optional() });

export function registerHealth(app: KitApp, checks: Record<string, ReadinessCheck>, timeoutMs = 2000): void {
  app.get('/healthz', { schema: { hide: true, response: { 200: statusSchema } } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true, response: { 200: statusSchema, 503: statusSchema } } }, async (request, reply) => {
    const results: Record<string, 'ok' | 'failed'> = {};
    await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await Promise.race([
            check(),
            new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs).unref()),
          ]);
          results[name] = 'ok';
        } catch (error) {
          request.log.warn({ check: name, err: error }, 'readiness check failed');
          results[name] = 'failed';
        }
      }),
    );
    const ready = Object.values(results).every((r) => r === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks: results });
  });
}
