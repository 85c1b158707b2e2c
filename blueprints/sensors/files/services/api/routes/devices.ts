// GET /api/{env}/{tenantId}/devices             current state of every device (paginated by device id)
// GET /api/{env}/{tenantId}/devices/recent      devices by last-seen time, newest first (paginated)
// GET /api/{env}/{tenantId}/devices/{deviceId}  one device, or 404
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { pageSchema, paginate, paginationQuery } from 'create-iot-platform/api-kit';
import type { DeviceState } from '../repositories/redis-state.ts';
import { deviceParams, errorSchema, notFound, tenantParams, type RouteOptions } from './context.ts';

export const deviceStateSchema = z.object({
  deviceId: z.string(),
  env: z.string(),
  tenantId: z.string(),
  lat: z.number().nullable(),
  lon: z.number().nullable(),
  humidity: z.number().nullable().describe('relative humidity, %'),
  temperature: z.number().nullable().describe('°C'),
  measuredAt: z.string().nullable(),
  rssi: z.number().nullable(),
  snr: z.number().nullable(),
  batteryPercent: z.number().nullable().describe('battery charge, % (not volts)'),
  reportedOnline: z.boolean().nullable(),
  online: z.boolean().describe('a message received from it within OFFLINE_AFTER_SECONDS (platform clock) and not reporting itself offline'),
  lastSeenAt: z.string().nullable(),
});

function publicState({ lastSeenMs: _lastSeenMs, ...state }: DeviceState) {
  return state;
}

export const devicesRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/devices',
    {
      schema: {
        tags: ['devices'],
        summary: 'Current state of every device',
        params: tenantParams,
        querystring: paginationQuery,
        response: { 200: pageSchema(deviceStateSchema), 400: errorSchema },
      },
    },
    async (request) => {
      const { env, tenantId } = request.params;
      const devices = await ctx.state.listDevices(env, tenantId);
      const page = paginate(devices, (d) => d.deviceId, request.query);
      return { items: page.items.map(publicState), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/devices/recent',
    {
      schema: {
        tags: ['devices'],
        summary: 'Devices ordered by last-seen time, newest first',
        params: tenantParams,
        querystring: paginationQuery,
        response: { 200: pageSchema(deviceStateSchema), 400: errorSchema },
      },
    },
    async (request) => {
      const { env, tenantId } = request.params;
      const devices = await ctx.state.listDevices(env, tenantId);
      // newest first: invert the timestamp so that ascending key order is descending time
      const key = (d: DeviceState) => `${String(9_999_999_999_999 - (d.lastSeenMs ?? 0)).padStart(13, '0')}|${d.deviceId}`;
      const page = paginate(devices, key, request.query);
      return { items: page.items.map(publicState), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/devices/:deviceId',
    {
      schema: {
        tags: ['devices'],
        summary: 'Current state of one device',
        params: deviceParams,
        response: { 200: deviceStateSchema, 404: errorSchema },
      },
    },
    async (request) => {
      const { env, tenantId, deviceId } = request.params;
      const device = await ctx.state.getDevice(env, tenantId, deviceId);
      if (!device) throw notFound(`device ${deviceId} has no current state in ${env}/${tenantId}`);
      return publicState(device);
    },
  );
};
