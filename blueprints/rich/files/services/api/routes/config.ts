// GET /config  the detector and ring-filter parameters the pipeline runs with (what the event display draws)
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { RouteOptions } from './context.ts';

export const configSchema = z.object({
  pixelsPerSide: z.number().describe('the photodetector has N × N pixels'),
  pixelPitchMm: z.number(),
  distanceMm: z.number().describe('radiator (z = 0) to photodetector plane (mm)'),
  refractiveIndex: z.number(),
  photoElectrons: z.number(),
  betaSpread: z.number(),
  angularResolutionMrad: z.number(),
  timeResolutionNs: z.number(),
  trackRateHz: z.number(),
  darkRatePerPixelHz: z.number(),
  timeWindowSigmas: z.number(),
  ringSigmas: z.number(),
  minRingHits: z.number(),
});

export const configRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/config',
    { schema: { tags: ['config'], summary: "The RICH parameters of iot-platform.yaml (the contract's defaults for those it leaves out)", response: { 200: configSchema } } },
    async () => ctx.parameters,
  );
};
