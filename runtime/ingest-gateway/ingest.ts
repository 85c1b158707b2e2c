// The one path every source feeds: decode the payload by the event's format, validate each record against the
// event's fields, and queue it for Kafka; whatever fails goes to the dead-letter topic with the reason.
// Counts per event: payloads received, records produced (acknowledged by Kafka) and dead-lettered.
import type { SourceKind } from '../../manifest/schema.ts';
import type { EventDefinition } from '../service-kit/manifest.ts';
import { deadLetter } from './dead-letter.ts';
import { DECODERS, DecodeError, singleRecord } from './decoders/index.ts';
import type { OutRecord } from './kafka-batcher.ts';
import { validateRecord } from './validate.ts';

export interface Arrival {
  /** The event name in the manifest. */
  event: string;
  source: SourceKind;
  /** Where it came from: the MQTT topic, the HTTP path or the polled URL. */
  origin: string;
  payload: Uint8Array;
  /** Placeholder values captured from the origin ({deviceId} …). */
  context: Record<string, string>;
  receivedAt: number;
}

interface EventCounters {
  received: number;
  produced: number;
  deadLettered: number;
}

export const DLQ_LABEL = 'dlq';

export class Ingest {
  readonly counters: Record<string, EventCounters> = {};
  readonly unmatched = { received: 0, deadLettered: 0 };
  deadLetterProduced = 0;
  private readonly events: Record<string, EventDefinition>;
  private readonly dlqTopic: string;
  private readonly enqueue: (record: OutRecord) => void;

  constructor(events: Record<string, EventDefinition>, dlqTopic: string, enqueue: (record: OutRecord) => void) {
    this.events = events;
    this.dlqTopic = dlqTopic;
    this.enqueue = enqueue;
    for (const name of Object.keys(events)) this.counters[name] = { received: 0, produced: 0, deadLettered: 0 };
  }

  /** Decodes, validates and queues one payload: how many records went to the event's topic, and why others did not. */
  accept(arrival: Arrival): { queued: number; rejected: string[] } {
    const event = this.events[arrival.event]!;
    const counters = this.counters[arrival.event]!;
    counters.received += 1;
    let records: Record<string, unknown>[];
    try {
      records = DECODERS[event.format](arrival.payload, event);
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      counters.deadLettered += 1;
      const reason = `${arrival.event}: ${error.message}`;
      this.toDeadLetter(reason, arrival, arrival.payload);
      return { queued: 0, rejected: [reason] };
    }
    let queued = 0;
    const rejected: string[] = [];
    records.forEach((raw, index) => {
      const result = validateRecord(event, raw, arrival.context, arrival.receivedAt);
      if (result.ok) {
        this.enqueue({ topic: event.topic, key: result.key, value: JSON.stringify(result.value), label: arrival.event });
        queued += 1;
        return;
      }
      counters.deadLettered += 1;
      // A payload of many records dead-letters each bad record on its own, with its decoded values.
      const single = singleRecord(event);
      const reason = single ? `${arrival.event}: ${result.reason}` : `${arrival.event}: record ${index}: ${result.reason}`;
      rejected.push(reason);
      this.toDeadLetter(reason, arrival, single ? arrival.payload : Buffer.from(JSON.stringify(raw)));
    });
    return { queued, rejected };
  }

  /** A payload no event claims (an MQTT topic or HTTP path outside every pattern). */
  reject(source: SourceKind, origin: string, payload: Uint8Array, receivedAt: number, reason: string): void {
    this.unmatched.received += 1;
    this.unmatched.deadLettered += 1;
    this.enqueue({
      topic: this.dlqTopic,
      key: origin,
      value: JSON.stringify(deadLetter(reason, source, origin, payload, receivedAt)),
      label: DLQ_LABEL,
    });
  }

  /** Called by the Kafka batcher when records are acknowledged. */
  onSent(label: string, count: number): void {
    if (label === DLQ_LABEL) this.deadLetterProduced += count;
    else if (this.counters[label]) this.counters[label].produced += count;
  }

  metrics() {
    return {
      events: this.counters,
      unmatched: this.unmatched,
      deadLetterTopic: this.dlqTopic,
      deadLettered: Object.values(this.counters).reduce((n, c) => n + c.deadLettered, this.unmatched.deadLettered),
      deadLetterProduced: this.deadLetterProduced,
    };
  }

  private toDeadLetter(reason: string, arrival: Arrival, payload: Uint8Array): void {
    this.enqueue({
      topic: this.dlqTopic,
      key: arrival.origin,
      value: JSON.stringify(deadLetter(reason, arrival.source, arrival.origin, payload, arrival.receivedAt)),
      label: DLQ_LABEL,
    });
  }
}
