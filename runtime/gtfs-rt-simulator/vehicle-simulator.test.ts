// Vehicles of a tiny synthetic feed (fixtures/straight-line: three stops on one straight two-point shape in
// America/Los_Angeles) at chosen instants: exact positions to 1e-6 degrees, statuses, delays, dwell, a trip
// past midnight, a daylight-saving day, calendar exceptions, a frequency trip, a trip without a shape, noise.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeGtfsRtVehiclePositions } from '../ingest-gateway/decoders/gtfs-rt.ts';
import { encodeFeedMessage } from './gtfs-rt-encode.ts';
import { readStaticFeed } from './static-feed.ts';
import { haversineMetres } from './trip-path.ts';
import { VehicleSimulator, type SimulationOptions } from './vehicle-simulator.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/straight-line', import.meta.url));
const feed = await readStaticFeed(FIXTURE);
const at = (iso: string) => Date.parse(iso);

/** The vehicles at an instant as [vehicleId, lat, lon, status, stop_sequence], positions to 1e-6. */
function positions(iso: string, options: SimulationOptions = {}) {
  return new VehicleSimulator(feed, options).vehiclesAt(at(iso)).map((v) => [
    v.vehicleId,
    Math.round(v.lat * 1e6) / 1e6,
    Math.round(v.lon * 1e6) / 1e6,
    v.status,
    v.trip.stops[v.stopIndex]!.stopSequence,
  ]);
}

describe('VehicleSimulator positions', () => {
  it('moves a vehicle along the straight shape on schedule (Monday 2026-03-09, PDT: service day starts 07:00Z)', () => {
    expect(positions('2026-03-09T14:59:59Z')).toEqual([]);
    expect(positions('2026-03-09T15:00:00Z')).toEqual([['T1', 37, -122, 'STOPPED_AT', 1]]);
    expect(positions('2026-03-09T15:05:00Z')).toEqual([['T1', 37.025, -122.025, 'IN_TRANSIT_TO', 2]]);
    expect(positions('2026-03-09T15:10:30Z')).toEqual([['T1', 37.05, -122.05, 'STOPPED_AT', 2]]);
    expect(positions('2026-03-09T15:15:30Z')).toEqual([['T1', 37.075, -122.075, 'IN_TRANSIT_TO', 3]]);
    expect(positions('2026-03-09T15:20:00Z')).toEqual([['T1', 37.1, -122.1, 'STOPPED_AT', 3]]);
    expect(positions('2026-03-09T15:20:01Z')).toEqual([]);
    const [v] = new VehicleSimulator(feed).vehiclesAt(at('2026-03-09T15:05:00.900Z'));
    expect(v!.timestamp).toBe(at('2026-03-09T15:05:00Z') / 1000);
    // Half of the shape's length in 10 minutes.
    expect(v!.speed).toBeCloseTo(haversineMetres([37, -122], [37.1, -122.1]) / 2 / 600, 9);
    expect(v!.bearing).toBeCloseTo(321.4, 1);
  });

  it('shifts a delayed trip, and makes a long dwell late from there on', () => {
    expect(positions('2026-03-09T15:07:00Z', { delays: { T1: 120 } })).toEqual([['T1', 37.025, -122.025, 'IN_TRANSIT_TO', 2]]);
    expect(positions('2026-03-09T14:58:00Z', { defaultDelaySeconds: -120 })).toEqual([['T1', 37, -122, 'STOPPED_AT', 1]]);
    // Dwell 180 s: S2 08:10–08:13 (scheduled departure 08:11), then 9 minutes of running time to S3 at 08:22.
    expect(positions('2026-03-09T15:12:59Z', { dwellSeconds: 180 })).toEqual([['T1', 37.05, -122.05, 'STOPPED_AT', 2]]);
    expect(positions('2026-03-09T15:17:30Z', { dwellSeconds: 180 })).toEqual([['T1', 37.075, -122.075, 'IN_TRANSIT_TO', 3]]);
    expect(positions('2026-03-09T15:22:00Z', { dwellSeconds: 180 })).toEqual([['T1', 37.1, -122.1, 'STOPPED_AT', 3]]);
  });

  it('counts GTFS times from noon minus 12 h: a trip past midnight, the spring-forward day, a removed date', () => {
    // NIGHT on Saturday 2026-03-07 (PST): 24:30–25:00 is 08:30Z–09:00Z on Sunday.
    expect(positions('2026-03-08T08:45:00Z')).toEqual([['NIGHT', 37.05, -122.05, 'IN_TRANSIT_TO', 2]]);
    const [night] = new VehicleSimulator(feed).vehiclesAt(at('2026-03-08T08:45:00Z'));
    expect([night!.serviceDate, night!.startSeconds]).toEqual(['20260307', 24 * 3600 + 1800]);
    // Sunday 2026-03-08 is added to WK and is the spring-forward day: noon PDT − 12 h = 07:00Z, so 08:05 is 15:05Z.
    expect(positions('2026-03-08T15:05:00Z')).toEqual([['T1', 37.025, -122.025, 'IN_TRANSIT_TO', 2]]);
    // NIGHT on Sunday 2026-03-08 counts from 07:00Z too: 24:30 is 07:30Z on Monday.
    expect(positions('2026-03-09T07:45:00Z')).toEqual([['NIGHT', 37.05, -122.05, 'IN_TRANSIT_TO', 2]]);
    // Tuesday 2026-03-10 is removed from WK.
    expect(positions('2026-03-10T15:05:00Z')).toEqual([]);
    expect(positions('2026-03-11T15:05:00Z')).toEqual([['T1', 37.025, -122.025, 'IN_TRANSIT_TO', 2]]);
  });

  it('runs one vehicle per frequencies.txt departure, and a trip without a shape through its stops', () => {
    expect(positions('2026-03-09T13:10:00Z')).toEqual([['F1@06:00:00', 37.05, -122.05, 'IN_TRANSIT_TO', 2]]);
    expect(positions('2026-03-09T13:40:00Z')).toEqual([['F1@06:30:00', 37.05, -122.05, 'IN_TRANSIT_TO', 2]]);
    // NOSHAPE: S2 has no times; by distance it is at 09:10.
    expect(positions('2026-03-09T16:05:00Z')).toEqual([['NOSHAPE', 37.025, -122.025, 'IN_TRANSIT_TO', 20]]);
    expect(positions('2026-03-09T16:10:00Z')).toEqual([['NOSHAPE', 37.05, -122.05, 'STOPPED_AT', 20]]);
  });

  it('leaves out a trip with fewer than two stops, naming it in skippedTrips', () => {
    const t1 = feed.trips[0]!;
    const simulator = new VehicleSimulator({ trips: [{ ...t1, tripId: 'ONE', stops: t1.stops.slice(0, 1) }, t1] });
    expect(simulator.skippedTrips).toEqual(['ONE']);
    expect(simulator.vehiclesAt(at('2026-03-09T15:00:00Z')).map((v) => v.vehicleId)).toEqual(['T1']);
  });

  it('adds seeded GPS noise: the same seed gives the same positions, another seed others, within a few sigma', () => {
    const noisy = (seed: number) => new VehicleSimulator(feed, { noiseMetres: 10, seed }).vehiclesAt(at('2026-03-09T15:05:00Z'))[0]!;
    const a = noisy(7);
    expect(noisy(7)).toEqual(a);
    expect(noisy(8).lat).not.toBe(a.lat);
    const offset = haversineMetres([a.lat, a.lon], [37.025, -122.025]);
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThan(50);
    const [withNoise, without] = [new VehicleSimulator(feed, { noiseMetres: 10, seed: 7 }), new VehicleSimulator(feed)];
    const offsets = Array.from({ length: 400 }, (_, i) => {
      const v = withNoise.vehiclesAt(at('2026-03-09T15:05:00Z') + i * 1000)[0]!;
      const clean = without.vehiclesAt(at('2026-03-09T15:05:00Z') + i * 1000)[0]!;
      return haversineMetres([v.lat, v.lon], [clean.lat, clean.lon]) ** 2;
    });
    // The root mean square of a 2-D Gaussian offset is sigma·√2.
    expect(Math.sqrt(offsets.reduce((s, x) => s + x, 0) / offsets.length)).toBeGreaterThan(12);
    expect(Math.sqrt(offsets.reduce((s, x) => s + x, 0) / offsets.length)).toBeLessThan(16);
  });
});

