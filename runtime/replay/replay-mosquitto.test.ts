// iot-replay (the built bin, as a generated project runs it) against real Mosquitto brokers: one with a single
// publish-only user named by MQTT_USERNAME (found through .env and .stack/addresses.env, as in a project) and a
// reader that records what arrives; and one as a project runs it, where every line goes out as its own device.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createManifest } from '../../manifest/create.ts';
import { giveToMosquitto, initDynamicSecurity, mosquittoConfig } from '../../stack/native/mosquitto.ts';
import { freePort } from '../../stack/native/ports.ts';
import { tcpOpen, waitFor } from '../../stack/wait.ts';

const BIN = fileURLToPath(new URL('../../bin/iot-replay.js', import.meta.url));
const DEVICE_PASSWORD = 'device-secret';
const READER_PASSWORD = 'reader-secret';

let dir: string;
let project: string;
let port: number;
let broker: ChildProcess;
let reader: MqttClient;
let received: { topic: string; payload: Buffer; at: number }[] = [];

function startBroker(): ChildProcess {
  if (spawnSync('mosquitto', ['-h']).error) throw new Error('mosquitto is not installed: apt-get install mosquitto');
  const passwd = join(dir, 'passwd');
  spawnSync('mosquitto_passwd', ['-c', '-b', passwd, 'device', DEVICE_PASSWORD], { stdio: 'ignore' });
  spawnSync('mosquitto_passwd', ['-b', passwd, 'reader', READER_PASSWORD], { stdio: 'ignore' });
  // The device may publish under replay/ only, so a refused publish can be provoked.
  writeFileSync(join(dir, 'acl'), 'user device\ntopic write replay/#\n\nuser reader\ntopic read #\n');
  writeFileSync(
    join(dir, 'mosquitto.conf'),
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous false',
      `password_file ${passwd}`,
      `acl_file ${join(dir, 'acl')}`,
      'persistence false',
      'log_dest none',
      // Started as root, mosquitto would switch to its own user, who cannot read this private directory.
      ...(process.getuid?.() === 0 ? ['user root'] : []),
      '',
    ].join('\n'),
  );
  return spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface RunningReplay {
  output: { stdout: string; stderr: string };
  done: Promise<Run>;
}

function startReplay(args: string[], extraEnv: Record<string, string> = {}): RunningReplay {
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MQTT_'))), ...extraEnv };
  const child = spawn(process.execPath, [BIN, ...args], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk) => (output.stdout += chunk));
  child.stderr.on('data', (chunk) => (output.stderr += chunk));
  return { output, done: new Promise((resolve) => child.on('close', (code) => resolve({ code, ...output }))) };
}

function replay(args: string[]): Promise<Run> {
  return startReplay(args).done;
}

function writeLog(name: string, entries: (Record<string, unknown> | string)[]): string {
  const path = join(project, name);
  writeFileSync(path, entries.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join('\n') + '\n');
  return path;
}

/** Publishes a marker as the device and waits for it: everything published before it has arrived by then. */
async function receivedBeforeMarker(): Promise<{ topic: string; payload: string }[]> {
  const device = await connectAsync(`mqtt://127.0.0.1:${port}`, { username: 'device', password: DEVICE_PASSWORD, protocolVersion: 5 });
  const marker = `marker-${Date.now()}`;
  await device.publishAsync('replay/marker', marker, { qos: 1 });
  await device.endAsync();
  await waitFor('the marker', async () => received.some((m) => m.payload.toString() === marker), { timeoutMs: 10_000, intervalMs: 20 });
  const index = received.findIndex((m) => m.payload.toString() === marker);
  return received.slice(0, index).map((m) => ({ topic: m.topic, payload: m.payload.toString() }));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'replay-mosquitto-'));
  project = join(dir, 'project');
  mkdirSync(join(project, '.stack'), { recursive: true });
  port = await freePort();
  broker = startBroker();
  await waitFor('private mosquitto', () => tcpOpen(port), { timeoutMs: 10_000, intervalMs: 50 });
  writeFileSync(join(project, '.env'), `MQTT_USERNAME=device\nMQTT_PASSWORD=${DEVICE_PASSWORD}\n`);
  writeFileSync(join(project, '.stack', 'addresses.env'), `STACK_DRIVER=native\nMQTT_URL=mqtt://127.0.0.1:${port}\n`);
  reader = await connectAsync(`mqtt://127.0.0.1:${port}`, { username: 'reader', password: READER_PASSWORD, protocolVersion: 5 });
  reader.on('message', (topic, payload) => received.push({ topic, payload, at: Date.now() }));
  await reader.subscribeAsync('#', { qos: 1 });
});

