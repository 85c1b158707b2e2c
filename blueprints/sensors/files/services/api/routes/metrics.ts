// GET /api/{env}/{tenantId}/devices/{deviceId}/metrics?bucket=hour|day|week&from=&to=
// Average temperature and humidity per bucket, in the project's time zone (from/to: epoch seconds).
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { BUCKETS, DEFAULT_RANGE_SECONDS } from '../repositories/readings.ts';
import { badRequest, deviceParams, errorSchema, type RouteOptions } from './context.ts';

const metricsQuery = z.object({
  bucket: z
    .string()
    .transform((b) => b.toLowerCase())
    .pipe(z.enum(BUCKETS))
    .default('hour'),
  from: z.coerce.number().int().nonnegative().optional().describe('epoch seconds, inclusive'),
  to: z.coerce.number().int().nonnegative().optional().describe('epoch seconds, exclusive'),
});

const metricsResponse = z.object({
  deviceId: z.string(),
  bucket: z.enum(BUCKETS),
  timeZone: z.string(),
  from: z.number(),
  to: z.number(),
  points: z.array(
    z.object({
      ts: z.number().describe('bucket start, epoch seconds'),
      bucketStart: z.string(),
      temperatureAvg: z.number().nullable(),
      humidityAvg: z.number().nullable(),
      readings: z.number(),
    }),
  ),
});

export const metricsRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/devices/:deviceId/metrics',
    {
      schema: {
        tags: ['devices'],
        summary: 'Average temperature and humidity per hour, day or week',
        params: deviceParams,
        querystring: metricsQuery,
        response: { 200: metricsResponse, 400: errorSchema },
      },
    },
    async (request) => {
      const { env, tenantId, deviceId } = request.params;
      const { bucket } = request.query;
      let { from, to } = request.query;
      const now = Math.floor(ctx.now() / 1000);
      if (from !== undefined && to !== undefined && from >= to) throw badRequest('from must be before to');
      to ??= now;
      from ??= to - DEFAULT_RANGE_SECONDS[bucket];
      const points = await ctx.readings.metrics(env, tenantId, deviceId, bucket, from, to);
      return { deviceId, bucket, timeZone: ctx.readings.timeZone, from, to, points };
    },
  );
};
