// GET /vehicles              every vehicle now (Redis), with its last arrival on its current trip
// GET /vehicles/{vehicleId}  one vehicle, or 404
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { PUNCTUALITIES } from '../repositories/punctuality.ts';
import { errorSchema, gtfsId, notFound, type RouteOptions } from './context.ts';

const lastArrivalSchema = z.object({
  tripId: z.string(),
  serviceDate: z.string().nullable().describe('YYYY-MM-DD, in the agency time zone'),
  stopId: z.string().nullable(),
  stopSequence: z.number().nullable(),
  arrivalTime: z.string().nullable(),
  scheduledArrivalTime: z.string().nullable(),
  delaySeconds: z.number().nullable(),
  onTime: z.boolean().nullable(),
});

export const vehicleSchema = z.object({
  vehicleId: z.string(),
  label: z.string().nullable(),
  tripId: z.string().nullable(),
  routeId: z.string().nullable(),
  directionId: z.number().nullable(),
  startDate: z.string().nullable().describe('YYYYMMDD, as the feed gives it'),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
  bearing: z.number().nullable(),
  speed: z.number().nullable().describe('m/s'),
  stopId: z.string().nullable().describe('the stop the feed says the vehicle is at or going to'),
  currentStopSequence: z.number().nullable(),
  currentStatus: z.string().nullable(),
  positionTime: z.string().nullable(),
  lastArrival: lastArrivalSchema.nullable().describe('the last stop arrival detected on the current trip'),
  delaySeconds: z.number().nullable().describe("the last arrival's delay"),
  onTime: z.boolean().nullable(),
  punctuality: z.enum(PUNCTUALITIES).describe('on-time, or early / late beyond the on-time range; unknown without an arrival with a delay'),
});

export const vehiclesRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/vehicles',
    {
      schema: {
        tags: ['vehicles'],
        summary: 'Every vehicle now (reported within the Redis TTL), by vehicle id',
        response: { 200: z.object({ items: z.array(vehicleSchema) }) },
      },
    },
    async () => ({ items: await ctx.vehicles.list() }),
  );

  app.get(
    '/vehicles/:vehicleId',
    {
      schema: {
        tags: ['vehicles'],
        summary: 'One vehicle now',
        params: z.object({ vehicleId: gtfsId }),
        response: { 200: vehicleSchema, 404: errorSchema },
      },
    },
    async (request) => {
      const vehicle = await ctx.vehicles.get(request.params.vehicleId);
      if (!vehicle) throw notFound(`vehicle ${request.params.vehicleId} has no current state`);
      return vehicle;
    },
  );
};
