// The GTFS-RT rules on decoded feeds: repeated headers, entities without trip or position, vehicles whose own
// timestamp did not move, and state handed out for persistence and restored.
import { describe, expect, it } from 'vitest';
import { encodeFeedMessage, type FeedEntity } from '../gtfs-rt-simulator/gtfs-rt-encode.ts';
import { decodeGtfsRtVehiclePositions } from './decoders/gtfs-rt.ts';
import { decodeGtfsRtTripUpdates } from './decoders/gtfs-rt-trip-updates.ts';
import { GtfsRtGate, tripUpdateItems, vehiclePositionItems } from './gtfs-rt-gate.ts';

const at = (vehicleId: string, tripId: string | undefined, timestamp: number | undefined): FeedEntity => ({
  id: `e-${vehicleId}`,
  vehicle: { vehicle: { id: vehicleId }, ...(tripId ? { trip: { tripId } } : {}), position: { latitude: 1, longitude: 2 }, ...(timestamp ? { timestamp } : {}) },
});
const feed = (timestamp: number, ...entities: FeedEntity[]) => vehiclePositionItems(decodeGtfsRtVehiclePositions(encodeFeedMessage({ timestamp, entities })));
const passed = (records: Record<string, unknown>[]) => records.map((r) => `${r.vehicleId}@${Number(r.timestamp) / 1000}`);

describe('GtfsRtGate', () => {
  it('skips a repeated header, drops entities without trip or position, skips vehicles that did not move', () => {
    const gate = new GtfsRtGate();
    const noPosition: FeedEntity = { id: 'e-x', vehicle: { vehicle: { id: 'x' }, trip: { tripId: 'T9' }, timestamp: 99 } };
    expect(passed(gate.admit(feed(100, at('a', 'T1', 90), at('b', 'T2', 95), at('c', undefined, 95), noPosition, { id: 'tu-only' })))).toEqual(['a@90', 'b@95']);
    expect(passed(gate.admit(feed(110, at('a', 'T1', 90), at('b', 'T2', 105), at('d', 'T4', undefined))))).toEqual(['b@105', 'd@110']);
    expect(passed(gate.admit(feed(110, at('a', 'T1', 108))))).toEqual([]);
    // A vehicle without a timestamp of its own is a new sample in every new feed.
    expect(passed(gate.admit(feed(120, at('a', 'T1', 108), at('d', 'T4', undefined))))).toEqual(['a@108', 'd@120']);
    expect(gate.counters).toEqual({ feeds: 4, feedsRepeated: 1, entities: 8, withoutTrip: 1, withoutPosition: 1, unchanged: 1, passed: 6 });
    expect(gate.takeChanges()).toEqual([['header', 120_000], ['vehicle:a', 108_000], ['vehicle:b', 105_000]]);
    expect(gate.takeChanges()).toEqual([]);
  });

  it('counts a repeated header only when it equals the last one; an older feed comes through', () => {
    const gate = new GtfsRtGate();
    gate.admit(feed(200, at('a', 'T1', 200)));
    expect(passed(gate.admit(feed(150, at('a', 'T1', 150))))).toEqual(['a@150']);
    expect(passed(gate.admit(feed(200, at('a', 'T1', 200))))).toEqual(['a@200']);
    expect(gate.counters.feedsRepeated).toBe(0);
  });

  it('restores persisted state: the same feed after a restart is skipped, a moved vehicle passes', () => {
    const first = new GtfsRtGate();
    first.admit(feed(300, at('a', 'T1', 290), at('b', 'T2', 295)));
    const second = new GtfsRtGate();
    second.restore(first.takeChanges());
    expect(passed(second.admit(feed(300, at('a', 'T1', 290))))).toEqual([]);
    expect(passed(second.admit(feed(310, at('a', 'T1', 290), at('b', 'T2', 305))))).toEqual(['b@305']);
    expect(second.counters).toMatchObject({ feedsRepeated: 1, unchanged: 1, passed: 1 });
  });

  it('gates trip updates per trip and start date: unchanged ones skipped, trip-less ones dropped', () => {
    const update = (tripId: string | undefined, startDate: string, timestamp: number, stopSequence: number): FeedEntity => ({
      id: `tu-${tripId}-${startDate}`,
      tripUpdate: { trip: { ...(tripId ? { tripId } : {}), startDate }, timestamp, stopTimeUpdates: [{ stopSequence, arrival: { delay: 60 } }, { stopSequence: stopSequence + 1, arrival: { delay: 60 } }] },
    });
    const updates = (timestamp: number, ...entities: FeedEntity[]) => tripUpdateItems(decodeGtfsRtTripUpdates(encodeFeedMessage({ timestamp, entities })));
    const gate = new GtfsRtGate();
    const stops = (records: Record<string, unknown>[]) => records.map((r) => `${r.tripId}/${r.startDate}#${r.stopSequence}`);
    expect(stops(gate.admit(updates(100, update('T1', '20260309', 90, 1), update('T1', '20260310', 90, 1), update(undefined, '20260309', 90, 1))))).toEqual([
      'T1/20260309#1', 'T1/20260309#2', 'T1/20260310#1', 'T1/20260310#2',
    ]);
    expect(stops(gate.admit(updates(110, update('T1', '20260309', 90, 2), update('T1', '20260310', 105, 2))))).toEqual(['T1/20260310#2', 'T1/20260310#3']);
    expect(gate.counters).toEqual({ feeds: 2, feedsRepeated: 0, entities: 5, withoutTrip: 1, withoutPosition: 0, unchanged: 1, passed: 6 });
    expect(gate.takeChanges()).toEqual([['header', 110_000], ['trip:T1|20260309', 90_000], ['trip:T1|20260310', 105_000]]);
  });
});
