// What every route plugin receives, plus the shared path and response schemas.
import { z } from 'zod';
import type { RedisStateRepository } from '../repositories/redis-state.ts';
import type { ReadingsRepository } from '../repositories/readings.ts';
import type { MartsRepository } from '../repositories/marts.ts';

export interface RouteContext {
  state: RedisStateRepository;
  readings: ReadingsRepository;
  marts: MartsRepository;
  now: () => number;
}

export interface RouteOptions {
  ctx: RouteContext;
}

const name = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'use letters, digits, ".", "_" or "-" (at most 64)');

export const tenantParams = z.object({ env: name, tenantId: name });
export const deviceParams = tenantParams.extend({
  deviceId: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'use letters, digits, ".", "_", ":" or "-" (at most 128)'),
});

export const errorSchema = z.object({ statusCode: z.number(), error: z.string(), message: z.string() });

export function notFound(message: string): Error {
  return Object.assign(new Error(message), { statusCode: 404 });
}

export function badRequest(message: string): Error {
  return Object.assign(new Error(message), { statusCode: 400 });
}