afterAll(async () => {
  await reader?.endAsync();
  broker?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  received = [];
});

describe('iot-replay against Mosquitto', () => {
  it('publishes every line in file order on its topic, with the original gaps, and sums up', async () => {
    const log = writeLog('log.jsonl', [
      { topic: 'replay/d1/humidity', payload: 'd1,2026-03-02T02:00:00Z,48.5,1', ts_ms: 1_772_416_800_000 },
      { topic: 'replay/d1/temperature', payload: 'd1,2026-03-02T02:00:00Z,21.0,1', ts_ms: 1_772_416_800_000, note: 'same time' },
      { topic: 'replay/d2/state', payload: { deviceId: 'd2', online: true }, ts_ms: 1_772_416_800_150 },
      '',
      { topic: 'replay/d2/raw', payload: Buffer.from([0xff, 0x00, 0x41]).toString('base64'), encoding: 'base64', ts_ms: 1_772_416_800_300 },
      { topic: 'replay/d1/humidity', payload: 'd1,2026-03-02T02:00:01Z,48.4,2', ts_ms: 1_772_416_800_400 },
    ]);
    const started = Date.now();
    const run = await replay([log]);
    expect(run.stderr).toMatch(/^replay: .*log\.jsonl: 5 messages to 4 topics, published over 400 ms \(original span 400 ms, speed 1\); broker mqtt:\/\/127\.0\.0\.1:\d+ as device\n/);
    expect(run.stdout).toMatch(/^replayed 5 messages to 4 topics from .*log\.jsonl in \d+ ms \(\d+ msg\/s\), QoS 1, all acknowledged\n$/);
    expect(run.code).toBe(0);
    await waitFor('5 messages', async () => received.length >= 5, { timeoutMs: 10_000, intervalMs: 20 });
    expect(received.map((m) => [m.topic, m.payload])).toEqual([
      ['replay/d1/humidity', Buffer.from('d1,2026-03-02T02:00:00Z,48.5,1')],
      ['replay/d1/temperature', Buffer.from('d1,2026-03-02T02:00:00Z,21.0,1')],
      ['replay/d2/state', Buffer.from('{"deviceId":"d2","online":true}')],
      ['replay/d2/raw', Buffer.from([0xff, 0x00, 0x41])],
      ['replay/d1/humidity', Buffer.from('d1,2026-03-02T02:00:01Z,48.4,2')],
    ]);
    // The original 400 ms between the first and the last line were kept (at least; a busy machine adds).
    expect(received[4]!.at - received[0]!.at).toBeGreaterThanOrEqual(380);
    expect(received[4]!.at - started).toBeLessThan(30_000);
  });

  it('with --as-fast-as-possible --shift-to-now, keeps file order even where ts_ms goes back, and moves payload times to now', async () => {
    const log = writeLog('shift.jsonl', [
      { topic: 'replay/d1/humidity', payload: 'd1,2020-01-01T00:00:00Z,40.0,1', ts_ms: Date.parse('2020-01-01T00:00:00Z') },
      { topic: 'replay/d1/humidity', payload: 'd1,2019-12-31T23:59:00.500Z,41.0,0', ts_ms: Date.parse('2019-12-31T23:59:00Z') },
    ]);
    const before = Date.now();
    const run = await replay([log, '--as-fast-as-possible', '--shift-to-now', '--max-inflight', '1']);
    expect(run.stderr).toMatch(/published without waiting, payload timestamps moved forward by \d+ d \d+ h; broker/);
    expect(run.code).toBe(0);
    const payloads = (await receivedBeforeMarker()).map((m) => m.payload.split(','));
    expect(payloads.map((p) => p[2])).toEqual(['40.0', '41.0']);
    const first = Date.parse(payloads[0]![1]!);
    expect(first).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 1000);
    expect(first).toBeLessThanOrEqual(Date.now());
    expect(Date.parse(payloads[1]![1]!) - first).toBe(-59_500);
    expect(payloads[1]![1]).toMatch(/\.500Z$/);
  });

  it('stretches the gaps below speed 1 and reports progress every second on stderr', async () => {
    const log = writeLog('slow.jsonl', [
      { topic: 'replay/slow', payload: 'one', ts_ms: 10_000 },
      { topic: 'replay/slow', payload: 'two', ts_ms: 11_000 },
    ]);
    const run = await replay([log, '--speed', '0.5']);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('published over 2.0 s (original span 1.0 s, speed 0.5)');
    expect(run.stderr).toMatch(/\nreplay: 1\/2 acknowledged \(50 %\), 1\.\d s, \d+ msg\/s\n/);
    expect(run.stdout).toMatch(/^replayed 2 messages to 1 topic from .*slow\.jsonl in 2\.\d s/);
    expect(await receivedBeforeMarker()).toEqual([
      { topic: 'replay/slow', payload: 'one' },
      { topic: 'replay/slow', payload: 'two' },
    ]);
  });

  it('refuses a bad file with its line named, and publishes nothing of it (nor in a dry run)', async () => {
    const log = writeLog('bad.jsonl', [
      { topic: 'replay/d1/humidity', payload: 'first', ts_ms: 1000 },
      { topic: 'replay/d1/humidity', payload: 'second', ts_ms: 2000 },
      { topic: 'replay/d1/humidity', payload: 'third', ts: 3000 },
    ]);
    const good = writeLog('good.jsonl', [
      { topic: 'replay/d1/humidity', payload: 'first', ts_ms: 1000 },
      { topic: 'replay/d2/humidity', payload: 'second', ts_ms: 61_000 },
    ]);
    expect(await replay([good, '--dry-run', '--speed', '2'])).toEqual({
      code: 0,
      stdout: `dry run: ${good}: 2 messages to 2 topics, published over 30.0 s (original span 60.0 s, speed 2); nothing was published\n`,
      stderr: '',
    });
    const run = await replay([log, '--speed', '0']);
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: `iot-replay: error: ${log}:3: "ts_ms" must be the original publish time in whole epoch milliseconds, found nothing; e.g. "ts_ms": 1772416800000; nothing was published\n`,
    });
    expect(await receivedBeforeMarker()).toEqual([]);
  });

  it('stops at a publish the broker refuses and names its line', async () => {
    const log = writeLog('refused.jsonl', [
      { topic: 'replay/ok', payload: 'allowed', ts_ms: 1000 },
      { topic: 'elsewhere/x', payload: 'not allowed', ts_ms: 1000 },
      { topic: 'replay/ok', payload: 'after', ts_ms: 1000 },
    ]);
    const run = await replay([log, '--max-inflight', '1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`iot-replay: error: ${log}:2: the broker refused the publish to "elsewhere/x": Publish error: Not authorized; 1 of 3 messages were acknowledged before the replay stopped\n`);
    expect(await receivedBeforeMarker()).toEqual([{ topic: 'replay/ok', payload: 'allowed' }]);
  });

  it('names the broker and what to do when it cannot connect, and rejects unknown flags', async () => {
    const log = writeLog('one.jsonl', [{ topic: 'replay/x', payload: 'x', ts_ms: 1 }]);
    writeFileSync(join(project, '.env'), 'MQTT_USERNAME=device\nMQTT_PASSWORD=wrong\n');
    try {
      const run = await replay([log]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(
        new RegExp(`^iot-replay: error: cannot connect to the MQTT broker at mqtt://127\\.0\\.0\\.1:${port} as device: .*Not authorized; start the stack \\(npm run stack -- up\\) or set MQTT_URL and MQTT_DEVICE_KEY \\(or MQTT_USERNAME and MQTT_PASSWORD\\); nothing was published\\n$`),
      );
    } finally {
      writeFileSync(join(project, '.env'), `MQTT_USERNAME=device\nMQTT_PASSWORD=${DEVICE_PASSWORD}\n`);
    }
    expect(await replay([log, '--fast'])).toEqual({ code: 1, stdout: '', stderr: "iot-replay: error: Unknown option '--fast'; see iot-replay --help\n" });
    expect(await receivedBeforeMarker()).toEqual([]);
  });

  it('stops with the line it could not send when the broker goes away', async () => {
    const ownPort = await freePort();
    const ownDir = join(dir, 'lost');
    mkdirSync(ownDir);
    writeFileSync(join(ownDir, 'mosquitto.conf'), `listener ${ownPort} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest none\n`);
    const ownBroker = spawn('mosquitto', ['-c', join(ownDir, 'mosquitto.conf')], { stdio: 'ignore' });
    try {
      await waitFor('second mosquitto', () => tcpOpen(ownPort), { timeoutMs: 10_000, intervalMs: 50 });
      const log = writeLog('lost.jsonl', [
        { topic: 'replay/lost', payload: 'one', ts_ms: 0 },
        { topic: 'replay/lost', payload: 'two', ts_ms: 3000 },
      ]);
      const running = startReplay([log], { MQTT_URL: `mqtt://127.0.0.1:${ownPort}` });
      await waitFor('the first line acknowledged', async () => running.output.stderr.includes('replay: 1/2 acknowledged'), { timeoutMs: 10_000, intervalMs: 20 });
      ownBroker.kill('SIGTERM');
      const run = await running.done;
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(
        new RegExp(`\\niot-replay: error: ${log}:2: the connection to the broker was lost.* before this line was sent; 1 of 2 messages were acknowledged before the replay stopped\\n$`),
      );
    } finally {
      ownBroker.kill('SIGTERM');
    }
  });
});

describe('iot-replay as the devices of a project', () => {
  it('publishes each line as the device that owns its topic (provisioned first), in file order', async () => {
    const ownPort = await freePort();
    // Its own folder: the broker runs as the mosquitto user, who cannot enter the private test folder.
    const ownDir = mkdtempSync(join(tmpdir(), 'replay-devices-'));
    mkdirSync(join(ownDir, '.stack'), { recursive: true });
    const dynsec = join(ownDir, 'dynamic-security.json');
    initDynamicSecurity(dynsec, 'admin-secret');
    writeFileSync(join(ownDir, 'mosquitto.conf'), mosquittoConfig(ownPort, dynsec));
    giveToMosquitto([ownDir, dynsec, join(ownDir, 'mosquitto.conf')]);
    const ownBroker = spawn('mosquitto', ['-c', join(ownDir, 'mosquitto.conf')], { stdio: 'ignore' });
    let admin: MqttClient | undefined;
    try {
      await waitFor('mosquitto with dynamic security', () => tcpOpen(ownPort), { timeoutMs: 10_000, intervalMs: 50 });
      writeFileSync(join(ownDir, 'iot-platform.yaml'), stringify(createManifest({ blueprint: 'sensors', name: 'replay-devices', components: [], deploy: ['native'] })));
      writeFileSync(join(ownDir, '.env'), 'MQTT_DEVICE_KEY=device-key\nMQTT_ADMIN_PASSWORD=admin-secret\n');
      writeFileSync(join(ownDir, '.stack', 'addresses.env'), `MQTT_URL=mqtt://127.0.0.1:${ownPort}\n`);
      const arrived: string[] = [];
      admin = await connectAsync(`mqtt://127.0.0.1:${ownPort}`, { username: 'admin', password: 'admin-secret', protocolVersion: 5 });
      admin.on('message', (topic, payload) => arrived.push(`${topic} ${payload.toString()}`));
      await admin.subscribeAsync('prod/#', { qos: 1 });
      const lines = ['prod/acme/sensors/a-001/humidity 1', 'prod/acme/sensors/a-002/humidity 2', 'prod/acme/sensors/a-001/state 3', 'prod/beta/sensors/a-001/humidity 4'];
      const log = join(ownDir, 'devices.jsonl');
      writeFileSync(log, lines.map((line, i) => JSON.stringify({ topic: line.split(' ')[0], payload: line.split(' ')[1], ts_ms: 1000 + i })).join('\n') + '\n');
      const child = spawn(process.execPath, [BIN, log, '--speed', '0'], { cwd: ownDir, env: Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MQTT_'))), stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      const code = await new Promise((resolve) => child.on('close', resolve));
      expect(stderr).toMatch(/; broker mqtt:\/\/127\.0\.0\.1:\d+ as 3 device\(s\)\n/);
      expect(code).toBe(0);
      await waitFor('4 lines', async () => arrived.length >= 4, { timeoutMs: 10_000, intervalMs: 20 });
      expect(arrived).toEqual(lines);
    } finally {
      await admin?.endAsync();
      ownBroker.kill('SIGTERM');
      rmSync(ownDir, { recursive: true, force: true });
    }
  });
});
