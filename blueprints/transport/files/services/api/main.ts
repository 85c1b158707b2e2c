// Process entry of the transport API: the platform API kit's serveApi (environment, connections, listen, graceful
// close) with this blueprint's app.
import { serveApi } from 'create-iot-platform/api-kit';
import { buildApp } from './app.ts';

await serveApi(
  ({ manifest, ...context }) => buildApp({ ...context, redisSinks: manifest.sinks.redis }),
  { docs: '/docs', map: '/map#key=<API key>' },
);
