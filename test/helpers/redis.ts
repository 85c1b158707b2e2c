// Test helper: a throwaway redis-server (no persistence) on a free port, and a client connected to it.
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './postgres.ts';
import { waitFor } from './wait-for.ts';

export async function startRedis(): Promise<{ server: ChildProcess; client: Redis }> {
  const port = await freePort();
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => 100 });
  client.on('error', () => undefined); // refused connections until the server listens; ping() reports them
  await waitFor(`redis-server on port ${port}`, 15_000, async () => {
    if (server.exitCode !== null) throw new Error(`redis-server exited with ${server.exitCode}`);
    return client.ping().then(() => true, () => false);
  });
  return { server, client };
}
