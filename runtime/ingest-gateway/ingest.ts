// The one path every source feeds: decode the payload by the event's format, validate each record against the
// event's fields, and queue it for Kafka; whatever fails goes to the dead-letter topic with the reason.
// Counts per event: payloads received, records produced (acknowledged by Kafka) and dead-lettered.
// GTFS-RT events pass a gate (gtfs-rt-gate.ts) between decoding and validation, whose state the gateway keeps
// in a compacted Kafka topic (state-topic.ts) so that it survives a restart.
import type { SourceKind } from '../../manifest/schema.ts';
import type { EventDefinition } from '../service-kit/manifest.ts';
import { deadLetter } from './dead-letter.ts';
import { DECODERS, DecodeError, singleRecord } from './decoders/index.ts';
import { decodeGtfsRtVehiclePositions } from './decoders/gtfs-rt.ts';
import { decodeGtfsRtTripUpdates } from './decoders/gtfs-rt-trip-updates.ts';
import { LatenessGate } from './lateness.ts';
import { GtfsRtGate, tripUpdateItems, vehiclePositionItems, type GateFeed, type StateEntry } from './gtfs-rt-gate.ts';

// The GTFS-RT formats: how a payload becomes what their gate takes.
const GATED: Partial<Record<EventDefinition['format'], (payload: Uint8Array) => GateFeed>> = {
  'gtfs-rt': (payload) => vehiclePositionItems(decodeGtfsRtVehiclePositions(payload)),
  'gtfs-rt-trip-updates': (payload) => tripUpdateItems(decodeGtfsRtTripUpdates(payload)),
};
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

// Labels of the gateway's own records: '#' never starts an event name, so an event may be called state or dlq.
export const DLQ_LABEL = '#dlq';
export const STATE_LABEL = '#state';

export class Ingest {
  readonly counters: Record<string, EventCounters> = {};
  readonly unmatched = { received: 0, deadLettered: 0 };
  deadLetterProduced = 0;
  stateProduced = 0;
  /** The GTFS-RT gate of each gtfs-rt event. */
  readonly gtfsRt: Record<string, GtfsRtGate> = {};
  private readonly lateness: Record<string, LatenessGate> = {};
  private readonly events: Record<string, EventDefinition>;
  private readonly dlqTopic: string;
  private readonly enqueue: (record: OutRecord) => void;
  private readonly stateTopic: string | undefined;
  private readonly stateIntervalMs: number;
  private readonly pendingState = new Map<string, number>();
  private stateTimer: NodeJS.Timeout | undefined;

  /**
   * Without `stateTopic`, GTFS-RT gate state lives in memory only. Gate state is queued at most once per
   * `stateIntervalMs` (0: with every payload), only each key's newest value: a feed polled every 200 ms would
   * otherwise write one state record per position, as many as the positions themselves.
   */
  constructor(
    events: Record<string, EventDefinition>,
    dlqTopic: string,
    enqueue: (record: OutRecord) => void,
    stateTopic?: string,
    stateIntervalMs = 0,
  ) {
    this.events = events;
    this.dlqTopic = dlqTopic;
    this.enqueue = enqueue;
    this.stateTopic = stateTopic;
    this.stateIntervalMs = stateIntervalMs;
    for (const [name, event] of Object.entries(events)) {
      this.counters[name] = { received: 0, produced: 0, deadLettered: 0 };
      if (GATED[event.format]) this.gtfsRt[name] = new GtfsRtGate();
      if (event.lateness) this.lateness[name] = new LatenessGate(event.lateness);
    }
  }

  /** Puts back the gates' state read from the state topic (keys "<event>|<gate key>", values epoch ms). */
  restoreState(state: ReadonlyMap<string, string>): void {
    const byEvent = new Map<string, StateEntry[]>();
    for (const [key, value] of state) {
      const bar = key.indexOf('|');
      const ms = Number(value);
      if (bar < 0 || !Number.isSafeInteger(ms)) continue;
      const event = key.slice(0, bar);
      byEvent.set(event, [...(byEvent.get(event) ?? []), [key.slice(bar + 1), ms]]);
    }
    for (const [event, entries] of byEvent) this.gtfsRt[event]?.restore(entries);
  }

