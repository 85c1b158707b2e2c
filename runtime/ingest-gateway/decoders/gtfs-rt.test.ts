// The GTFS-RT decoder against real agency feeds (../shared/reference/data/gtfs, see its README.md).
//
// How the expected values were obtained, independently of this decoder:
// * Counts, first/last records, statuses and aggregates: the .pb files parsed with Python's official
//   `gtfs-realtime-bindings` 1.0.0 (protobuf upb) in a throwaway venv, mapped to records by the same rules
//   (empty strings omitted, vehicle timestamp × 1000 else header timestamp × 1000), and printed as JSON.
// * Valid truncation points of the Caltrain feed: ParseFromString of every prefix in the same venv.
// * Every record of every feed: compared with the `.json` twin of each `.pb`, which the official JavaScript
//   bindings decoded when the data set was assembled (mapped to records in fromJsonTwin below).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DecodeError } from './decode-error.ts';
import { decodeGtfsRtVehiclePositions } from './gtfs-rt.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function gtfsDir(): string {
  const fromEnv = process.env.IOT_PLATFORM_GTFS_DIR;
  const candidates = [fromEnv ?? resolve(root, '../shared/reference/data/gtfs')];
  const found = candidates.find((dir) => existsSync(join(dir, 'caltrain-2023-11')));
  if (!found) throw new Error(`GTFS-RT sample feeds not found (looked in ${candidates.join(', ')}): set IOT_PLATFORM_GTFS_DIR`);
  return found;
}

const GTFS = gtfsDir();
const sample = (path: string) => new Uint8Array(readFileSync(join(GTFS, path)));

const CALTRAIN_VP = 'caltrain-2023-11/realtime/vehicle-positions-1699405559.pb';
const CALTRAIN_TU = 'caltrain-2023-11/realtime/trip-updates-1699405534.pb';
const KCM_1 = 'king-county-metro-vp-2021/realtime/vehicle-positions-1630596716.pb';
const KCM_2 = 'king-county-metro-vp-2021/realtime/vehicle-positions-1630598910.pb';
const BULLRUNNER = 'usf-bullrunner-2017/realtime/vehicle-positions-1505314375.pb';

interface JsonEntity {
  id: string;
  vehicle?: {
    trip?: Record<string, string | number>;
    vehicle?: { id?: string; label?: string };
    position?: { latitude: number; longitude: number; bearing?: number; speed?: number };
    current_stop_sequence?: number;
    stop_id?: string;
    current_status?: string;
    timestamp?: number;
  };
}

/** The records expected from a feed's JSON twin, by the decoder's documented rules. */
function fromJsonTwin(path: string): Record<string, unknown>[] {
  const feed = JSON.parse(readFileSync(join(GTFS, path.replace(/\.pb$/, '.json')), 'utf8')) as { header: { timestamp?: number }; entity?: JsonEntity[] };
  const records: Record<string, unknown>[] = [];
  for (const { id, vehicle: v } of feed.entity ?? []) {
    if (!v?.position) continue;
    const trip = v.trip ?? {};
    const entries: [string, unknown][] = [
      ['entityId', id],
      ['vehicleId', v.vehicle?.id || id],
      ['vehicleLabel', v.vehicle?.label || undefined],
      ['tripId', trip.trip_id || undefined],
      ['routeId', trip.route_id || undefined],
      ['directionId', trip.direction_id],
      ['startDate', trip.start_date || undefined],
      ['startTime', trip.start_time || undefined],
      ['latitude', v.position.latitude],
      ['longitude', v.position.longitude],
      ['bearing', v.position.bearing],
      ['speed', v.position.speed],
      ['currentStopSequence', v.current_stop_sequence],
      ['stopId', v.stop_id || undefined],
      ['currentStatus', v.current_status],
      ['timestamp', (v.timestamp || feed.header.timestamp)! * 1000],
    ];
    records.push(Object.fromEntries(entries.filter(([, value]) => value !== undefined)));
  }
  return records;
}