describe('the simulated feed on the wire', () => {
  it('decodes with the gateway decoder: float32 positions, trip descriptor, status, timestamps', () => {
    const simulator = new VehicleSimulator(feed, { omitStartDate: ['F1'] });
    const bytes = encodeFeedMessage(simulator.vehiclePositions(at('2026-03-09T15:05:00Z')));
    const decoded = decodeGtfsRtVehiclePositions(bytes);
    expect(decoded.headerTimestampMs).toBe(at('2026-03-09T15:05:00Z'));
    expect(decoded.records).toEqual([
      {
        entityId: 'T1',
        vehicleId: 'T1',
        vehicleLabel: 'T1',
        tripId: 'T1',
        routeId: 'R1',
        directionId: 0,
        startDate: '20260309',
        startTime: '08:00:00',
        latitude: Math.fround(37.025),
        longitude: Math.fround(-122.025),
        bearing: Math.fround(decoded.records[0]!.bearing as number),
        speed: Math.fround(haversineMetres([37, -122], [37.1, -122.1]) / 2 / 600),
        currentStopSequence: 2,
        stopId: 'S2',
        currentStatus: 'IN_TRANSIT_TO',
        timestamp: at('2026-03-09T15:05:00Z'),
      },
    ]);
    const frequency = decodeGtfsRtVehiclePositions(encodeFeedMessage(simulator.vehiclePositions(at('2026-03-09T13:40:00Z')))).records;
    expect(frequency).toMatchObject([{ vehicleId: 'F1@06:30:00', tripId: 'F1', startTime: '06:30:00', directionId: 1 }]);
    expect(frequency[0]!.startDate).toBeUndefined();
  });
});
