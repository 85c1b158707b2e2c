// The API kit of generated repositories: `import { buildKitApp, … } from 'create-iot-platform/api-kit'`.
export { buildKitApp, errorBody, type KitApp, type KitOptions } from './build-app.ts';
export { apiKeyMatches, isPublicPath } from './auth.ts';
export { postgresCheck, redisCheck, registerHealth, type ReadinessCheck } from './health.ts';
export { decodeCursor, encodeCursor, MAX_LIMIT, pageSchema, paginate, paginationQuery, type PaginationQuery } from './pagination.ts';
export { serveApi, type ApiContext } from './serve.ts';
