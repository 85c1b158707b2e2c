// GET /display  the event display page (public: the page itself sends the key from its URL fragment, #key=…)
import { readFileSync } from 'node:fs';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

const page = readFileSync(new URL('../display/display.html', import.meta.url), 'utf8');

export const DISPLAY_PATH = '/display';

export const displayRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    DISPLAY_PATH,
    { schema: { tags: ['display'], summary: 'The event display (HTML); open it as /display#key=<API key>&env=<env>&tenant=<tenant>', security: [] } },
    async (_request, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page),
  );
};
