// GET /api/{env}/{tenantId}/devices/{deviceId}/drought: the device's dry-days streak, or 404
// GET /api/{env}/{tenantId}/devices/summary/drought:   devices in drought and the longest streak
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { deviceParams, errorSchema, notFound, tenantParams, type RouteOptions } from './context.ts';

const droughtSchema = z.object({
  env: z.string(),
  tenantId: z.string(),
  deviceId: z.string(),
  threshold: z.number().nullable().describe('humidity % at or above which a reading ends the streak'),
  lastAt: z.string().nullable(),
  lastOkAt: z.string().nullable(),
  streakDays: z.number(),
  lastHumidity: z.number().nullable(),
});

const droughtSummary = z.object({
  env: z.string(),
  tenantId: z.string(),
  threshold: z.number().nullable(),
  devices: z.number(),
  devicesInDrought: z.number().describe('devices with streakDays > 0'),
  maxStreakDays: z.number(),
  maxDeviceId: z.string().nullable(),
});

export const droughtRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/devices/summary/drought',
    {
      schema: {
        tags: ['drought'],
        summary: 'Devices in drought and the longest dry-days streak',
        params: tenantParams,
        response: { 200: droughtSummary },
      },
    },
    async (request) => {
      const { env, tenantId } = request.params;
      const all = await ctx.state.listDroughts(env, tenantId);
      let max: (typeof all)[number] | undefined;
      for (const d of all) if (!max || d.streakDays > max.streakDays) max = d;
      return {
        env,
        tenantId,
        threshold: all.find((d) => d.threshold !== null)?.threshold ?? null,
        devices: all.length,
        devicesInDrought: all.filter((d) => d.streakDays > 0).length,
        maxStreakDays: max?.streakDays ?? 0,
        maxDeviceId: max && max.streakDays > 0 ? max.deviceId : null,
      };
    },
  );

  app.get(
    '/devices/:deviceId/drought',
    {
      schema: {
        tags: ['drought'],
        summary: "The device's dry-days streak",
        params: deviceParams,
        response: { 200: droughtSchema, 404: errorSchema },
      },
    },
    async (request) => {
      const { env, tenantId, deviceId } = request.params;
      const drought = await ctx.state.getDrought(env, tenantId, deviceId);
      if (!drought) throw notFound(`device ${deviceId} has no dry-days streak in ${env}/${tenantId}`);
      return drought;
    },
  );
};
