// What every route plugin receives, plus the shared path and error schemas.
import { z } from 'zod';
import type { RichParameters } from 'create-iot-platform/rich-simulator';
import type { CountersRepository } from '../repositories/counters.ts';
import type { RunsRepository } from '../repositories/runs.ts';

export interface RouteContext {
  runs: RunsRepository;
  counters: CountersRepository;
  /** The project's RICH parameters (iot-platform.yaml parameters:, the contract's defaults otherwise). */
  parameters: RichParameters;
}

export interface RouteOptions {
  ctx: RouteContext;
}

const name = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'use letters, digits, ".", "_" or "-" (at most 64)');

export const tenantParams = z.object({ env: name, tenantId: name });
export const runParams = tenantParams.extend({ runId: name });

/** A time in ns since the epoch, or a track id (its time): a decimal string of at most 19 digits. */
export const nanoseconds = z
  .string()
  .regex(/^\d{1,19}$/, 'a whole number of nanoseconds since the epoch, as a decimal string')
  .refine((v) => !/^\d{1,19}$/.test(v) || BigInt(v) <= 9_223_372_036_854_775_807n, 'at most 2^63 − 1');

export const errorSchema = z.object({ statusCode: z.number(), error: z.string(), message: z.string() });

export function notFound(message: string): Error {
  return Object.assign(new Error(message), { statusCode: 404 });
}

export function badRequest(message: string): Error {
  return Object.assign(new Error(message), { statusCode: 400 });
}
