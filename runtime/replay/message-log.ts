// Reads a message log (JSON lines: `topic`, `payload`, `ts_ms`, optional `encoding: "base64"`) into the
// messages to publish. The whole file is checked before anything is sent, so a bad line never leaves a
// half-replayed log behind; the first problem is reported with its line number and what to do about it.

export interface LoggedMessage {
  /** 1-based line in the file, for messages that name where a message came from. */
  line: number;
  topic: string;
  /** Text as logged (JSON payloads as their JSON text), or the bytes of a base64 payload. */
  payload: string | Buffer;
  /** The original publish time, epoch milliseconds. */
  tsMs: number;
}

export class MessageLogError extends Error {
  override name = 'MessageLogError';
  readonly line: number | undefined;

  constructor(line: number | undefined, message: string) {
    super(message);
    this.line = line;
  }
}

export interface ReadOptions {
  /** Publish times must not go backwards (needed when the original gaps are replayed). */
  requireTimeOrder: boolean;
}

const EXAMPLE = '{"topic": "sensors/d1/humidity", "payload": "d1,2026-03-02T02:00:00Z,48.5", "ts_ms": 1772416800000}';

export function parseMessageLog(text: string, { requireTimeOrder }: ReadOptions): LoggedMessage[] {
  const messages: LoggedMessage[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const raw = lines[index]!.replace(/\r$/, '');
    if (raw.trim() === '') continue;
    const message = parseLine(raw, index + 1);
    const previous = messages.at(-1);
    if (requireTimeOrder && previous && message.tsMs < previous.tsMs) {
      throw new MessageLogError(
        message.line,
        `ts_ms ${message.tsMs} is earlier than line ${previous.line}'s ${previous.tsMs}; the original gaps can only be replayed in publish order: sort the file by ts_ms, or replay it in file order without waiting (--speed 0)`,
      );
    }
    messages.push(message);
  }
  if (messages.length === 0) throw new MessageLogError(undefined, `the file holds no messages; write one JSON object per line, e.g. ${EXAMPLE}`);
  return messages;
}

function parseLine(raw: string, line: number): LoggedMessage {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new MessageLogError(line, `not JSON (${(error as Error).message}); write one JSON object per line, e.g. ${EXAMPLE}`);
  }
  if (!isObject(value)) throw new MessageLogError(line, `expected a JSON object, found ${describe(value)}; e.g. ${EXAMPLE}`);
  return { line, topic: topicOf(value, line), payload: payloadOf(value, line), tsMs: tsMsOf(value, line) };
}

function topicOf(entry: Record<string, unknown>, line: number): string {
  const topic = entry.topic;
  if (typeof topic !== 'string' || topic === '') {
    throw new MessageLogError(line, `"topic" must be a non-empty string, found ${describe(topic)}; add the MQTT topic the message was published to`);
  }
  if (/[+#]/.test(topic)) throw new MessageLogError(line, `topic ${JSON.stringify(topic)} holds a wildcard (+ or #); messages are published to concrete topics`);
  if (topic.includes('\u0000')) throw new MessageLogError(line, `topic ${JSON.stringify(topic)} holds a NUL character, which MQTT forbids`);
  if (Buffer.byteLength(topic) > 65_535) throw new MessageLogError(line, 'topic is longer than 65535 bytes, the MQTT limit');
  return topic;
}

function payloadOf(entry: Record<string, unknown>, line: number): string | Buffer {
  const { payload, encoding } = entry;
  if (encoding !== undefined && encoding !== 'base64') {
    throw new MessageLogError(line, `"encoding" must be "base64" (or left out for text), found ${describe(encoding)}`);
  }
  if (encoding === 'base64') {
    if (typeof payload !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(payload) || payload.length % 4 !== 0) {
      throw new MessageLogError(line, `"payload" must be base64 text when "encoding" is "base64", found ${describe(payload)}`);
    }
    return Buffer.from(payload, 'base64');
  }
  if (typeof payload === 'string') return payload;
  if (isObject(payload) || Array.isArray(payload)) return JSON.stringify(payload);
  throw new MessageLogError(line, `"payload" must be a string or a JSON object, found ${describe(payload)}; quote other values ("payload": "42")`);
}

function tsMsOf(entry: Record<string, unknown>, line: number): number {
  const ts = entry.ts_ms;
  if (typeof ts !== 'number' || !Number.isSafeInteger(ts) || ts < 0) {
    throw new MessageLogError(line, `"ts_ms" must be the original publish time in whole epoch milliseconds, found ${describe(ts)}; e.g. "ts_ms": 1772416800000`);
  }
  return ts;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
