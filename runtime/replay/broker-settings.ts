// Where iot-replay publishes, and as whom: the variables the simulator and the e2e tests use. Variables set
// in the environment win; then .stack/addresses.env (the running stack's addresses), then .env (secrets).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';

export interface BrokerSettings {
  url: string;
  username?: string;
  password?: string;
}

type Env = Record<string, string | undefined>;

export function projectEnv(dir: string, env: Env = process.env): Env {
  const file = (name: string): Env => {
    const path = join(dir, name);
    return existsSync(path) ? parseEnv(readFileSync(path, 'utf8')) : {};
  };
  return { ...file('.env'), ...file(join('.stack', 'addresses.env')), ...definedOnly(env) };
}

export function brokerSettings(env: Env): BrokerSettings {
  const value = (name: string) => (env[name]?.trim() ? env[name]!.trim() : undefined);
  const url = value('MQTT_URL') ?? `mqtt://${value('MQTT_HOST') ?? 'localhost'}:${value('MQTT_PORT') ?? '1883'}`;
  // A project's .env holds the device user's password: replay publishes as a device, like the simulator.
  const password = value('MQTT_PASSWORD') ?? value('MQTT_DEVICE_PASSWORD');
  const username = value('MQTT_USERNAME') ?? (password ? 'device' : undefined);
  return { url, ...(username ? { username } : {}), ...(password ? { password } : {}) };
}

function definedOnly(env: Env): Env {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
}