function decodeError(payload: Uint8Array): string {
  try {
    decodeGtfsRtVehiclePositions(payload);
  } catch (error) {
    expect(error).toBeInstanceOf(DecodeError);
    return (error as Error).message;
  }
  throw new Error('expected a DecodeError');
}

describe('decodeGtfsRtVehiclePositions on real feeds', () => {
  it('finds the sample feeds: four vehicle-position .pb files and one trip-updates .pb', () => {
    const pb = readdirSync(GTFS, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.pb')).sort();
    expect(pb).toEqual([CALTRAIN_TU, CALTRAIN_VP, KCM_1, KCM_2, BULLRUNNER]);
  });

  it('Caltrain: 14 trains with trip, route and direction, no empty labels', () => {
    const { headerTimestampMs, records } = decodeGtfsRtVehiclePositions(sample(CALTRAIN_VP));
    expect(headerTimestampMs).toBe(1699405559000);
    expect(records).toHaveLength(14);
    expect(records[0]).toEqual({
      entityId: '124', vehicleId: '124', tripId: '124', routeId: 'L1', directionId: 1,
      latitude: 37.370460510253906, longitude: -121.99604034423828, timestamp: 1699405549000,
    });
    expect(records[13]).toEqual({
      entityId: '710', vehicleId: '710', tripId: '710', routeId: 'B7', directionId: 1,
      latitude: 37.77516174316406, longitude: -122.39647674560547, timestamp: 1699405549000,
    });
    expect(new Set(records.map((r) => r.routeId)).size).toBe(4);
    // The feed sets label "" on every vehicle: empty strings count as absent.
    expect(records.filter((r) => 'vehicleLabel' in r)).toHaveLength(0);
  });

  it('Caltrain trip updates: 19 entities, none with a vehicle position', () => {
    expect(decodeGtfsRtVehiclePositions(sample(CALTRAIN_TU))).toEqual({ headerTimestampMs: 1699405534000, records: [], vehicleTimestampsMs: [], withoutPosition: 0, withoutVehicle: 19 });
  });

  it('Bull Runner: 10 buses without vehicle timestamps take the header time; bearing 0 is kept', () => {
    const { headerTimestampMs, records } = decodeGtfsRtVehiclePositions(sample(BULLRUNNER));
    expect(headerTimestampMs).toBe(1505314375000);
    expect(records).toHaveLength(10);
    expect(records[0]).toEqual({
      entityId: '1', vehicleId: '1536', routeId: 'F', latitude: 28.066221237182617, longitude: -82.41769409179688, bearing: 180, timestamp: 1505314375000,
    });
    expect(records[9]).toEqual({
      entityId: '10', vehicleId: '9012', routeId: 'E', latitude: 28.057300567626953, longitude: -82.41371154785156, bearing: 270, timestamp: 1505314375000,
    });
    expect(records[2]).toMatchObject({ entityId: '3', bearing: 0 });
    expect(records.every((r) => r.timestamp === 1505314375000)).toBe(true);
    expect(new Set(records.map((r) => r.routeId)).size).toBe(6);
  });

  it('King County Metro 08:31: 627 buses with stops, statuses, bearing and speed', () => {
    const { headerTimestampMs, records } = decodeGtfsRtVehiclePositions(sample(KCM_1));
    expect(headerTimestampMs).toBe(1630596716000);
    expect(records).toHaveLength(627);
    expect(records[0]).toEqual({
      entityId: '1630596716_4382', vehicleId: '4382', vehicleLabel: '4382', tripId: '49195152', routeId: '100001', directionId: 0,
      startDate: '20210902', latitude: 47.63615417480469, longitude: -122.37035369873047, currentStopSequence: 169, stopId: '2470',
      timestamp: 1630596690000,
    });
    expect(records[626]).toEqual({
      entityId: '1630596716_7452', vehicleId: '7452', vehicleLabel: '7452', tripId: '48183980', routeId: '102720', directionId: 0,
      startDate: '20210902', latitude: 47.4809684753418, longitude: -122.20785522460938, currentStopSequence: 1, stopId: '46465',
      timestamp: 1630596515000,
    });
    expect(records.find((r) => r.entityId === '1630596716_302')).toEqual({
      entityId: '1630596716_302', vehicleId: '302', vehicleLabel: '302', tripId: '40802499', routeId: '100340', directionId: 0,
      startDate: '20210902', latitude: 47.614295959472656, longitude: -122.3375473022461, bearing: 354, speed: 4,
      currentStopSequence: 7, stopId: '26689', timestamp: 1630596663000,
    });
    expect(records.filter((r) => 'currentStatus' in r).map((r) => [r.entityId, r.currentStatus])).toEqual([
      ['1630596716_407', 'STOPPED_AT'],
      ['1630596716_405', 'STOPPED_AT'],
      ['1630596716_403', 'STOPPED_AT'],
      ['1630596716_402', 'STOPPED_AT'],
      ['1630596716_406', 'STOPPED_AT'],
      ['1630596716_401', 'INCOMING_AT'],
    ]);
    expect(records.filter((r) => 'speed' in r)).toHaveLength(6);
    expect(records.filter((r) => 'bearing' in r)).toHaveLength(8);
    expect(new Set(records.map((r) => r.routeId)).size).toBe(110);
    expect(records.reduce((sum, r) => sum + ((r.currentStopSequence as number | undefined) ?? 0), 0)).toBe(137724);
  });

  it('King County Metro 09:08: 570 buses', () => {
    const { headerTimestampMs, records } = decodeGtfsRtVehiclePositions(sample(KCM_2));
    expect(headerTimestampMs).toBe(1630598910000);
    expect(records).toHaveLength(570);
    expect(records.find((r) => r.entityId === '1630598910_302')).toEqual({
      entityId: '1630598910_302', vehicleId: '302', vehicleLabel: '302', tripId: '40802502', routeId: '100340', directionId: 0,
      startDate: '20210902', latitude: 47.62355422973633, longitude: -122.33721160888672, bearing: 357, speed: 5,
      currentStopSequence: 21, stopId: '26698', currentStatus: 'STOPPED_AT', timestamp: 1630598887000,
    });
    expect(records.filter((r) => 'currentStatus' in r).map((r) => r.currentStatus)).toEqual(['STOPPED_AT', 'STOPPED_AT', 'INCOMING_AT', 'STOPPED_AT', 'STOPPED_AT']);
    expect(new Set(records.map((r) => r.routeId)).size).toBe(103);
    expect(records.reduce((sum, r) => sum + ((r.currentStopSequence as number | undefined) ?? 0), 0)).toBe(121447);
  });

  it('matches the official JavaScript bindings record for record on every vehicle-position feed', () => {
    for (const path of [CALTRAIN_VP, KCM_1, KCM_2, BULLRUNNER]) {
      expect(decodeGtfsRtVehiclePositions(sample(path)).records, path).toEqual(fromJsonTwin(path));
    }
  });
});

describe('decodeGtfsRtVehiclePositions on malformed payloads', () => {
  it('decodes a prefix only where it ends on an entity boundary, and throws DecodeError everywhere else', () => {
    const feed = sample(CALTRAIN_VP);
    const valid: [number, number][] = [];
    for (let length = 1; length < feed.length; length++) {
      try {
        valid.push([length, decodeGtfsRtVehiclePositions(feed.subarray(0, length)).records.length]);
      } catch (error) {
        expect(error, `prefix of ${length} bytes`).toBeInstanceOf(DecodeError);
      }
    }
    expect(valid).toEqual([[15, 0], [66, 1], [117, 2], [168, 3], [219, 4], [270, 5], [321, 6], [372, 7], [423, 8], [474, 9], [525, 10], [576, 11], [627, 12], [678, 13]]);
  });

  it('names the place of a truncation', () => {
    const feed = sample(CALTRAIN_VP);
    expect(decodeError(feed.subarray(0, 10))).toBe('FeedMessage: truncated: field 1 needs 13 bytes at byte 2, 8 left');
    expect(decodeError(feed.subarray(0, 700))).toBe('FeedMessage: truncated: field 2 needs 49 bytes at byte 680, 20 left');
  });

  it('rejects an HTML error page, an empty payload and missing required fields', () => {
    expect(decodeError(new TextEncoder().encode('<!DOCTYPE html><html>Bad gateway</html>'))).toBe('FeedMessage: field 7 has wire type 4 (groups are not supported)');
    expect(decodeError(new Uint8Array(0))).toBe('FeedMessage lacks its required header');
    expect(decodeError(msg(ld(1, vint(3, 5))))).toBe('FeedHeader lacks its required gtfs_realtime_version');
    expect(decodeError(msg(HEADER, ld(2, ld(4, []))))).toBe('FeedEntity #1 lacks its required id');
    expect(decodeError(msg(HEADER, entity('e1', ld(2, f32(2, 10)))))).toBe('Position of entity "e1" lacks its required latitude');
  });

  it('rejects a known field with the wrong wire type', () => {
    expect(decodeError(msg(HEADER, entity('e1', ld(2, [...vint(1, 5), ...f32(2, 10)]))))).toBe('Position: field 1 has wire type 0 (varint), expected 5 (fixed32)');
    expect(decodeError(msg(HEADER, entity('e1', position(1, 2), f32(5, 7))))).toBe('VehiclePosition: field 5 has wire type 5 (fixed32), expected 0 (varint)');
    expect(decodeError(msg(HEADER, entity('e1', position(1, 2), vint(8, 7))))).toBe('VehiclePosition: field 8 has wire type 0 (varint), expected 2 (length-delimited)');
  });
});

// A tiny protobuf encoder for hand-made feeds.
const varint = (value: number): number[] => (value < 128 ? [value] : [(value % 128) | 0x80, ...varint(Math.floor(value / 128))]);
const vint = (field: number, value: number) => [...varint(field * 8), ...varint(value)];
const f32 = (field: number, value: number) => [...varint(field * 8 + 5), ...new Uint8Array(new Float32Array([value]).buffer)];
const ld = (field: number, body: number[]) => [...varint(field * 8 + 2), ...varint(body.length), ...body];
const str = (field: number, text: string) => ld(field, [...new TextEncoder().encode(text)]);
const msg = (...parts: number[][]) => Uint8Array.from(parts.flat());
const HEADER = ld(1, [...str(1, '2.0'), ...vint(3, 1_700_000_000)]);
const entity = (id: string, ...vehicle: number[][]) => ld(2, [...str(1, id), ...ld(4, vehicle.flat())]);
const position = (lat: number, lon: number) => ld(2, [...f32(1, lat), ...f32(2, lon)]);

describe('decodeGtfsRtVehiclePositions mapping rules', () => {
  it('skips entities without a vehicle or without a position', () => {
    const feed = msg(HEADER, ld(2, str(1, 'alert-only')), entity('no-position', str(7, 'S1')), entity('ok', position(1.5, 2.5)));
    expect(decodeGtfsRtVehiclePositions(feed)).toEqual({
      headerTimestampMs: 1_700_000_000_000,
      records: [{ entityId: 'ok', vehicleId: 'ok', latitude: 1.5, longitude: 2.5, timestamp: 1_700_000_000_000 }],
      vehicleTimestampsMs: [undefined],
      withoutPosition: 1,
      withoutVehicle: 1,
    });
  });

  it('maps every field, with floats as float32 values and the status by name', () => {
    const trip = ld(1, [...str(1, 'T1'), ...str(2, '08:15:00'), ...str(3, '20260501'), ...vint(4, 0), ...str(5, 'R9'), ...vint(6, 1)]);
    const descriptor = ld(8, [...str(1, 'V7'), ...str(2, 'Bus 7'), ...str(3, 'ABC123')]);
    const pos = ld(2, [...f32(1, 59.3293), ...f32(2, 18.0686), ...f32(3, 90.5), ...f32(5, 12.3)]);
    const feed = msg(HEADER, entity('e1', trip, descriptor, pos, vint(3, 12), str(7, 'S42'), vint(4, 1), vint(5, 1_700_000_123), vint(9, 2)));
    expect(decodeGtfsRtVehiclePositions(feed).records).toEqual([
      {
        entityId: 'e1', vehicleId: 'V7', vehicleLabel: 'Bus 7', tripId: 'T1', routeId: 'R9', directionId: 1, startDate: '20260501',
        startTime: '08:15:00', latitude: Math.fround(59.3293), longitude: Math.fround(18.0686), bearing: 90.5, speed: Math.fround(12.3),
        currentStopSequence: 12, stopId: 'S42', currentStatus: 'STOPPED_AT', timestamp: 1_700_000_123_000,
      },
    ]);
    expect(Object.keys(decodeGtfsRtVehiclePositions(feed).records[0]!)).toEqual([
      'entityId', 'vehicleId', 'vehicleLabel', 'tripId', 'routeId', 'directionId', 'startDate', 'startTime', 'latitude', 'longitude',
      'bearing', 'speed', 'currentStopSequence', 'stopId', 'currentStatus', 'timestamp',
    ]);
  });

  it('names all three stop statuses and drops an unknown one, as proto2 does', () => {
    const statuses = [0, 1, 2, 3].map((s) => decodeGtfsRtVehiclePositions(msg(HEADER, entity('e', position(0, 0), vint(4, s)))).records[0]!.currentStatus);
    expect(statuses).toEqual(['INCOMING_AT', 'STOPPED_AT', 'IN_TRANSIT_TO', undefined]);
  });

  it('falls back to the header time for a vehicle timestamp of 0, and omits the time when neither is set', () => {
    expect(decodeGtfsRtVehiclePositions(msg(HEADER, entity('e', position(0, 0), vint(5, 0)))).records[0]!.timestamp).toBe(1_700_000_000_000);
    const noTime = decodeGtfsRtVehiclePositions(msg(ld(1, str(1, '2.0')), entity('e', position(0, 0))));
    expect(noTime).toEqual({
      headerTimestampMs: undefined,
      records: [{ entityId: 'e', vehicleId: 'e', latitude: 0, longitude: 0 }],
      vehicleTimestampsMs: [undefined],
      withoutPosition: 0,
      withoutVehicle: 0,
    });
  });

  it('merges a message field that occurs twice, and lets the last scalar win', () => {
    const feed = msg(
      entity('e', ld(2, f32(1, 1)), ld(8, str(1, 'first')), ld(2, f32(2, 2)), ld(8, str(2, 'L')), ld(8, str(1, 'second'))),
      HEADER, // the header may come after the entities
    );
    expect(decodeGtfsRtVehiclePositions(feed).records).toEqual([
      { entityId: 'e', vehicleId: 'second', vehicleLabel: 'L', latitude: 1, longitude: 2, timestamp: 1_700_000_000_000 },
    ]);
  });

  it('skips unknown fields (newer spec fields, extensions) at every level', () => {
    const feed = msg(vint(15, 1), HEADER, ld(2, [...str(1, 'e'), ...ld(4, [...position(1, 2), ...ld(11, [1, 2]), ...vint(10, 55), ...f32(1000, 3)]), ...ld(6, [9])]));
    expect(decodeGtfsRtVehiclePositions(feed).records).toEqual([{ entityId: 'e', vehicleId: 'e', latitude: 1, longitude: 2, timestamp: 1_700_000_000_000 }]);
  });
});
