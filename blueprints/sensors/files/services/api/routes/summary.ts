// GET /api/{env}/{tenantId}/devices/summary/recent: the sliding 10-minute summary (zeros when none yet).
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { tenantParams, type RouteOptions } from './context.ts';

const summaryResponse = z.object({
  env: z.string(),
  tenantId: z.string(),
  windowSeconds: z.number(),
  windowStart: z.string().nullable(),
  windowEnd: z.string().nullable(),
  totalDevices: z.number(),
  onlineDevices: z.number(),
  offlineDevices: z.number(),
  avgTemperature: z.number().nullable(),
  avgHumidity: z.number().nullable(),
});

export const summaryRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/devices/summary/recent',
    {
      schema: {
        tags: ['summary'],
        summary: 'Devices, online counts and averages over the last window',
        params: tenantParams,
        response: { 200: summaryResponse },
      },
    },
    async (request) => ctx.state.recentSummary(request.params.env, request.params.tenantId),
  );
};
