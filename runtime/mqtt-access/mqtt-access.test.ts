// Device confinement on a real Mosquitto with the dynamic security plugin, provisioned as a project does it:
// the gateway's user by `setup`, devices by `add` (or on first use by DeviceConnections), passwords derived
// from MQTT_DEVICE_KEY and stored by the broker as salted hashes.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { freePort } from '../../stack/native/ports.ts';
import { giveToMosquitto, initDynamicSecurity, mosquittoConfig } from '../../stack/native/mosquitto.ts';
import { tcpOpen, waitFor } from '../../stack/wait.ts';
import { createManifest } from '../../manifest/create.ts';
import { runDevicesCommand } from './devices-command.ts';
import { DeviceConnections } from './device-connections.ts';
import { devicePassword } from './device-password.ts';
import { identityOfTopic, publishFilters } from './identities.ts';

const SECRETS = { MQTT_ADMIN_PASSWORD: 'admin-secret-1', MQTT_GATEWAY_PASSWORD: 'gateway-secret-1', MQTT_DEVICE_KEY: 'device-key-1' };

let dir: string;
let project: string;
let tenantProject: string;
let port: number;
let broker: ChildProcess;
let gateway: MqttClient;
const seen: { topic: string; payload: string }[] = [];

const sensors = (credentials: 'device' | 'tenant') => ({ ...createManifest({ blueprint: 'sensors', name: 'acl-test', components: [], deploy: ['native'] }), mqtt: { credentials } });

function writeProject(name: string, credentials: 'device' | 'tenant'): string {
  const path = join(dir, name);
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, 'iot-platform.yaml'), stringify(sensors(credentials)));
  writeFileSync(join(path, '.env'), Object.entries(SECRETS).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  return path;
}

