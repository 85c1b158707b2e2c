// The platform's Fastify kit for blueprint APIs: zod validation and serialisation, OpenAPI at /docs
// (JSON at /docs/json), rate limits, API-key auth (header x-api-key, constant-time comparison) on
// everything except /healthz, /readyz and /docs, and JSON errors {statusCode, error, message} with a
// generic message for 5xx.
import { STATUS_CODES } from 'node:http';
import Fastify, { type FastifyError, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import rateLimit from '@fastify/rate-limit';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { apiKeyMatches, isPublicPath } from './auth.ts';

export { apiKeyMatches, isPublicPath };

export interface KitOptions {
  title: string;
  version: string;
  description?: string;
  /** The key clients send in x-api-key. */
  apiKey: string;
  /** Requests per minute per client (default 600; RATE_LIMIT_PER_MINUTE in main). */
  rateLimitPerMinute?: number;
  /** Fastify logger: false in tests, a level (LOG_LEVEL) in services. */
  logLevel?: string | false;
  /** Paths served without a key besides health and docs, e.g. a page that sends the key from its own script. */
  publicPaths?: readonly string[];
}

export function errorBody(statusCode: number, message: string) {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

export async function buildKitApp(options: KitOptions) {
  if (!options.apiKey) throw new Error('API key is empty; set API_KEY');
  const app = Fastify({
    logger: options.logLevel === false ? false : { level: options.logLevel ?? 'info' },
    trustProxy: false,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const detail = error.validation
        .map((v) => `${error.validationContext ?? 'request'}${v.instancePath || ''}: ${v.message}`)
        .join('; ');
      return reply.code(400).send(errorBody(400, detail));
    }
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: error, url: request.url }, 'request failed');
      return reply.code(500).send(errorBody(500, 'Internal Server Error'));
    }
    return reply.code(status).send(errorBody(status, error.message));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(errorBody(404, `no route ${request.method} ${request.url.split('?')[0]}`)),
  );

  await app.register(rateLimit, {
    max: options.rateLimitPerMinute ?? 600,
    timeWindow: '1 minute',
    allowList: (request: FastifyRequest) => isPublicPath(request.url),
  });

  const publicPaths = new Set(options.publicPaths ?? []);
  app.addHook('onRequest', async (request, reply) => {
    if (isPublicPath(request.url) || publicPaths.has(request.url.split('?')[0]!)) return;
    if (!apiKeyMatches(options.apiKey, request.headers['x-api-key'])) {
      return reply.code(401).send(errorBody(401, 'missing or invalid API key; send it in the x-api-key header'));
    }
  });

  await app.register(swagger, {
    openapi: {
      info: { title: options.title, version: options.version, ...(options.description ? { description: options.description } : {}) },
      components: { securitySchemes: { apiKey: { type: 'apiKey', name: 'x-api-key', in: 'header' } } },
      security: [{ apiKey: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  return app;
}

export type KitApp = Awaited<ReturnType<typeof buildKitApp>>;
