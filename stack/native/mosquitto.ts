// Mosquitto from the system packages, with the project's users and ACL (config/mosquitto/acl).
import { chownSync, copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NativeComponent } from './component.ts';
import { secret, type NativeContext } from './context.ts';
import { run, startProcess } from './processes.ts';
import { tcpOpen, waitFor } from '../wait.ts';

function prepare(ctx: NativeContext): string {
  const dir = join(ctx.stateDir, 'run', 'mosquitto');
  mkdirSync(join(ctx.stateDir, 'run'), { recursive: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const passwd = join(dir, 'passwd');
  rmSync(passwd, { force: true });
  run('mosquitto_passwd', ['-c', '-b', passwd, 'gateway', secret(ctx, 'MQTT_GATEWAY_PASSWORD')]);
  run('mosquitto_passwd', ['-b', passwd, 'device', secret(ctx, 'MQTT_DEVICE_PASSWORD')]);
  const acl = join(dir, 'acl');
  copyFileSync(join(ctx.projectDir, 'config', 'mosquitto', 'acl'), acl);
  const config = join(dir, 'mosquitto.conf');
  writeFileSync(
    config,
    [
      'per_listener_settings false',
      'allow_anonymous false',
      `password_file ${passwd}`,
      `acl_file ${acl}`,
      `listener ${ctx.ports.mqtt} 127.0.0.1`,
      'persistence false',
      // While the gateway pauses (Kafka behind), the broker queues for it: never drop what devices were
      // already acknowledged for (the old limit of 100,000 dropped messages silently under load).
      'max_queued_messages 0',
      'log_dest stdout',
      'log_type error',
      'log_type warning',
      'log_type notice',
      // Started as root, mosquitto switches to this user, which must read the files above.
      ...(process.getuid?.() === 0 ? ['user mosquitto'] : []),
      '',
    ].join('\n'),
  );
  if (process.getuid?.() === 0) {
    const id = (flag: string) => Number(run('id', [flag, 'mosquitto']).trim());
    for (const path of [dir, passwd, acl, config]) chownSync(path, id('-u'), id('-g'));
  }
  return config;
}

export const mosquitto: NativeComponent = {
  name: 'mosquitto',
  prerequisites: [
    { command: 'mosquitto', install: 'apt-get install mosquitto' },
    { command: 'mosquitto_passwd', install: 'apt-get install mosquitto' },
  ],
  enabled: () => true,
  ports: () => ['mqtt'],

  async start(ctx) {
    const config = prepare(ctx);
    return [startProcess({ command: 'mosquitto', args: ['-c', config], cwd: ctx.stateDir, log: join(ctx.stateDir, 'logs', 'mosquitto.log') })];
  },

  async ready(ctx) {
    await waitFor('mosquitto', () => tcpOpen(ctx.ports.mqtt!));
  },

  addresses(ctx) {
    return { MQTT_URL: `mqtt://127.0.0.1:${ctx.ports.mqtt}` };
  },
};