async function devices(cwd: string, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runDevicesCommand(argv, { cwd, env: { MQTT_URL: `mqtt://127.0.0.1:${port}` }, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

const connectAs = (username: string, password: string) =>
  connectAsync(`mqtt://127.0.0.1:${port}`, { protocolVersion: 5, username, password, reconnectPeriod: 0, connectTimeout: 5000 });

/** Publishes a marker as `client` and waits until the gateway has it: everything before it has arrived too. */
async function settled(client: MqttClient, topic: string): Promise<void> {
  const marker = `marker-${seen.length}-${Math.random()}`;
  await client.publishAsync(topic, marker, { qos: 1 });
  await waitFor('the marker at the gateway', async () => seen.some((m) => m.payload === marker), { timeoutMs: 5000 });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mqtt-access-'));
  port = await freePort();
  const dynsec = join(dir, 'dynamic-security.json');
  initDynamicSecurity(dynsec, SECRETS.MQTT_ADMIN_PASSWORD);
  writeFileSync(join(dir, 'mosquitto.conf'), mosquittoConfig(port, dynsec));
  giveToMosquitto([dir, dynsec, join(dir, 'mosquitto.conf')]);
  broker = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
  await waitFor('mosquitto', () => tcpOpen(port), { timeoutMs: 10_000 });
  project = writeProject('device-project', 'device');
  tenantProject = writeProject('tenant-project', 'tenant');
}, 30_000);

afterAll(async () => {
  await gateway?.endAsync();
  broker?.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe('identities', () => {
  it('map a topic to its device (or tenant) and confine it to its own topics', () => {
    const byDevice = sensors('device');
    expect(identityOfTopic(byDevice, 'prod/acme/sensors/a-001/humidity')).toEqual({ username: 'acme/a-001', tenant: 'acme', deviceId: 'a-001' });
    expect(publishFilters(byDevice, { username: 'acme/a-001', tenant: 'acme', deviceId: 'a-001' })).toEqual([
      '+/acme/sensors/a-001/humidity', '+/acme/sensors/a-001/temperature', '+/acme/sensors/a-001/location', '+/acme/sensors/a-001/state',
    ]);
    const byTenant = sensors('tenant');
    expect(identityOfTopic(byTenant, 'prod/acme/sensors/a-001/humidity')).toEqual({ username: 'acme', tenant: 'acme' });
    expect(publishFilters(byTenant, { username: 'acme', tenant: 'acme' })).toEqual([
      '+/acme/sensors/+/humidity', '+/acme/sensors/+/temperature', '+/acme/sensors/+/location', '+/acme/sensors/+/state',
    ]);
    expect(identityOfTopic(byDevice, 'elsewhere/x')).toBeUndefined();
  });
});

describe('a real Mosquitto with dynamic security', () => {
  it('setup creates the gateway user once, which may read everything', async () => {
    expect(await devices(project, 'setup')).toEqual({ code: 0, stdout: 'gateway: created\n', stderr: '' });
    expect(await devices(project, 'setup')).toEqual({ code: 0, stdout: 'gateway: up to date\n', stderr: '' });
    gateway = await connectAs('gateway', SECRETS.MQTT_GATEWAY_PASSWORD);
    gateway.on('message', (topic, payload) => seen.push({ topic, payload: payload.toString() }));
    await gateway.subscribeAsync('#', { qos: 1 });
  });

  it('add prints each device user and its password, and the broker stores only a salted hash', async () => {
    const result = await devices(project, 'add', 'acme/a-001', 'acme/a-002');
    const password = (user: string) => devicePassword(SECRETS.MQTT_DEVICE_KEY, user);
    expect(result).toEqual({ code: 0, stdout: `acme/a-001 ${password('acme/a-001')}\nacme/a-002 ${password('acme/a-002')}\n`, stderr: '' });
    expect(await devices(project, 'credentials', 'acme/a-002')).toEqual({ code: 0, stdout: `acme/a-002 ${password('acme/a-002')}\n`, stderr: '' });
    expect(await devices(project, 'list')).toEqual({ code: 0, stdout: 'acme/a-001\nacme/a-002\n', stderr: '' });
    const stored = readFileSync(join(dir, 'dynamic-security.json'), 'utf8');
    expect(stored).not.toContain(password('acme/a-001'));
    const client = (JSON.parse(stored) as { clients: { username: string; salt?: string; iterations?: number; password?: string }[] }).clients.find((c) => c.username === 'acme/a-001')!;
    expect(client.salt).toBeTruthy();
    expect(client.iterations).toBeGreaterThanOrEqual(101);
    expect(client.password).toMatch(/^[A-Za-z0-9+/]{86}==$/);
  });

  it("a device publishing under another device's or tenant's topic is refused and the gateway receives nothing of it", async () => {
    const a = await connectAs('acme/a-001', devicePassword(SECRETS.MQTT_DEVICE_KEY, 'acme/a-001'));

    try {
      await expect(a.publishAsync('prod/acme/sensors/a-002/humidity', 'a-002,2026-03-02T02:00:00Z,10,1', { qos: 1 })).rejects.toThrow(/Not authorized/);
      await expect(a.publishAsync('prod/other/sensors/a-001/humidity', 'a-001,2026-03-02T02:00:00Z,10,2', { qos: 1 })).rejects.toThrow(/Not authorized/);
      await expect(a.publishAsync('prod/acme/sensors/a-001/firmware', 'x', { qos: 1 })).rejects.toThrow(/Not authorized/);
      await a.publishAsync('prod/acme/sensors/a-001/humidity', 'a-001,2026-03-02T02:00:00Z,48.5,3', { qos: 1 });
      await settled(a, 'dev/acme/sensors/a-001/state');
      expect(seen.filter((m) => !m.payload.startsWith('marker-'))).toEqual([{ topic: 'prod/acme/sensors/a-001/humidity', payload: 'a-001,2026-03-02T02:00:00Z,48.5,3' }]);
    } finally {
      await a.endAsync();
    }
  });

  it('a removed device, a wrong password and the admin password as a device cannot connect', async () => {
    expect(await devices(project, 'remove', 'acme/a-002')).toEqual({ code: 0, stdout: '', stderr: '' });
    await expect(connectAs('acme/a-002', devicePassword(SECRETS.MQTT_DEVICE_KEY, 'acme/a-002'))).rejects.toThrow(/Not authorized|Bad User Name or Password/);
    await expect(connectAs('acme/a-001', 'wrong')).rejects.toThrow(/Not authorized|Bad User Name or Password/);
    expect(await devices(project, 'remove', 'acme/a-002')).toEqual({ code: 1, stdout: '', stderr: 'iot-mqtt-devices: error: no such device: acme/a-002; the others were removed\n' });
    expect(await devices(project, 'list')).toEqual({ code: 0, stdout: 'acme/a-001\n', stderr: '' });
  });

  it('with tenant credentials a tenant publishes for any of its devices and for no other tenant', async () => {
    await devices(tenantProject, 'add', 'beta');
    const beta = await connectAs('beta', devicePassword(SECRETS.MQTT_DEVICE_KEY, 'beta'));
    try {
      await beta.publishAsync('prod/beta/sensors/b-7/temperature', 'b-7,2026-03-02T02:00:00Z,21.5,1', { qos: 1 });
      await expect(beta.publishAsync('prod/acme/sensors/b-7/temperature', 'b-7,2026-03-02T02:00:00Z,21.5,2', { qos: 1 })).rejects.toThrow(/Not authorized/);
      await settled(beta, 'prod/beta/sensors/b-8/state');
      expect(seen.filter((m) => m.topic.includes('b-7'))).toEqual([{ topic: 'prod/beta/sensors/b-7/temperature', payload: 'b-7,2026-03-02T02:00:00Z,21.5,1' }]);
    } finally {
      await beta.endAsync();
    }
  });

  it('DeviceConnections provisions each device on first use and publishes as it, keeping the order', async () => {
    const manifest = sensors('device');
    const connections = new DeviceConnections({ url: `mqtt://127.0.0.1:${port}`, manifest, deviceKey: SECRETS.MQTT_DEVICE_KEY, adminPassword: SECRETS.MQTT_ADMIN_PASSWORD });
    const topics = ['prod/zeta/sensors/z-1/humidity', 'prod/zeta/sensors/z-2/humidity', 'prod/zeta/sensors/z-1/state', 'prod/yota/sensors/z-1/humidity'];
    try {
      for (const [i, topic] of topics.entries()) await connections.publishAsync(topic, `ordered-${i}`);
      expect(connections.connectionCount).toBe(3);
      await waitFor('all four at the gateway', async () => seen.filter((m) => m.payload.startsWith('ordered-')).length === 4, { timeoutMs: 5000 });
      expect(seen.filter((m) => m.payload.startsWith('ordered-'))).toEqual(topics.map((topic, i) => ({ topic, payload: `ordered-${i}` })));
      await expect(connections.publishAsync('prod/zeta/sensors', 'x')).rejects.toThrow('topic "prod/zeta/sensors" matches no MQTT source of iot-platform.yaml, so no device may publish to it');
    } finally {
      await connections.endAsync();
    }
    expect((await devices(project, 'list')).stdout).toBe('acme/a-001\nbeta\nyota/z-1\nzeta/z-1\nzeta/z-2\n');
  });

  it('bad input: one line naming what to fix, exit 1', async () => {
    expect(await devices(project, 'add', 'acme')).toEqual({ code: 1, stdout: '', stderr: 'iot-mqtt-devices: error: mqtt.credentials is device: name the device as <tenant>/<deviceId>, not only the tenant "acme"\n' });
    expect(await devices(project, 'add', 'acme/a+b')).toEqual({ code: 1, stdout: '', stderr: 'iot-mqtt-devices: error: device id "a+b" must be one topic segment: no "/", "+", "#" or spaces\n' });
    expect(await devices(tenantProject, 'add', 'gateway')).toEqual({ code: 1, stdout: '', stderr: 'iot-mqtt-devices: error: tenant "gateway" is the name of a platform MQTT user; choose another tenant id\n' });
    expect(await devices(project, 'frobnicate')).toEqual({ code: 1, stdout: '', stderr: 'iot-mqtt-devices: error: unknown command "frobnicate"; use one of setup, add, remove, list, credentials (--help)\n' });
    expect(await devices(project, 'add')).toEqual({ code: 1, stdout: '', stderr: 'iot-mqtt-devices: error: add needs at least one <tenant>/<deviceId>\n' });
    writeFileSync(join(project, '.env'), 'MQTT_ADMIN_PASSWORD=wrong\n');
    const wrong = await devices(project, 'list');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(new RegExp(`^iot-mqtt-devices: error: cannot connect to the MQTT broker at mqtt://127\\.0\\.0\\.1:${port} as admin: .*; check MQTT_URL and MQTT_ADMIN_PASSWORD\\n$`));
    writeFileSync(join(project, '.env'), '');
    expect(await devices(project, 'list')).toEqual({ code: 1, stdout: '', stderr: 'iot-mqtt-devices: error: MQTT_ADMIN_PASSWORD is not set: run in the project folder, whose .env holds it, or set it\n' });
  });
});
