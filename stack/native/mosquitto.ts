// Mosquitto from the system packages with its dynamic security plugin: the admin user (MQTT_ADMIN_PASSWORD)
// manages clients and roles over MQTT, the broker keeps them with salted password hashes in
// .stack/data/mosquitto/dynamic-security.json (kept across `stack down`, gone with --purge). After start, the
// gateway's user is set up; devices are added with `npm run devices -- add <tenant>/<deviceId>`.
import { chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NativeComponent } from './component.ts';
import { secret, type NativeContext } from './context.ts';
import { run, startProcess } from './processes.ts';
import { tcpOpen, waitFor } from '../wait.ts';
import { DynsecAdmin } from '../../runtime/mqtt-access/dynsec-admin.ts';
import { ensureClients, gatewayClient } from '../../runtime/mqtt-access/provision.ts';

export const DYNSEC_PLUGIN = '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so';

/**
 * While the gateway pauses (Kafka behind), the broker queues for it, dropping beyond this many messages (the old
 * limit of 100,000 dropped messages under load). Not 0 (unlimited): Mosquitto 2.0 then drops the connection of
 * a client after one of its publishes was refused by an ACL.
 */
export const MAX_QUEUED_MESSAGES = 1_000_000;

/** Creates the plugin's file with only the admin user, unless it exists. */
export function initDynamicSecurity(file: string, adminPassword: string): void {
  if (existsSync(file)) return;
  run('mosquitto_ctrl', ['dynsec', 'init', file, 'admin', adminPassword]);
}

/** A broker configuration: authenticated listener on loopback, clients and ACLs from the dynamic security file. */
export function mosquittoConfig(port: number, dynsecFile: string): string {
  return [
    'per_listener_settings false',
    'allow_anonymous false',
    `listener ${port} 127.0.0.1`,
    `plugin ${DYNSEC_PLUGIN}`,
    `plugin_opt_config_file ${dynsecFile}`,
    'persistence false',
    `max_queued_messages ${MAX_QUEUED_MESSAGES}`,
    'log_dest stdout',
    'log_type error',
    'log_type warning',
    'log_type notice',
    // Started as root, mosquitto switches to this user, which must read and write the files above.
    ...(process.getuid?.() === 0 ? ['user mosquitto'] : []),
    '',
  ].join('\n');
}

/** Started as root, the broker runs as the mosquitto user, who must own its files. */
export function giveToMosquitto(paths: string[]): void {
  if (process.getuid?.() !== 0) return;
  const id = (flag: string) => Number(run('id', [flag, 'mosquitto']).trim());
  for (const path of paths) chownSync(path, id('-u'), id('-g'));
}

const dataDir = (ctx: NativeContext) => join(ctx.stateDir, 'data', 'mosquitto');

function prepare(ctx: NativeContext): string {
  const dir = join(ctx.stateDir, 'run', 'mosquitto');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  mkdirSync(dataDir(ctx), { recursive: true, mode: 0o700 });
  const dynsec = join(dataDir(ctx), 'dynamic-security.json');
  initDynamicSecurity(dynsec, secret(ctx, 'MQTT_ADMIN_PASSWORD'));
  const config = join(dir, 'mosquitto.conf');
  writeFileSync(config, mosquittoConfig(ctx.ports.mqtt!, dynsec));
  giveToMosquitto([dir, config, dataDir(ctx), dynsec]);
  return config;
}

export const mosquitto: NativeComponent = {
  name: 'mosquitto',
  prerequisites: [
    { command: 'mosquitto', install: 'apt-get install mosquitto' },
    { command: 'mosquitto_ctrl', install: 'apt-get install mosquitto' },
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

  async afterStart(ctx) {
    const url = `mqtt://127.0.0.1:${ctx.ports.mqtt}`;
    let admin: DynsecAdmin;
    try {
      admin = await DynsecAdmin.connect({ url, password: secret(ctx, 'MQTT_ADMIN_PASSWORD') });
    } catch (error) {
      throw new Error(`${(error as Error).message} (${join(dataDir(ctx), 'dynamic-security.json')} was made with another MQTT_ADMIN_PASSWORD: put that one back into .env, or run stack down --purge)`);
    }
    try {
      await ensureClients(admin, [gatewayClient(secret(ctx, 'MQTT_GATEWAY_PASSWORD'))]);
    } finally {
      await admin.close();
    }
  },

  addresses(ctx) {
    return { MQTT_URL: `mqtt://127.0.0.1:${ctx.ports.mqtt}` };
  },
};
