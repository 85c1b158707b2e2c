import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { brokerSettings } from '../mqtt-access/broker-settings.ts';
import { projectEnv } from '../service-kit/project-env.ts';
import { MessageLogError, parseMessageLog } from './message-log.ts';
import { parseReplayArgs, UsageError } from './options.ts';
import { formatDuration, planLine, progressLine, summaryLine } from './report.ts';
import { dueAtMs } from './schedule.ts';
import { shiftIsoTimestamps, shiftOffsetMs } from './shift-timestamps.ts';

const line = (entry: Record<string, unknown>) => JSON.stringify(entry);
const ordered = { requireTimeOrder: true };

function logError(text: string, options = ordered): MessageLogError {
  try {
    parseMessageLog(text, options);
  } catch (error) {
    if (error instanceof MessageLogError) return error;
    throw error;
  }
  throw new Error('expected a MessageLogError');
}

describe('parseMessageLog', () => {
  it('reads topic, payload and ts_ms per line, in file order, skipping blank lines and ignoring other keys', () => {
    const text = [
      line({ topic: 'a/1', payload: 'x,1', ts_ms: 1000, note: 'kept out' }),
      '',
      line({ topic: 'a/2', payload: { deviceId: 'd1', value: 2 }, ts_ms: 1000 }),
      `${line({ topic: 'a/3', payload: 'AAEC/w==', encoding: 'base64', ts_ms: 2500 })}\r`,
      '',
    ].join('\n');
    expect(parseMessageLog(text, ordered)).toEqual([
      { line: 1, topic: 'a/1', payload: 'x,1', tsMs: 1000 },
      { line: 3, topic: 'a/2', payload: '{"deviceId":"d1","value":2}', tsMs: 1000 },
      { line: 4, topic: 'a/3', payload: Buffer.from([0, 1, 2, 255]), tsMs: 2500 },
    ]);
  });

  it.each([
    ['not JSON', '{"topic": "a", ', /^not JSON \(.*\); write one JSON object per line, e\.g\. \{"topic"/],
    ['not an object', '["a", "b", 1]', /^expected a JSON object, found an array/],
    ['no topic', line({ payload: 'p', ts_ms: 1 }), /^"topic" must be a non-empty string, found nothing; add the MQTT topic/],
    ['empty topic', line({ topic: '', payload: 'p', ts_ms: 1 }), /^"topic" must be a non-empty string, found ""/],
    ['wildcard topic', line({ topic: 'a/+/b', payload: 'p', ts_ms: 1 }), /wildcard \(\+ or #\)/],
    ['no payload', line({ topic: 'a', ts_ms: 1 }), /^"payload" must be a string or a JSON object, found nothing/],
    ['number payload', line({ topic: 'a', payload: 42, ts_ms: 1 }), /found 42; quote other values/],
    ['bad base64', line({ topic: 'a', payload: 'not base64!', encoding: 'base64', ts_ms: 1 }), /must be base64 text/],
    ['unknown encoding', line({ topic: 'a', payload: 'p', encoding: 'hex', ts_ms: 1 }), /"encoding" must be "base64"/],
    ['no ts_ms', line({ topic: 'a', payload: 'p' }), /^"ts_ms" must be the original publish time in whole epoch milliseconds, found nothing/],
    ['ts_ms as text', line({ topic: 'a', payload: 'p', ts_ms: '1000' }), /found "1000"/],
    ['fractional ts_ms', line({ topic: 'a', payload: 'p', ts_ms: 1.5 }), /found 1\.5/],
    ['negative ts_ms', line({ topic: 'a', payload: 'p', ts_ms: -1 }), /found -1/],
  ])('names the line and the fix: %s', (_, bad, message) => {
    const error = logError([line({ topic: 'ok', payload: 'p', ts_ms: 0 }), '', bad].join('\n'));
    expect(error.line).toBe(3);
    expect(error.message).toMatch(message);
  });

  it('refuses ts_ms going backwards when the gaps are replayed, and accepts it in file order without waiting', () => {
    const text = [line({ topic: 'a', payload: '1', ts_ms: 2000 }), line({ topic: 'a', payload: '2', ts_ms: 1000 })].join('\n');
    const error = logError(text);
    expect(error.line).toBe(2);
    expect(error.message).toBe(
      "ts_ms 1000 is earlier than line 1's 2000; the original gaps can only be replayed in publish order: sort the file by ts_ms, or replay it in file order without waiting (--speed 0)",
    );
    expect(parseMessageLog(text, { requireTimeOrder: false }).map((m) => m.payload)).toEqual(['1', '2']);
  });

  it('refuses a file without messages, without naming a line', () => {
    const error = logError('\n\n');
    expect(error.line).toBeUndefined();
    expect(error.message).toMatch(/^the file holds no messages/);
  });
});

describe('dueAtMs', () => {
  it('keeps the original gaps at speed 1, divides them at speed N, and does not wait at speed 0', () => {
    expect(dueAtMs(1000, 1000, 50_000, 1)).toBe(50_000);
    expect(dueAtMs(4000, 1000, 50_000, 1)).toBe(53_000);
    expect(dueAtMs(4000, 1000, 50_000, 10)).toBe(50_300);
    expect(dueAtMs(4000, 1000, 50_000, 0.5)).toBe(56_000);
    expect(dueAtMs(9_999_999, 1000, 50_000, 0)).toBe(50_000);
  });
});

describe('--shift-to-now', () => {
  it('moves by the whole seconds between the first ts_ms and now', () => {
    expect(shiftOffsetMs(Date.parse('2026-03-02T02:00:00.000Z'), Date.parse('2026-03-09T03:00:01.999Z'))).toBe(7 * 86_400_000 + 3_601_000);
  });

  it('moves every ISO-8601 UTC instant, keeping its precision and the rest of the text', () => {
    const offset = 86_400_000 + 1000;
    expect(shiftIsoTimestamps('d1,2026-03-02T02:00:00Z,48.5', offset)).toBe('d1,2026-03-03T02:00:01Z,48.5');
    expect(shiftIsoTimestamps('{"t":"2026-02-28T23:59:59.250Z","u":"2026-12-31T23:59:59.5Z"}', offset)).toBe(
      '{"t":"2026-03-02T00:00:00.250Z","u":"2027-01-02T00:00:00.5Z"}',
    );
  });

  it('leaves epoch numbers, local times, dates and impossible instants alone', () => {
    const text = 'a,1772416800000,2026-03-02T02:00:00+07:00,2026-03-02,2026-02-30T00:00:00Z,2026-13-01T00:00:00Z';
    expect(shiftIsoTimestamps(text, 3_600_000)).toBe(text);
  });
});

describe('parseReplayArgs', () => {
  it('defaults to the original gaps, 100 messages in flight, payloads untouched', () => {
    expect(parseReplayArgs(['log.jsonl'])).toEqual({ help: false, file: 'log.jsonl', speed: 1, shiftToNow: false, maxInflight: 100, dryRun: false });
  });

  it('reads every flag, in both spellings of a value', () => {
    expect(parseReplayArgs(['--speed=2.5', 'log.jsonl', '--shift-to-now', '--max-inflight', '1', '--dry-run'])).toEqual({
      help: false,
      file: 'log.jsonl',
      speed: 2.5,
      shiftToNow: true,
      maxInflight: 1,
      dryRun: true,
    });
    expect(parseReplayArgs(['log.jsonl', '--as-fast-as-possible'])).toMatchObject({ speed: 0 });
    expect(parseReplayArgs(['log.jsonl', '--speed', '0'])).toMatchObject({ speed: 0 });
    expect(parseReplayArgs(['-h'])).toEqual({ help: true });
  });

  it.each([
    [['log.jsonl', '--fast'], "Unknown option '--fast'; see iot-replay --help"],
    [['log.jsonl', '--speed'], "Option '--speed <value>' argument missing; see iot-replay --help"],
    [['log.jsonl', '--speed', '-1'], "Option '--speed' argument is ambiguous; see iot-replay --help"],
    [[], 'which message log? iot-replay <file.jsonl> (see --help)'],
    [['a.jsonl', 'b.jsonl'], 'one message log at a time, got 2: a.jsonl b.jsonl'],
    [['log.jsonl', '--speed=-1'], '--speed "-1" is not a factor; use a number like 1 (real time), 10 (ten times faster) or 0 (no waiting)'],
    [['log.jsonl', '--speed', 'fast'], '--speed "fast" is not a factor; use a number like 1 (real time), 10 (ten times faster) or 0 (no waiting)'],
    [['log.jsonl', '--speed', '2', '--as-fast-as-possible'], '--as-fast-as-possible contradicts --speed 2; give one of them'],
    [['log.jsonl', '--max-inflight', '0'], '--max-inflight "0" must be a whole number from 1 to 65535'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseReplayArgs(argv)).toThrow(new UsageError(message));
  });
});

describe('broker settings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'replay-env-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads the project's device key and admin password: environment first, then .stack/addresses.env, then .env", () => {
    writeFileSync(join(dir, '.env'), 'MQTT_DEVICE_KEY=key-from-dotenv\nMQTT_ADMIN_PASSWORD=admin-from-dotenv\nMQTT_URL=mqtt://dotenv:1\n');
    mkdirSync(join(dir, '.stack'));
    writeFileSync(join(dir, '.stack', 'addresses.env'), 'MQTT_URL=mqtt://127.0.0.1:41883\n');
    expect(brokerSettings(projectEnv(dir, {}))).toEqual({ url: 'mqtt://127.0.0.1:41883', deviceKey: 'key-from-dotenv', adminPassword: 'admin-from-dotenv' });
    expect(brokerSettings(projectEnv(dir, { MQTT_URL: 'mqtt://env:2', MQTT_USERNAME: 'me', MQTT_PASSWORD: 'pw', MQTT_DEVICE_KEY: '' }))).toEqual({
      url: 'mqtt://env:2',
      username: 'me',
      password: 'pw',
      deviceKey: 'key-from-dotenv',
      adminPassword: 'admin-from-dotenv',
    });
  });

  it('falls back to MQTT_HOST/MQTT_PORT, then localhost:1883 without credentials', () => {
    expect(brokerSettings({ MQTT_HOST: 'broker', MQTT_PORT: '11883' })).toEqual({ url: 'mqtt://broker:11883' });
    expect(brokerSettings(projectEnv(join(dir, 'nowhere'), {}))).toEqual({ url: 'mqtt://localhost:1883' });
  });
});

describe('report lines', () => {
  it('formats durations from milliseconds to days', () => {
    expect([250, 1500, 125_000, 3 * 3_600_000 + 60_000, 400 * 86_400_000].map(formatDuration)).toEqual(['250 ms', '1.5 s', '2 min 5 s', '3 h 1 min', '400 d 0 h']);
  });

  it('says what happens, how far it got and what it did', () => {
    expect(planLine('log.jsonl', 3, 2, 60_000, 10, -3_600_000)).toBe(
      'log.jsonl: 3 messages to 2 topics, published over 6.0 s (original span 60.0 s, speed 10), payload timestamps moved back by 60 min 0 s',
    );
    expect(planLine('log.jsonl', 1, 1, 0, 0, undefined)).toBe('log.jsonl: 1 message to 1 topic, published without waiting');
    expect(progressLine(250, 1000, 2000)).toBe('replay: 250/1000 acknowledged (25 %), 2.0 s, 125 msg/s');
    expect(summaryLine('log.jsonl', 1000, 3, 4000)).toBe('replayed 1000 messages to 3 topics from log.jsonl in 4.0 s (250 msg/s), QoS 1, all acknowledged');
  });
});
