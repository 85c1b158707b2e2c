// Where the platform's MQTT tools (replay, devices, simulator, e2e tests) connect, and with which secrets, from a
// project's environment (service-kit/project-env.ts).
import type { Env } from '../service-kit/project-env.ts';

export interface BrokerSettings {
  url: string;
  /** An explicit user (MQTT_USERNAME / MQTT_PASSWORD): publish as that one client instead of as each device. */
  username?: string;
  password?: string;
  /** MQTT_DEVICE_KEY: derives each device's password. */
  deviceKey?: string;
  /** MQTT_ADMIN_PASSWORD: provisions devices before they connect. */
  adminPassword?: string;
}

export function brokerSettings(env: Env): BrokerSettings {
  const value = (name: string) => (env[name]?.trim() ? env[name]!.trim() : undefined);
  const settings: BrokerSettings = { url: value('MQTT_URL') ?? `mqtt://${value('MQTT_HOST') ?? 'localhost'}:${value('MQTT_PORT') ?? '1883'}` };
  for (const [field, name] of [['username', 'MQTT_USERNAME'], ['password', 'MQTT_PASSWORD'], ['deviceKey', 'MQTT_DEVICE_KEY'], ['adminPassword', 'MQTT_ADMIN_PASSWORD']] as const) {
    const v = value(name);
    if (v !== undefined) settings[field] = v;
  }
  return settings;
}
