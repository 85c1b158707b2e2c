// The GTFS-RT rules between decoding and Kafka, per event (one feed): a feed whose header timestamp equals the
// last one seen is skipped whole; an entity without a trip (or, for vehicle positions, without a position) is
// dropped; an entity whose own timestamp equals the one it had when last published is skipped — a vehicle
// position per vehicle, a trip update per trip and start date. Every skip is counted.
//
// "Seen" means equal to the last value, as in the prior ingestor, not "older than": a feed server restarted on
// an earlier clock, or scenario snapshots served out of order, must still come through.
//
// The last header timestamp and each subject's last timestamp are the gate's state. It is changed in memory as
// records are queued, and handed out by takeChanges() so that the gateway can persist it (state-topic.ts)
// after Kafka acknowledged those records: a crash in between republishes an entity, never loses one.
import type { GtfsRtVehiclePositions } from './decoders/gtfs-rt.ts';
import type { GtfsRtTripUpdates } from './decoders/gtfs-rt-trip-updates.ts';

export interface GtfsRtCounters {
  /** Feeds decoded. */
  feeds: number;
  /** Feeds skipped because their header timestamp was the last one seen. */
  feedsRepeated: number;
  /** Vehicle positions (or trip updates) in the feeds not skipped. */
  entities: number;
  /** Dropped: no trip_id. */
  withoutTrip: number;
  /** Dropped: a vehicle without a position. */
  withoutPosition: number;
  /** Skipped: the entity's own timestamp did not move since it was last published. */
  unchanged: number;
  /** Records passed on to validation and Kafka. */
  passed: number;
}

/** One decoded entity as the gate sees it. */
export interface GateItem {
  /** Whose timestamp is tracked: "vehicle:<vehicleId>" or "trip:<tripId>|<startDate>". */
  subject: string;
  hasTrip: boolean;
  /** The entity's own timestamp (epoch ms); undefined when it has only the feed's, which the header rule covers. */
  ownTimestampMs: number | undefined;
  records: Record<string, unknown>[];
}

export interface GateFeed {
  headerTimestampMs: number | undefined;
  items: GateItem[];
  withoutPosition: number;
}

export function vehiclePositionItems(feed: GtfsRtVehiclePositions): GateFeed {
  return {
    headerTimestampMs: feed.headerTimestampMs,
    withoutPosition: feed.withoutPosition,
    items: feed.records.map((record, i) => ({
      subject: `vehicle:${String(record.vehicleId)}`,
      hasTrip: record.tripId !== undefined,
      ownTimestampMs: feed.vehicleTimestampsMs[i],
      records: [record],
    })),
  };
}

export function tripUpdateItems(feed: GtfsRtTripUpdates): GateFeed {
  return {
    headerTimestampMs: feed.headerTimestampMs,
    withoutPosition: 0,
    items: feed.tripUpdates.map((u) => ({
      subject: `trip:${u.tripId ?? ''}|${u.startDate ?? ''}`,
      hasTrip: u.tripId !== undefined,
      ownTimestampMs: u.timestampMs,
      records: u.records,
    })),
  };
}

/** One entry of the gate's state: `header` or a subject → epoch ms. */
export type StateEntry = [key: string, timestampMs: number];

export const HEADER_KEY = 'header';

export class GtfsRtGate {
  readonly counters: GtfsRtCounters = { feeds: 0, feedsRepeated: 0, entities: 0, withoutTrip: 0, withoutPosition: 0, unchanged: 0, passed: 0 };
  #lastHeaderMs: number | undefined;
  readonly #last = new Map<string, number>();
  readonly #changes = new Map<string, number>();

  /** Puts back state persisted by an earlier run (keys as takeChanges() gave them). */
  restore(entries: Iterable<StateEntry>): void {
    for (const [key, ms] of entries) {
      if (key === HEADER_KEY) this.#lastHeaderMs = ms;
      else this.#last.set(key, ms);
    }
  }

  /** The records of a decoded feed that should be published; remembers them as published. */
  admit(feed: GateFeed): Record<string, unknown>[] {
    const c = this.counters;
    c.feeds++;
    const header = feed.headerTimestampMs;
    if (header !== undefined && header === this.#lastHeaderMs) {
      c.feedsRepeated++;
      return [];
    }
    if (header !== undefined) {
      this.#lastHeaderMs = header;
      this.#changes.set(HEADER_KEY, header);
    }
    c.withoutPosition += feed.withoutPosition;
    c.entities += feed.items.length;
    const passed: Record<string, unknown>[] = [];
    for (const item of feed.items) {
      if (!item.hasTrip) {
        c.withoutTrip++;
        continue;
      }
      const own = item.ownTimestampMs;
      if (own !== undefined) {
        if (this.#last.get(item.subject) === own) {
          c.unchanged++;
          continue;
        }
        this.#last.set(item.subject, own);
        this.#changes.set(item.subject, own);
      }
      passed.push(...item.records);
    }
    c.passed += passed.length;
    return passed;
  }

  /** The state changed since the last call, to persist. */
  takeChanges(): StateEntry[] {
    const changes = [...this.#changes];
    this.#changes.clear();
    return changes;
  }
}