  /** What the event's gate changed since the last call: take it right after a payload, to persist it with that payload. */
  takeStateChanges(event: string): StateEntry[] {
    return this.gtfsRt[event]?.takeChanges() ?? [];
  }

  /**
   * Queues gate state for the state topic (now, or with the next changes of the interval). Call it once the
   * records of the payload the changes came from are acknowledged, so that the state never runs ahead of what
   * Kafka holds; a crash before the state is written republishes those records, never loses them.
   */
  queueState(event: string, changes: readonly StateEntry[]): void {
    if (!this.stateTopic) return;
    for (const [key, ms] of changes) this.pendingState.set(`${event}|${key}`, ms);
    if (this.stateIntervalMs <= 0) this.flushState();
    else if (this.pendingState.size > 0) this.stateTimer ??= setTimeout(() => this.flushState(), this.stateIntervalMs).unref();
  }

  /** Queues the gate state still waiting for its interval (at shutdown, after the sources stopped). */
  flushState(): void {
    clearTimeout(this.stateTimer);
    this.stateTimer = undefined;
    if (!this.stateTopic) return;
    for (const [key, ms] of this.pendingState) this.enqueue({ topic: this.stateTopic, key, value: String(ms), label: STATE_LABEL });
    this.pendingState.clear();
  }

  /** Decodes, validates and queues one payload: how many records went to the event's topic, and why others did not. */
  accept(arrival: Arrival): { queued: number; rejected: string[] } {
    const event = this.events[arrival.event]!;
    const counters = this.counters[arrival.event]!;
    counters.received += 1;
    let records: Record<string, unknown>[];
    try {
      const gate = this.gtfsRt[arrival.event];
      records = gate ? gate.admit(GATED[event.format]!(arrival.payload)) : DECODERS[event.format](arrival.payload, event);
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      counters.deadLettered += 1;
      const reason = `${arrival.event}: ${error.message}`;
      this.toDeadLetter(reason, arrival, arrival.payload);
      return { queued: 0, rejected: [reason] };
    }
    let queued = 0;
    const rejected: string[] = [];
    const lateness = this.lateness[arrival.event];
    records.forEach((raw, index) => {
      const valid = validateRecord(event, raw, arrival.context, arrival.receivedAt);
      const late = valid.ok ? lateness?.check(valid.key, valid.value) : undefined;
      const result = late ? { ok: false as const, reason: late } : valid;
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

  /** A payload of the event that never reached its decoder (a body that does not gunzip): dead-lettered. */
  rejectPayload(arrival: Arrival, reason: string): void {
    const counters = this.counters[arrival.event]!;
    counters.received += 1;
    counters.deadLettered += 1;
    this.toDeadLetter(`${arrival.event}: ${reason}`, arrival, arrival.payload);
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
    else if (label === STATE_LABEL) this.stateProduced += count;
    else if (this.counters[label]) this.counters[label].produced += count;
  }

  metrics() {
    return {
      events: this.counters,
      unmatched: this.unmatched,
      deadLetterTopic: this.dlqTopic,
      deadLettered: Object.values(this.counters).reduce((n, c) => n + c.deadLettered, this.unmatched.deadLettered),
      deadLetterProduced: this.deadLetterProduced,
      ...(Object.keys(this.gtfsRt).length > 0
        ? {
            gtfsRt: Object.fromEntries(Object.entries(this.gtfsRt).map(([name, gate]) => [name, { ...gate.counters }])),
            stateTopic: this.stateTopic ?? null,
            stateProduced: this.stateProduced,
          }
        : {}),
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
