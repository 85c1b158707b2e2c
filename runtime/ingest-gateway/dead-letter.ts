// Dead-letter records: what the gateway could not accept, with the reason and the raw payload, so nothing
// is lost silently. Value: {reason, source, mqttTopic, rawPayload, encoding?, receivedAt}.
import { decodeUtf8 } from './parse.ts';

export interface DeadLetter {
  reason: string;
  source: 'mqtt' | 'http';
  mqttTopic?: string;
  rawPayload: string;
  encoding?: 'base64';
  /** Epoch milliseconds, like ingestedAt on good records. */
  receivedAt: number;
}

export function deadLetter(
  reason: string,
  source: DeadLetter['source'],
  topic: string,
  payload: Uint8Array,
  receivedAt: number = Date.now(),
): DeadLetter {
  const text = decodeUtf8(payload);
  return {
    reason,
    source,
    mqttTopic: topic,
    ...(text === undefined
      ? { rawPayload: Buffer.from(payload).toString('base64'), encoding: 'base64' as const }
      : { rawPayload: text }),
    receivedAt,
  };
}
