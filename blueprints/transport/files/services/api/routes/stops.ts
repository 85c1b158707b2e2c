// GET /stops/{stopId}/arrivals?limit=  a stop's recent arrivals, newest first (404 for a stop not in the feed)
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorSchema, gtfsId, notFound, type RouteOptions } from './context.ts';

export const stopArrivalSchema = z.object({
  agencyId: z.string(),
  tripId: z.string(),
  routeId: z.string().nullable(),
  vehicleId: z.string().nullable(),
  serviceDate: z.string(),
  stopId: z.string(),
  stopSequence: z.number(),
  arrivalTime: z.string(),
  scheduledArrivalTime: z.string().nullable(),
  delaySeconds: z.number().nullable(),
  onTime: z.boolean().nullable(),
  headwaySeconds: z.number().nullable().describe('frequency trips without exact times: seconds since the previous vehicle'),
});

export const stopsRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/stops/:stopId/arrivals',
    {
      schema: {
        tags: ['stops'],
        summary: "A stop's recent arrivals, newest first",
        params: z.object({ stopId: gtfsId }),
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(20) }),
        response: {
          200: z.object({ stopId: z.string(), name: z.string().nullable(), items: z.array(stopArrivalSchema) }),
          400: errorSchema,
          404: errorSchema,
        },
      },
    },
    async (request) => {
      const stop = await ctx.arrivals.stop(request.params.stopId);
      if (!stop) throw notFound(`stop ${request.params.stopId} is not in the static feed (gtfs.stops)`);
      return { ...stop, items: await ctx.arrivals.recentAtStop(stop.stopId, request.query.limit) };
    },
  );
};
