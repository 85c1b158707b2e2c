// One Kafka batch → the final state per Redis key. Later records win, so a key written many times in a
// batch costs one DEL + HSET; a tombstone (null value) becomes a delete.
import { compileKeyTemplate, toHashFields, type KeyTemplate } from './key-template.ts';

export interface SinkRoute {
  topic: string;
  template: KeyTemplate;
  ttlSeconds?: number;
}

export type KeyOperation =
  | { op: 'set'; key: string; fields: Record<string, string>; ttlSeconds?: number }
  | { op: 'del'; key: string };

export interface InMessage {
  key: Buffer | string | null;
  value: Buffer | string | null;
}

export function sinkRoute(sink: { topic: string; key: string; ttlSeconds?: number }): SinkRoute {
  return {
    topic: sink.topic,
    template: compileKeyTemplate(sink.key),
    ...(sink.ttlSeconds ? { ttlSeconds: sink.ttlSeconds } : {}),
  };
}

function parseObject(data: Buffer | string | null): Record<string, unknown> | undefined {
  if (data === null) return undefined;
  try {
    const parsed: unknown = JSON.parse(data.toString());
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reduces messages (in offset order) to one operation per Redis key. Record keys are JSON objects
 * (upsert-kafka key.format=json) whose fields complete the value's; for tombstones they alone name the key.
 * Returns the operations and the number of messages that could not be mapped to a key.
 */
export function reduceBatch(route: SinkRoute, messages: InMessage[]): { operations: KeyOperation[]; skipped: number } {
  const final = new Map<string, KeyOperation>();
  let skipped = 0;
  for (const message of messages) {
    const keyFields = parseObject(message.key) ?? {};
    const value = message.value === null ? null : parseObject(message.value);
    if (value === undefined) {
      skipped += 1; // not a JSON object: nothing to write
      continue;
    }
    const key = route.template.fill({ ...keyFields, ...(value ?? {}) });
    if (key === undefined) {
      skipped += 1;
      continue;
    }
    final.delete(key); // keep the map in last-write order
    final.set(
      key,
      value === null
        ? { op: 'del', key }
        : { op: 'set', key, fields: toHashFields(value), ...(route.ttlSeconds ? { ttlSeconds: route.ttlSeconds } : {}) },
    );
  }
  return { operations: [...final.values()], skipped };
}
