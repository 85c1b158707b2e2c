// Dead-letter records: what the gateway could not accept, with the reason and the raw payload, so nothing
// is lost silently. Value: {reason, source, <origin field>, rawPayload, encoding?, receivedAt}; the origin
// field names where it came from: mqttTopic (MQTT), httpPath (HTTP push) or url (HTTP poll).
import type { SourceKind } from '../../manifest/schema.ts';
import { decodeUtf8 } from './validate.ts';

export const ORIGIN_FIELD = { mqtt: 'mqttTopic', http: 'httpPath', poll: 'url' } as const satisfies Record<SourceKind, string>;

export interface DeadLetter {
  reason: string;
  source: SourceKind;
  mqttTopic?: string;
  httpPath?: string;
  url?: string;
  rawPayload: string;
  encoding?: 'base64';
  /** Epoch milliseconds, like ingestedAt on good records. */
  receivedAt: number;
}

export function deadLetter(
  reason: string,
  source: SourceKind,
  origin: string,
  payload: Uint8Array,
  receivedAt: number = Date.now(),
): DeadLetter {
  const text = decodeUtf8(payload);
  return {
    reason,
    source,
    [ORIGIN_FIELD[source]]: origin,
    ...(text === undefined
      ? { rawPayload: Buffer.from(payload).toString('base64'), encoding: 'base64' as const }
      : { rawPayload: text }),
    receivedAt,
  };
}
