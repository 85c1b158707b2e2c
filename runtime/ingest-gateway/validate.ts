// Validates one decoded record against the manifest's event fields and turns it into the record the gateway
// writes to Kafka: context fields (from the source), then the fields in declared order, then ingestedAt.
import type { EventDefinition, EventField } from '../service-kit/manifest.ts';

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

/**
 * Validates one decoded record. `context` holds the source's placeholder values (from the MQTT topic or the
 * HTTP path); a field of the same name must carry the same value (the deviceId in the CSV must equal the
 * one in the topic).
 */
export function validateRecord(
  event: EventDefinition,
  raw: Record<string, unknown>,
  context: Record<string, string>,
  ingestedAt: number = Date.now(),
): ParseResult {
  try {
    const value: Record<string, unknown> = { ...context };
    for (const field of event.fields) {
      if (field.optional && (raw[field.name] === undefined || raw[field.name] === null || raw[field.name] === '')) continue;
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
