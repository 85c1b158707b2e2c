// GET /map  the live map page (public: the page itself sends the key from its URL fragment, #key=…)
import { readFileSync } from 'node:fs';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

const page = readFileSync(new URL('../map/map.html', import.meta.url), 'utf8');

export const MAP_PATH = '/map';

export const mapRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(MAP_PATH, { schema: { tags: ['map'], summary: 'The live map (HTML); open it as /map#key=<API key>', security: [] } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page),
  );
};
