// Publishing as the devices themselves: one MQTT connection per identity (device or tenant), opened on its
// first message with the password derived from MQTT_DEVICE_KEY. Given the admin password, an identity is
// provisioned before its first connection (the simulator, replay and e2e tests play devices nobody registered).
// Awaiting each publishAsync keeps the order of messages across connections.
import { randomBytes } from 'node:crypto';
import { connectAsync, type IClientPublishOptions, type MqttClient } from 'mqtt';
import { DynsecAdmin } from './dynsec-admin.ts';
import { devicePassword } from './device-password.ts';
import { identityOfTopic, type DeviceIdentity } from './identities.ts';
import { deviceClient, ensureClients } from './provision.ts';
import type { RuntimeManifest } from '../service-kit/manifest.ts';

export interface DeviceConnectionSettings {
  url: string;
  manifest: Pick<RuntimeManifest, 'events' | 'mqtt'>;
  deviceKey: string;
  /** The broker's admin password: provisions each identity before it connects. */
  adminPassword?: string;
  clientIdPrefix?: string;
  /** mqtt.js options for every connection (e.g. reconnectPeriod). */
  connectOptions?: { reconnectPeriod?: number; connectTimeout?: number };
}

export class DeviceConnections {
  private readonly clients = new Map<string, Promise<MqttClient>>();
  private admin: Promise<DynsecAdmin> | undefined;
  private readonly settings: DeviceConnectionSettings;

  constructor(settings: DeviceConnectionSettings) {
    this.settings = settings;
  }

  /** The identity that owns a topic; throws for a topic of no MQTT source. */
  identityOf(topic: string): DeviceIdentity {
    const who = identityOfTopic(this.settings.manifest, topic);
    if (!who) throw new Error(`topic ${JSON.stringify(topic)} matches no MQTT source of iot-platform.yaml, so no device may publish to it`);
    return who;
  }

  /** The connection of the identity that owns `topic` (connected, provisioned first when possible). */
  clientFor(topic: string): Promise<MqttClient> {
    return this.clientOf(this.identityOf(topic));
  }

  clientOf(who: DeviceIdentity): Promise<MqttClient> {
    let client = this.clients.get(who.username);
    if (!client) {
      client = this.connect(who);
      this.clients.set(who.username, client);
      client.catch(() => this.clients.delete(who.username));
    }
    return client;
  }

  async publishAsync(topic: string, payload: string | Buffer, options: IClientPublishOptions = { qos: 1 }): Promise<void> {
    const client = await this.clientFor(topic);
    await client.publishAsync(topic, payload, options);
  }

  get connectionCount(): number {
    return this.clients.size;
  }

  async endAsync(): Promise<void> {
    const clients = await Promise.allSettled(this.clients.values());
    this.clients.clear();
    await Promise.all(clients.flatMap((c) => (c.status === 'fulfilled' ? [c.value.endAsync()] : [])));
    const admin = this.admin;
    this.admin = undefined;
    if (admin) await (await admin).close();
  }

  private async connect(who: DeviceIdentity): Promise<MqttClient> {
    const { url, deviceKey, adminPassword, manifest } = this.settings;
    if (adminPassword !== undefined) {
      this.admin ??= DynsecAdmin.connect({ url, password: adminPassword });
      await ensureClients(await this.admin, [deviceClient(manifest, deviceKey, who)]);
    }
    try {
      return await connectAsync(url, {
        protocolVersion: 5,
        clientId: `${this.settings.clientIdPrefix ?? 'device'}-${randomBytes(4).toString('hex')}`,
        username: who.username,
        password: devicePassword(deviceKey, who.username),
        reconnectPeriod: 0,
        connectTimeout: 10_000,
        ...this.settings.connectOptions,
      });
    } catch (error) {
      throw new Error(`cannot connect to the MQTT broker at ${url} as ${who.username}: ${(error as Error).message}; provision it (npm run devices -- add ${who.username}) and check MQTT_DEVICE_KEY`);
    }
  }
}
