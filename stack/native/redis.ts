// Redis from the system packages, with a password and a read-only ACL user for the API.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NativeComponent } from './component.ts';
import { secret, type NativeContext } from './context.ts';
import { run, startProcess } from './processes.ts';
import { waitFor } from '../wait.ts';

function configFile(ctx: NativeContext): string {
  const dir = join(ctx.stateDir, 'data', 'redis');
  mkdirSync(dir, { recursive: true });
  const lines = [
    `port ${ctx.ports.redis}`,
    'bind 127.0.0.1',
    'protected-mode yes',
    `dir ${dir}`,
    'appendonly yes',
    'save ""',
    `user default on >${secret(ctx, 'REDIS_PASSWORD')} ~* &* +@all`,
  ];
  if (ctx.manifest.components.includes('api')) {
    lines.push(`user api on >${secret(ctx, 'REDIS_API_PASSWORD')} ~* resetchannels -@all +@read +@connection`);
  }
  const file = join(ctx.stateDir, 'run', 'redis.conf');
  mkdirSync(join(ctx.stateDir, 'run'), { recursive: true });
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return file;
}

export const redis: NativeComponent = {
  name: 'redis',
  prerequisites: [{ command: 'redis-server', install: 'apt-get install redis-server' }],
  enabled: (ctx) => ctx.manifest.components.includes('redis'),
  ports: () => ['redis'],

  async start(ctx) {
    return [startProcess({ command: 'redis-server', args: [configFile(ctx)], cwd: ctx.stateDir, log: join(ctx.stateDir, 'logs', 'redis.log') })];
  },

  async ready(ctx) {
    await waitFor('redis', async () => {
      const reply = run('redis-cli', ['-h', '127.0.0.1', '-p', String(ctx.ports.redis), '--no-auth-warning', 'ping'], {
        env: { REDISCLI_AUTH: secret(ctx, 'REDIS_PASSWORD') },
      });
      return reply.trim() === 'PONG';
    });
  },

  addresses(ctx) {
    return { REDIS_HOST: '127.0.0.1', REDIS_PORT: String(ctx.ports.redis) };
  },
};
