// GET /routes/{routeId}/performance?serviceDate=  on-time performance per service date (404 for a route not in the feed)
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorSchema, gtfsId, notFound, type RouteOptions } from './context.ts';

const serviceDatePerformance = z.object({
  serviceDate: z.string(),
  arrivals: z.number(),
  scheduledArrivals: z.number().describe('arrivals with a schedule, the ones on-time is decided for'),
  onTimeArrivals: z.number(),
  onTimeShare: z.number().nullable().describe('onTimeArrivals / scheduledArrivals'),
  averageDelaySeconds: z.number().nullable().describe('rounded to 0.1 s'),
});

export const performanceRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/routes/:routeId/performance',
    {
      schema: {
        tags: ['routes'],
        summary: "A route's arrivals, on-time count and share and average delay per service date",
        params: z.object({ routeId: gtfsId }),
        querystring: z.object({ serviceDate: z.iso.date().optional().describe('YYYY-MM-DD; every date when absent') }),
        response: {
          200: z.object({
            routeId: z.string(),
            shortName: z.string().nullable(),
            longName: z.string().nullable(),
            serviceDates: z.array(serviceDatePerformance),
          }),
          400: errorSchema,
          404: errorSchema,
        },
      },
    },
    async (request) => {
      const route = await ctx.arrivals.route(request.params.routeId);
      if (!route) throw notFound(`route ${request.params.routeId} is not in the static feed (gtfs.routes)`);
      return { ...route, serviceDates: await ctx.arrivals.routePerformance(route.routeId, request.query.serviceDate) };
    },
  );
};
