// GET /api/{env}/{tenantId}/reports/dry-days?from=YYYY-MM-DD&to=YYYY-MM-DD&deviceId=&limit=&cursor=
// The dbt daily dry-day report (marts.daily_dry_days). 404 with a clear message when dbt has not built it.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { decodeCursor, encodeCursor, pageSchema, paginationQuery } from 'create-iot-platform/api-kit';
import { badRequest, errorSchema, tenantParams, type RouteOptions } from './context.ts';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'use a date such as 2026-05-01');

const dryDaysQuery = paginationQuery.extend({
  from: date.optional().describe('first local day (default: 30 days ago)'),
  to: date.optional().describe('last local day, inclusive (default: today)'),
  deviceId: z.string().max(128).optional(),
});

const dryDaySchema = z.object({
  deviceId: z.string(),
  env: z.string(),
  tenantId: z.string(),
  day: z.string(),
  isDryDay: z.boolean(),
  dryStreakDays: z.number(),
});

export const reportsRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/reports/dry-days',
    {
      schema: {
        tags: ['reports'],
        summary: 'Daily dry-day report per device (dbt)',
        params: tenantParams,
        querystring: dryDaysQuery,
        response: { 200: pageSchema(dryDaySchema), 400: errorSchema, 404: errorSchema },
      },
    },
    async (request) => {
      const { env, tenantId } = request.params;
      const { limit, cursor, deviceId } = request.query;
      const today = new Date(ctx.now()).toISOString().slice(0, 10);
      const to = request.query.to ?? today;
      const from = request.query.from ?? new Date(Date.parse(to) - 30 * 86_400_000).toISOString().slice(0, 10);
      let after: { day: string; deviceId: string } | undefined;
      if (cursor !== undefined) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(decodeCursor(cursor));
        } catch {
          throw badRequest('cursor is not valid; pass the nextCursor of the previous page');
        }
        if (!Array.isArray(parsed) || parsed.length !== 2) throw badRequest('cursor is not valid');
        after = { day: String(parsed[0]), deviceId: String(parsed[1]) };
      }
      const rows = await ctx.marts.dryDays({
        env,
        tenant: tenantId,
        from,
        to,
        limit: limit + 1,
        ...(deviceId ? { deviceId } : {}),
        ...(after ? { after } : {}),
      });
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return {
        items,
        nextCursor: rows.length > limit && last ? encodeCursor(JSON.stringify([last.day, last.deviceId])) : null,
      };
    },
  );
};
