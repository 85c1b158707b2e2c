// GET /api/{env}/{tenantId}/runs                            runs in PostgreSQL with their counts, and Redis's live counters
// GET /api/{env}/{tenantId}/runs/{runId}                    one run: counts, live counters, ring summary
// GET /api/{env}/{tenantId}/runs/{runId}/rings              its tracks and ring fits, by track id (paginated)
// GET /api/{env}/{tenantId}/runs/{runId}/tracks/{trackId}   one track: its ring fit, time window and hits
// GET /api/{env}/{tenantId}/runs/{runId}/hits?fromNs=&toNs=  the hits of a time slice (at most 1 s, 10,000 hits)
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { decodeCursor, encodeCursor, pageSchema, paginate, paginationQuery } from 'create-iot-platform/api-kit';
import type { RichParameters } from 'create-iot-platform/rich-simulator';
import type { StoredRun } from '../repositories/runs.ts';
import { badRequest, errorSchema, nanoseconds, notFound, runParams, tenantParams, type RouteContext, type RouteOptions } from './context.ts';

/** The longest time slice /hits answers, and the most hits it returns. */
export const MAX_SLICE_NS = 1_000_000_000n;
export const MAX_SLICE_HITS = 10_000;
const C_MM_PER_NS = 299.792458;

const count = z.number().int();
const liveSchema = z.object({
  hits: count, signalHits: count, noiseHits: count, tracks: count, ringsFound: count,
  lastTimeNs: z.string().nullable().describe('the newest labelled hit or finalised track, ns'),
});
export const runSchema = z.object({
  runId: z.string(),
  hits: count.describe('labelled hits in PostgreSQL'),
  signalHits: count,
  noiseHits: count,
  firstTimeNs: z.string().nullable().describe('the first hit, ns since the epoch'),
  lastTimeNs: z.string().nullable().describe('the last hit, ns since the epoch'),
  tracks: count.describe('tracks in PostgreSQL (ring found or not)'),
  ringsFound: count,
  live: liveSchema.nullable().describe("the pipeline's live counters (Redis); null when Redis has none"),
});
const ringSummarySchema = z.object({
  tracks: count,
  found: count,
  meanRadiusMm: z.number().nullable().describe('of the found rings (track frame)'),
  minRadiusMm: z.number().nullable(),
  maxRadiusMm: z.number().nullable(),
  meanHits: z.number().nullable(),
  meanCherenkovAngle: z.number().nullable().describe('rad'),
  meanBeta: z.number().nullable(),
});
export const ringSchema = z.object({
  trackId: z.string().describe("the track's time, ns since the epoch (trackless mode: the ring's id, the time of its first hit)"),
  x: z.number().nullable().describe('impact point at z = 0, mm (null in trackless mode, as the direction)'),
  y: z.number().nullable(),
  vx: z.number().nullable().describe('unit direction'),
  vy: z.number().nullable(),
  vz: z.number().nullable(),
  found: z.boolean(),
  hits: count.describe('hits the ring keeps'),
  centreX: z.number().nullable().describe("fitted centre in the track's normal-incidence frame, mm (trackless: on the plane)"),
  centreY: z.number().nullable(),
  radius: z.number().nullable().describe('fitted radius, mm (track frame; trackless: on the plane)'),
  chi2: z.number().nullable(),
  ndf: z.number().int().nullable(),
  cherenkovAngle: z.number().nullable().describe('rad'),
  beta: z.number().nullable(),
});
export const hitSchema = z.object({
  timeNs: z.string(),
  ix: count,
  iy: count,
  label: z.enum(['signal', 'noise']),
  trackId: z.string().nullable().describe('the track of a signal hit'),
});

/**
 * The time window in which the filter takes a hit as a candidate of the track: |t − tT − μ| ≤ kt·σt (ns). A ring
 * without a track (trackless mode, vz null): the ring's hits lie within one time window width 2·kt·σt from its first
 * hit, its id.
 */
export function trackWindow(trackId: string, vz: number | null, p: RichParameters): { fromNs: string; toNs: string } {
  const half = p.timeWindowSigmas * p.timeResolutionNs;
  const t = BigInt(trackId);
  if (vz === null) return { fromNs: String(t), toNs: String(t + BigInt(Math.ceil(2 * half))) };
  const mu = (vz > 0 ? p.distanceMm / (vz * C_MM_PER_NS) : 0) + 10 * p.timeResolutionNs;
  return { fromNs: String(t + BigInt(Math.floor(mu - half))), toNs: String(t + BigInt(Math.ceil(mu + half))) };
}

async function withLive(ctx: RouteContext, env: string, tenant: string, runs: StoredRun[]) {
  const live = await ctx.counters.of(env, tenant, runs.map((r) => r.runId));
  return runs.map((run, i) => ({ ...run, live: live[i] ?? null }));
}

const unknownRun = (env: string, tenant: string, runId: string) => notFound(`run ${runId} has no hits or tracks in ${env}/${tenant}`);

async function mustExist(ctx: RouteContext, env: string, tenant: string, runId: string): Promise<void> {
  if (!(await ctx.runs.exists(env, tenant, runId))) throw unknownRun(env, tenant, runId);
}

