// GET /network  route lines and stops of the static feed, for the map
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { RouteOptions } from './context.ts';

const latLon = z.tuple([z.number(), z.number()]).describe('[lat, lon]');

const networkSchema = z.object({
  bounds: z.object({ minLat: z.number(), minLon: z.number(), maxLat: z.number(), maxLon: z.number() }).nullable(),
  routes: z.array(
    z.object({
      routeId: z.string(),
      shortName: z.string().nullable(),
      longName: z.string().nullable(),
      color: z.string().nullable().describe('route_color as #RRGGBB'),
      lines: z.array(
        z.object({
          shapeId: z.string().nullable().describe("null: the polyline through a shapeless trip's stops"),
          points: z.array(latLon),
        }),
      ),
    }),
  ),
  stops: z.array(z.object({ stopId: z.string(), name: z.string().nullable(), lat: z.number(), lon: z.number() })),
});

export const networkRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/network',
    {
      schema: {
        tags: ['network'],
        summary: "Each route's distinct shapes and the stops, with the network's bounds",
        response: { 200: networkSchema },
      },
    },
    async () => ctx.network.network(),
  );
};
