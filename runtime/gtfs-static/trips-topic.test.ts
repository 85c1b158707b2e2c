import { describe, expect, it } from 'vitest';
import { recordJson } from './trips-topic.ts';
import type { TripRecord } from './trip-records.ts';

describe('recordJson', () => {
  it('is JSON.stringify of the record, field for field and in the same order, also with a shared shape', () => {
    const shape: [number, number][] = [[37.1, -122.1], [37.2, -122.2]];
    const dates = ['2026-03-07'];
    const record = (tripId: string): TripRecord => ({
      tripId, routeId: 'R"1', serviceId: 'WK', agencyId: '', timeZone: 'America/Los_Angeles', shapeId: null, shape,
      stops: [{ stopId: 'S1', stopSequence: 1, lat: 37.1, lon: -122.1, arrivalSeconds: null, departureSeconds: 90_330 }],
      frequencies: [{ startSeconds: 0, endSeconds: 600, headwaySeconds: 60, exactTimes: false }],
      serviceDates: dates,
    });
    for (const id of ['T1', 'T2']) expect(recordJson(record(id))).toBe(JSON.stringify(record(id)));
  });
});