export const runsRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/runs',
    {
      schema: {
        tags: ['runs'],
        summary: 'Runs with hits or tracks in PostgreSQL, by run id, with their live counters',
        params: tenantParams,
        querystring: paginationQuery,
        response: { 200: pageSchema(runSchema), 400: errorSchema },
      },
    },
    async (request) => {
      const { env, tenantId } = request.params;
      const page = paginate(await ctx.runs.runs(env, tenantId), (r) => r.runId, request.query);
      return { items: await withLive(ctx, env, tenantId, page.items), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/runs/:runId',
    {
      schema: {
        tags: ['runs'],
        summary: 'One run: its counts, live counters and ring summary',
        params: runParams,
        response: { 200: runSchema.extend({ rings: ringSummarySchema }), 404: errorSchema },
      },
    },
    async (request) => {
      const { env, tenantId, runId } = request.params;
      const [run] = await ctx.runs.runs(env, tenantId, runId);
      if (!run) throw unknownRun(env, tenantId, runId);
      const [[withCounters], rings] = await Promise.all([withLive(ctx, env, tenantId, [run]), ctx.runs.ringSummary(env, tenantId, runId)]);
      return { ...withCounters!, rings };
    },
  );

  app.get(
    '/runs/:runId/rings',
    {
      schema: {
        tags: ['runs'],
        summary: "A run's tracks with their ring fits, by track id; ?found=true for the found rings only",
        params: runParams,
        querystring: paginationQuery.extend({ found: z.enum(['true', 'false']).optional() }),
        response: { 200: pageSchema(ringSchema), 400: errorSchema, 404: errorSchema },
      },
    },
    async (request) => {
      const { env, tenantId, runId } = request.params;
      const { limit, cursor, found } = request.query;
      const after = cursor === undefined ? null : decodeCursor(cursor);
      if (after !== null && !/^\d{1,19}$/.test(after)) throw badRequest('cursor is not valid; pass the nextCursor of the previous page');
      await mustExist(ctx, env, tenantId, runId);
      const rings = await ctx.runs.rings(env, tenantId, runId, { after, limit: limit + 1, ...(found ? { found: found === 'true' } : {}) });
      const items = rings.slice(0, limit);
      return { items, nextCursor: rings.length > limit ? encodeCursor(items.at(-1)!.trackId) : null };
    },
  );

  app.get(
    '/runs/:runId/tracks/:trackId',
    {
      schema: {
        tags: ['runs'],
        summary: "One track: its ring fit, the time window of its candidate hits, and the hits the filter gave it",
        params: runParams.extend({ trackId: nanoseconds }),
        response: {
          200: z.object({
            ring: ringSchema,
            window: z.object({ fromNs: z.string(), toNs: z.string() }).describe("the candidates' window, |t − tT − μ| ≤ timeWindowSigmas·σt (trackless: the ring's first hit + 2·timeWindowSigmas·σt)"),
            hits: z.array(hitSchema).describe('the signal hits the filter gave the track, in time order'),
          }),
          404: errorSchema,
        },
      },
    },
    async (request) => {
      const { env, tenantId, runId, trackId } = request.params;
      const ring = await ctx.runs.ring(env, tenantId, runId, trackId);
      if (!ring) throw notFound(`track ${trackId} is not in run ${runId} of ${env}/${tenantId}`);
      const hits = await ctx.runs.trackHits(env, tenantId, runId, ring.trackId);
      return { ring, window: trackWindow(ring.trackId, ring.vz, ctx.parameters), hits };
    },
  );

  app.get(
    '/runs/:runId/hits',
    {
      schema: {
        tags: ['runs'],
        summary: `The hits of a run with fromNs ≤ time ≤ toNs (a slice of at most ${MAX_SLICE_NS / 1_000_000n} ms; at most ${MAX_SLICE_HITS} hits, in time order)`,
        params: runParams,
        querystring: z.object({ fromNs: nanoseconds, toNs: nanoseconds }),
        response: {
          200: z.object({ fromNs: z.string(), toNs: z.string(), items: z.array(hitSchema), truncated: z.boolean().describe(`more than ${MAX_SLICE_HITS} hits: the first ones`) }),
          400: errorSchema,
          404: errorSchema,
        },
      },
    },
    async (request) => {
      const { env, tenantId, runId } = request.params;
      const { fromNs, toNs } = request.query;
      const span = BigInt(toNs) - BigInt(fromNs);
      if (span < 0n) throw badRequest('toNs is before fromNs');
      if (span > MAX_SLICE_NS) throw badRequest(`the slice is longer than ${MAX_SLICE_NS} ns; ask for shorter slices`);
      await mustExist(ctx, env, tenantId, runId);
      const hits = await ctx.runs.hits(env, tenantId, runId, fromNs, toNs, MAX_SLICE_HITS + 1);
      return { fromNs, toNs, items: hits.slice(0, MAX_SLICE_HITS), truncated: hits.length > MAX_SLICE_HITS };
    },
  );
};
