// What every route plugin receives, plus the shared path and error schemas.
import { z } from 'zod';
import type { VehiclesRepository } from '../repositories/vehicles.ts';
import type { ArrivalsRepository } from '../repositories/arrivals.ts';
import type { NetworkRepository } from '../repositories/network.ts';

export interface RouteContext {
  vehicles: VehiclesRepository;
  arrivals: ArrivalsRepository;
  network: NetworkRepository;
}

export interface RouteOptions {
  ctx: RouteContext;
}

/** GTFS ids are free text: anything printable up to 255 characters. */
export const gtfsId = z.string().min(1).max(255);

export const errorSchema = z.object({ statusCode: z.number(), error: z.string(), message: z.string() });

export function notFound(message: string): Error {
  return Object.assign(new Error(message), { statusCode: 404 });
}
