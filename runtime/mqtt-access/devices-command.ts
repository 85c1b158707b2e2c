// iot-mqtt-devices: who may publish to the project's broker. Talks to Mosquitto's dynamic security plugin as
// the admin user; device passwords are derived from MQTT_DEVICE_KEY, so `credentials` needs no broker.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { brokerSettings } from './broker-settings.ts';
import { projectEnv, type Env } from '../service-kit/project-env.ts';
import { DynsecAdmin } from './dynsec-admin.ts';
import { parseIdentity } from './identities.ts';
import { deviceClient, ensureClients, gatewayClient, listDevices, removeDevices } from './provision.ts';
import { devicePassword } from './device-password.ts';
import { loadManifest } from '../service-kit/manifest.ts';

export const USAGE = `Usage: iot-mqtt-devices <command> [ids]      (in a project: npm run devices -- <command> [ids])

Commands:
  setup                    create or update the platform's own MQTT user "gateway" (MQTT_GATEWAY_PASSWORD)
  add <id>...              let devices publish: each may publish only under topics with its own tenant and device
                           id; prints each user name and password (idempotent: adding again resets the password)
  remove <id>...           delete devices
  list                     the device users the broker has
  credentials <id>...      print the user name and password of devices, without contacting the broker

<id> is <tenant>/<deviceId>, or <tenant> when iot-platform.yaml says mqtt.credentials: tenant.
Broker: MQTT_URL (default mqtt://localhost:1883) as "admin" with MQTT_ADMIN_PASSWORD; device passwords come from
MQTT_DEVICE_KEY. Variables not set in the environment are read from .stack/addresses.env and .env.
Exit 0 on success, 1 on any error (one line on stderr).
`;

export interface DevicesIo {
  cwd: string;
  env: Env;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const COMMANDS = ['setup', 'add', 'remove', 'list', 'credentials'] as const;
type Command = (typeof COMMANDS)[number];

export async function runDevicesCommand(argv: string[], io: DevicesIo): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    if (values.help) {
      io.stdout(USAGE);
      return 0;
    }
    const [command, ...ids] = positionals;
    if (!COMMANDS.includes(command as Command)) throw new Error(`${command === undefined ? 'no command' : `unknown command ${JSON.stringify(command)}`}; use one of ${COMMANDS.join(', ')} (--help)`);
    const needsIds = command === 'add' || command === 'remove' || command === 'credentials';
    if (needsIds && ids.length === 0) throw new Error(`${command} needs at least one <tenant>/<deviceId>`);
    if (!needsIds && ids.length > 0) throw new Error(`${command} takes no ids (got ${ids.join(' ')})`);
    await run(command as Command, ids, io);
    return 0;
  } catch (error) {
    io.stderr(`iot-mqtt-devices: error: ${(error as Error).message}\n`);
    return 1;
  }
}

async function run(command: Command, ids: string[], io: DevicesIo): Promise<void> {
  const env = projectEnv(io.cwd, io.env);
  const broker = brokerSettings(env);
  const need = (name: string, value: string | undefined) => {
    if (!value) throw new Error(`${name} is not set: run in the project folder, whose .env holds it, or set it`);
    return value;
  };
  // Only the commands that name devices read the manifest (setup and list run where it may be absent).
  const manifest = ids.length > 0 ? loadManifest(env.IOT_PLATFORM_MANIFEST ?? join(io.cwd, 'iot-platform.yaml')) : undefined;
  const identities = ids.map((id) => parseIdentity(manifest!, id));
  if (command === 'credentials') {
    const key = need('MQTT_DEVICE_KEY', broker.deviceKey);
    for (const who of identities) io.stdout(`${who.username} ${devicePassword(key, who.username)}\n`);
    return;
  }
  const admin = await DynsecAdmin.connect({ url: broker.url, password: need('MQTT_ADMIN_PASSWORD', broker.adminPassword) });
  try {
    if (command === 'setup') {
      const { created } = await ensureClients(admin, [gatewayClient(need('MQTT_GATEWAY_PASSWORD', env.MQTT_GATEWAY_PASSWORD))]);
      io.stdout(`gateway: ${created ? 'created' : 'up to date'}\n`);
    } else if (command === 'add') {
      const key = need('MQTT_DEVICE_KEY', broker.deviceKey);
      await ensureClients(admin, identities.map((who) => deviceClient(manifest!, key, who)));
      for (const who of identities) io.stdout(`${who.username} ${devicePassword(key, who.username)}\n`);
    } else if (command === 'remove') {
      const missing = await removeDevices(admin, identities.map((who) => who.username));
      if (missing.length) throw new Error(`no such device: ${missing.join(', ')}; the others were removed`);
    } else {
      for (const username of await listDevices(admin)) io.stdout(`${username}\n`);
    }
  } finally {
    await admin.close();
  }
}
