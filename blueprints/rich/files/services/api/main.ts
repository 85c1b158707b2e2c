// Process entry of the RICH API: the platform API kit's serveApi (environment, connections, listen, graceful close)
// with this blueprint's app and the project's parameters.
import { serveApi } from 'create-iot-platform/api-kit';
import { buildApp } from './app.ts';

await serveApi(
  ({ manifest, ...context }) => buildApp({ ...context, parameters: manifest.parameters, redisSinks: manifest.sinks.redis }),
  { docs: '/docs', display: '/display#key=<API key>&env=<env>&tenant=<tenant>' },
);
