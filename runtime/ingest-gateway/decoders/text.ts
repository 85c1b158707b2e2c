// Text payloads (strict UTF-8), one record each: CSV (columns in field order, exactly as many as fields) or
// JSON (an object with the fields by name).
import type { EventDefinition } from '../../service-kit/manifest.ts';
import { decodeUtf8 } from '../validate.ts';
import { DecodeError } from './decode-error.ts';

function text(payload: Uint8Array): string {
  const decoded = decodeUtf8(payload);
  if (decoded === undefined) throw new DecodeError('payload is not valid UTF-8');
  return decoded;
}

export function decodeCsv(payload: Uint8Array, event: EventDefinition): Record<string, unknown>[] {
  const columns = text(payload).replace(/\r?\n$/, '').split(',');
  if (columns.length !== event.fields.length) {
    throw new DecodeError(`expected ${event.fields.length} CSV columns (${event.fields.map((f) => f.name).join(',')}), got ${columns.length}`);
  }
  return [Object.fromEntries(event.fields.map((f, i) => [f.name, columns[i]!.trim()]))];
}

export function decodeJson(payload: Uint8Array): Record<string, unknown>[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text(payload));
  } catch (error) {
    if (error instanceof DecodeError) throw error;
    throw new DecodeError('payload is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new DecodeError('JSON payload must be an object');
  return [parsed as Record<string, unknown>];
}
