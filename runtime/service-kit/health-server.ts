// A tiny node:http server for the platform services: GET /healthz (alive), /readyz (ready() true → 200,
// else 503) and /metrics (JSON counters).
import { createServer, type Server } from 'node:http';

export interface HealthOptions {
  port: number;
  ready: () => boolean | Promise<boolean>;
  metrics: () => unknown;
}

export function startHealthServer(options: HealthOptions): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET') return send(405, { statusCode: 405, error: 'Method Not Allowed', message: 'use GET' });
    if (path === '/healthz') return send(200, { status: 'ok' });
    if (path === '/readyz') {
      Promise.resolve()
        .then(options.ready)
        .then(
          (ok) => send(ok ? 200 : 503, { status: ok ? 'ready' : 'not ready' }),
          () => send(503, { status: 'not ready' }),
        );
      return;
    }
    if (path === '/metrics') return send(200, options.metrics());
    send(404, { statusCode: 404, error: 'Not Found', message: `no route ${path}` });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, () => resolve(server));
  });
}
