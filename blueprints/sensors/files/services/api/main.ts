// Process entry of the sensors API: the platform API kit's serveApi (environment, connections, listen, graceful
// close) with this blueprint's app and its own settings.
import { env } from 'create-iot-platform/service-kit';
import { serveApi } from 'create-iot-platform/api-kit';
import { buildApp } from './app.ts';

const settings = env.readConfig(() => ({
  offlineAfterSeconds: env.int('OFFLINE_AFTER_SECONDS', 600),
  timeZone: env.optional('TZ'),
}));

await serveApi(
  ({ manifest, ...context }) =>
    buildApp({
      ...context,
      timeZone: settings.timeZone ?? manifest.project.timeZone,
      offlineAfterSeconds: settings.offlineAfterSeconds,
      redisSinks: manifest.sinks.redis,
    }),
  { docs: '/docs' },
);
