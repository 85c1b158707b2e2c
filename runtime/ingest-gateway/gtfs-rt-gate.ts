// The GTFS-Realtime rules between decoding and Kafka, per event (one feed): a feed whose header timestamp equals
// the last one seen is skipped whole; an entity without a trip or without a position is dropped; a vehicle whose
// own timestamp equals the one of its last published position is skipped. Every skip is counted.
//
// "Seen" means equal to the last value, as in the prior ingestor, not "older than": a feed server restarted on
// an earlier clock, or scenario snapshots served out of order, must still come through.
//
// The last header timestamp and each vehicle's last timestamp are the gate's state. It is changed in memory as
// records are queued, and handed out by takeChanges() so that the gateway can persist it (state-topic.ts)
// after Kafka acknowledged those records: a crash in between republishes a position, never loses one.
import type { GtfsRtVehiclePositions } from './decoders/gtfs-rt.ts';

export interface GtfsRtCounters {
  /** Feeds decoded. */
  feeds: number;
  /** Feeds skipped because their header timestamp was the last one seen. */
  feedsRepeated: number;
  /** Entities with a vehicle and a position in the feeds not skipped. */
  vehicles: number;
  /** Dropped: a vehicle position without a trip (no trip_id). */
  withoutTrip: number;
  /** Dropped: an entity with a vehicle but no position. */
  withoutPosition: number;
  /** Skipped: the vehicle's timestamp did not move since its last published position. */
  vehiclesUnchanged: number;
  /** Positions passed on to validation and Kafka. */
  passed: number;
}

/** One entry of the gate's state: `header` or `vehicle:<vehicleId>` → epoch ms. */
export type StateEntry = [key: string, timestampMs: number];

export const HEADER_KEY = 'header';
const VEHICLE_PREFIX = 'vehicle:';

export class GtfsRtGate {
  readonly counters: GtfsRtCounters = { feeds: 0, feedsRepeated: 0, vehicles: 0, withoutTrip: 0, withoutPosition: 0, vehiclesUnchanged: 0, passed: 0 };
  #lastHeaderMs: number | undefined;
  readonly #lastVehicleMs = new Map<string, number>();
  readonly #changes = new Map<string, number>();

  /** Puts back state persisted by an earlier run (keys as takeChanges() gave them; unknown keys are ignored). */
  restore(entries: Iterable<StateEntry>): void {
    for (const [key, ms] of entries) {
      if (key === HEADER_KEY) this.#lastHeaderMs = ms;
      else if (key.startsWith(VEHICLE_PREFIX)) this.#lastVehicleMs.set(key.slice(VEHICLE_PREFIX.length), ms);
    }
  }

  /** The records of a decoded feed that should be published; remembers them as published. */
  admit(feed: GtfsRtVehiclePositions): Record<string, unknown>[] {
    const c = this.counters;
    c.feeds++;
    const header = feed.headerTimestampMs;
    if (header !== undefined && header === this.#lastHeaderMs) {
      c.feedsRepeated++;
      return [];
    }
    if (header !== undefined) this.#remember(HEADER_KEY, header);
    c.withoutPosition += feed.withoutPosition;
    c.vehicles += feed.records.length;
    const passed: Record<string, unknown>[] = [];
    feed.records.forEach((record, i) => {
      if (record.tripId === undefined) {
        c.withoutTrip++;
        return;
      }
      // A vehicle without a timestamp of its own has only the feed's, which the header rule already covers.
      const own = feed.vehicleTimestampsMs[i];
      if (own !== undefined) {
        const vehicleId = String(record.vehicleId);
        if (this.#lastVehicleMs.get(vehicleId) === own) {
          c.vehiclesUnchanged++;
          return;
        }
        this.#lastVehicleMs.set(vehicleId, own);
        this.#changes.set(VEHICLE_PREFIX + vehicleId, own);
      }
      passed.push(record);
    });
    c.passed += passed.length;
    return passed;
  }

  /** The state changed since the last call, to persist. */
  takeChanges(): StateEntry[] {
    const changes = [...this.#changes];
    this.#changes.clear();
    return changes;
  }

  #remember(key: string, ms: number): void {
    this.#lastHeaderMs = ms;
    this.#changes.set(key, ms);
  }
}
