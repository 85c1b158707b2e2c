// Turns one raw message into the record the gateway writes to Kafka, validated by the manifest's event
// fields: CSV (columns in field order, exactly as many as fields) or JSON (an object with the fields).
// Output: context fields (from the MQTT topic), then the fields in declared order, then ingestedAt.
import type { EventDefinition, EventField } from '../lib/manifest.ts';

export type ParseResult =
  | { ok: true; key: string; value: Record<string, unknown> }
  | { ok: false; reason: string };

const INT_MIN = -2_147_483_648;
const INT_MAX = 2_147_483_647;
const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

class Invalid extends Error {}

function invalid(message: string): never {
  throw new Invalid(message);
}

/** Converts one raw value to the field's type, or throws Invalid naming the field. */
export function convertField(field: EventField, raw: unknown): unknown {
  const name = field.name;
  if (raw === undefined || raw === null || raw === '') invalid(`field ${name} is missing`);
  let value: unknown;
  switch (field.type) {
    case 'string':
      value = typeof raw === 'string' ? raw : invalid(`field ${name} must be a string`);
      break;
    case 'int':
    case 'long': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && INTEGER.test(raw.trim()) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(n)) invalid(`field ${name} must be an integer, got ${JSON.stringify(raw)}`);
      if (field.type === 'int' && (n < INT_MIN || n > INT_MAX)) invalid(`field ${name} is out of the int range: ${n}`);
      value = n;
      break;
    }
    case 'double': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && DECIMAL.test(raw.trim()) ? Number(raw) : NaN;
      if (!Number.isFinite(n)) invalid(`field ${name} must be a number, got ${JSON.stringify(raw)}`);
      value = n;
      break;
    }
    case 'boolean':
      if (raw === true || raw === false) value = raw;
      else if (typeof raw === 'string' && /^(true|1)$/i.test(raw.trim())) value = true;
      else if (typeof raw === 'string' && /^(false|0)$/i.test(raw.trim())) value = false;
      else if (raw === 1 || raw === 0) value = raw === 1;
      else invalid(`field ${name} must be a boolean (true/false/1/0), got ${JSON.stringify(raw)}`);
      break;
    case 'timestamp': {
      let ms: number;
      if (typeof raw === 'number') ms = raw;
      else if (typeof raw === 'string' && ISO_TIMESTAMP.test(raw.trim())) ms = Date.parse(raw.trim().replace(' ', 'T'));
      else if (typeof raw === 'string' && /^\d{10,16}$/.test(raw.trim())) ms = Number(raw);
      else ms = NaN;
      if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) {
        invalid(`field ${name} must be an ISO-8601 timestamp with a zone (or epoch ms), got ${JSON.stringify(raw)}`);
      }
      value = new Date(ms).toISOString();
      break;
    }
  }
  if (typeof value === 'number') {
    if (field.min !== undefined && value < field.min) invalid(`field ${name} = ${value} is below the minimum ${field.min}`);
    if (field.max !== undefined && value > field.max) invalid(`field ${name} = ${value} is above the maximum ${field.max}`);
  }
  return value;
}

function rawValues(event: EventDefinition, text: string): Record<string, unknown> {
  if (event.format === 'csv') {
    const columns = text.replace(/\r?\n$/, '').split(',');
    if (columns.length !== event.fields.length) {
      invalid(
        `expected ${event.fields.length} CSV columns (${event.fields.map((f) => f.name).join(',')}), got ${columns.length}`,
      );
    }
    return Object.fromEntries(event.fields.map((f, i) => [f.name, columns[i]!.trim()]));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    invalid('payload is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) invalid('JSON payload must be an object');
  return parsed as Record<string, unknown>;
}

/**
 * Parses and validates one message. `context` holds the topic's placeholder values; a field of the same
 * name must carry the same value (e.g. the deviceId in the CSV must equal the one in the topic).
 */
export function parseMessage(
  event: EventDefinition,
  text: string,
  context: Record<string, string>,
  ingestedAt: number = Date.now(),
): ParseResult {
  try {
    const raw = rawValues(event, text);
    const value: Record<string, unknown> = { ...context };
    for (const field of event.fields) {
      const converted = convertField(field, raw[field.name]);
      const expected = context[field.name];
      if (expected !== undefined && String(converted) !== expected) {
        invalid(`field ${field.name} = ${JSON.stringify(converted)} does not match the topic's ${field.name} ${JSON.stringify(expected)}`);
      }
      value[field.name] = converted;
    }
    value.ingestedAt = ingestedAt;
    const key = event.key.map((k) => String(value[k] ?? '')).join('|');
    return { ok: true, key, value };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, reason: error.message };
    throw error;
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Strict UTF-8 decoding: undefined when the bytes are not valid UTF-8. */
export function decodeUtf8(payload: Uint8Array): string | undefined {
  try {
    return decoder.decode(payload);
  } catch {
    return undefined;
  }
}
