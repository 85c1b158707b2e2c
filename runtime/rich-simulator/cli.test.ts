// iot-rich-sim, the built bin as a project runs it: files, usage errors, and a live run published to a real
// Mosquitto (password login) and received, decoded and compared record for record with the same run in memory.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../stack/native/ports.ts';
import { tcpOpen, waitFor } from '../../stack/wait.ts';
import { DEFAULT_PARAMETERS } from './parameters.ts';
import { simulateRun } from './run.ts';
import { truthLines } from './truth.ts';
import { decodeHits, decodeTracks, encodeHits, encodeTracks, HIT_BYTES, TRACK_BYTES } from './wire.ts';

const BIN = fileURLToPath(new URL('../../bin/iot-rich-sim.js', import.meta.url));
const START = '2026-01-01T00:00:00Z';
const START_NS = 1_767_225_600_000_000_000n;

let dir: string;

function sim(
  args: string[],
  env: Record<string, string> = {},
  started?: (child: ChildProcess) => void,
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const startedAt = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  started?.(child);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - startedAt })));
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rich-sim-'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('iot-rich-sim --out', () => {
  it('writes the run of the parameters file and flags, byte for byte as the library makes it', async () => {
    writeFileSync(join(dir, 'params.yaml'), 'parameters:\n  trackRateHz: 40\n  darkRatePerPixelHz: 0.1\n');
    const out = join(dir, 'run');
    const run = await sim(['--out', out, '--params', join(dir, 'params.yaml'), '--darkRatePerPixelHz', '0.2', '--seed', '9', '--start', START, '--duration', '0.5']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const parameters = { ...DEFAULT_PARAMETERS, trackRateHz: 40, darkRatePerPixelHz: 0.2 };
    const expected = simulateRun({ parameters, seed: 9, startNs: START_NS, durationNs: 0.5e9 });
    expect(JSON.parse(run.stdout)).toMatchObject({ msg: 'rich run written', seed: 9, startNs: String(START_NS), tracks: expected.tracks.length, hits: expected.hits.length });
    expect(JSON.parse(readFileSync(join(out, 'parameters.json'), 'utf8'))).toEqual(parameters);
    expect(readFileSync(join(out, 'tracks.bin'))).toEqual(encodeTracks(expected.tracks));
    expect(readFileSync(join(out, 'hits.bin'))).toEqual(encodeHits(expected.hits));
    expect(readFileSync(join(out, 'truth.jsonl'), 'utf8')).toBe(truthLines(expected.hits));
  });

  it.each([
    [['--out', 'x', '--mqtt', 'mqtt://h'], /pass exactly one of --out <dir> and --mqtt <url>/],
    [['--out', 'x', '--refractiveIndex', '0.9'], /flags: refractiveIndex = 0\.9: must be greater than 1/],
    [['--out', 'x', '--start', '2026-01-01T00:00:00'], /--start 2026-01-01T00:00:00: write an ISO time with its zone/],
    [['--out', 'x', '--bogus'], /Unknown option '--bogus'; see --help/],
    [['--mqtt', 'mqtt://h', '--hits-only', '--tracks-topic', 't'], /--hits-only publishes no tracks: drop --tracks-topic/],
  ])('refuses %j with one line and exit 2', async (args, message) => {
    const run = await sim(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('iot-rich-sim --mqtt against Mosquitto', () => {
  let broker: ChildProcess | undefined;
  let reader: MqttClient | undefined;
  let port: number;
  const received: { topic: string; payload: Buffer }[] = [];

  beforeAll(async () => {
    if (spawnSync('mosquitto', ['-h']).error) throw new Error('mosquitto is not installed: apt-get install mosquitto');
    port = await freePort();
    const passwd = join(dir, 'passwd');
    spawnSync('mosquitto_passwd', ['-c', '-b', passwd, 'sim', 'sim-secret'], { stdio: 'ignore' });
    writeFileSync(
      join(dir, 'mosquitto.conf'),
      [`listener ${port} 127.0.0.1`, 'allow_anonymous false', `password_file ${passwd}`, 'persistence false', 'log_dest none', ...(process.getuid?.() === 0 ? ['user root'] : []), ''].join('\n'),
    );
    broker = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
    await waitFor('private mosquitto', () => tcpOpen(port), { timeoutMs: 10_000, intervalMs: 50 });
    reader = await connectAsync(`mqtt://127.0.0.1:${port}`, { username: 'sim', password: 'sim-secret' });
    reader.on('message', (topic, payload) => received.push({ topic, payload }));
    await reader.subscribeAsync('rich/#', { qos: 1 });
  });

  afterAll(async () => {
    await reader?.endAsync();
    broker?.kill('SIGTERM');
  });

  it('publishes whole records in 10 ms batches, paced at --speed, exactly the run', async () => {
    const args = ['--mqtt', `mqtt://127.0.0.1:${port}`, '--username', 'sim', '--tracks-topic', 'rich/t', '--hits-topic', 'rich/h'];
    const run = await sim([...args, '--seed', '2', '--start', START, '--duration', '1', '--speed', '4', '--trackRateHz', '30'], { MQTT_PASSWORD: 'sim-secret' });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.ms).toBeGreaterThanOrEqual(250); // 1 s of detector time at 4× takes 250 ms of wall time
    const expected = simulateRun({ parameters: { ...DEFAULT_PARAMETERS, trackRateHz: 30 }, seed: 2, startNs: START_NS, durationNs: 1e9 });
    const wanted = [encodeTracks(expected.tracks).length, encodeHits(expected.hits).length];
    const bytesOf = (topic: string) => Buffer.concat(received.filter((m) => m.topic === topic).map((m) => m.payload));
    await waitFor('every record', async () => bytesOf('rich/t').length >= wanted[0]! && bytesOf('rich/h').length >= wanted[1]!, { timeoutMs: 10_000, intervalMs: 20 });
    expect(bytesOf('rich/t')).toEqual(encodeTracks(expected.tracks));
    expect(bytesOf('rich/h')).toEqual(encodeHits(expected.hits));
    expect(JSON.parse(run.stdout.trim().split('\n').at(-1)!)).toEqual({ msg: 'rich simulator stopped', tracks: expected.tracks.length, hits: expected.hits.length, messages: received.length });
    // One message = the records of one kind in one 10 ms window of detector time.
    const window = (timeNs: bigint) => (timeNs - START_NS) / 10_000_000n;
    for (const { topic, payload } of received) {
      expect(payload.length % (topic === 'rich/t' ? TRACK_BYTES : HIT_BYTES)).toBe(0);
      const times = (topic === 'rich/t' ? decodeTracks(payload) : decodeHits(payload)).map((r) => window(r.timeNs));
      expect(new Set(times).size).toBe(1);
    }
  });

  it('publishes only the hits of the same run with --hits-only', async () => {
    received.length = 0;
    const args = ['--mqtt', `mqtt://127.0.0.1:${port}`, '--username', 'sim', '--hits-only', '--hits-topic', 'rich/h3'];
    const run = await sim([...args, '--seed', '3', '--start', START, '--duration', '0.5', '--speed', '4'], { MQTT_PASSWORD: 'sim-secret' });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const expected = simulateRun({ parameters: { ...DEFAULT_PARAMETERS }, seed: 3, startNs: START_NS, durationNs: 0.5e9 });
    const hits = () => Buffer.concat(received.filter((m) => m.topic === 'rich/h3').map((m) => m.payload));
    await waitFor('every hit', async () => hits().length >= expected.hits.length * HIT_BYTES, { timeoutMs: 10_000, intervalMs: 20 });
    expect(hits()).toEqual(encodeHits(expected.hits));
    expect(received.every((m) => m.topic === 'rich/h3')).toBe(true);
    expect(JSON.parse(run.stdout.trim().split('\n').at(-1)!)).toEqual({ msg: 'rich simulator stopped', tracks: 0, hits: expected.hits.length, messages: received.length });
  });

  it('runs without --duration until SIGTERM, then says what it sent', async () => {
    received.length = 0;
    const args = ['--mqtt', `mqtt://127.0.0.1:${port}`, '--username', 'sim', '--password', 'sim-secret', '--tracks-topic', 'rich/t2', '--hits-topic', 'rich/h2'];
    const run = await sim([...args, '--speed', '2'], {}, (child) => {
      void waitFor('a hit batch', async () => received.some((m) => m.topic === 'rich/h2'), { timeoutMs: 10_000, intervalMs: 20 }).then(() => child.kill('SIGTERM'));
    });
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    expect(summary.msg).toBe('rich simulator stopped');
    expect(summary.hits).toBeGreaterThan(0);
  });
});
