// The feed the simulator runs, read through runtime/gtfs-static's reader: the synthetic feed's trips exactly
// (stops in stop_sequence order, empty times, a shape in point order, service dates, direction_id), real feeds
// from their zips, and a broken feed as one line naming file, row and field.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/cli.ts';
import { readStaticFeed } from './static-feed.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const GTFS = process.env.IOT_PLATFORM_GTFS_DIR ?? resolve(root, '../shared/reference/data/gtfs');
const FIXTURE = fileURLToPath(new URL('./fixtures/straight-line', import.meta.url));

/** The fixture copied, with one file rewritten. */
function brokenFixture(file: string, edit: (text: string) => string): string {
  const dir = join(tempDir('iotp-gtfs-'), 'straight-line-copy');
  cpSync(FIXTURE, dir, { recursive: true });
  writeFileSync(join(dir, file), edit(readFileSync(join(dir, file), 'utf8')));
  return dir;
}

describe('readStaticFeed', () => {
  it('gives the synthetic feed its trips in trips.txt order with direction_id, stops, shape, frequencies and zone', async () => {
    const { trips } = await readStaticFeed(FIXTURE);
    expect(trips.map((t) => [t.tripId, t.routeId, t.serviceId, t.directionId, t.shapeId, t.timeZone])).toEqual([
      ['T1', 'R1', 'WK', 0, 'SH1', 'America/Los_Angeles'],
      ['NIGHT', 'R1', 'WE', 0, 'SH1', 'America/Los_Angeles'],
      ['F1', 'R1', 'WK', 1, 'SH1', 'America/Los_Angeles'],
      ['NOSHAPE', 'R1', 'WK', 0, null, 'America/Los_Angeles'],
    ]);
    const [t1, night, f1, noShape] = trips;
    // shapes.txt lists SH1's points in reverse order.
    expect(t1!.shape).toEqual([[37, -122], [37.1, -122.1]]);
    expect(noShape!.shape).toEqual([]);
    expect(noShape!.stops).toEqual([
      { stopId: 'S1', stopSequence: 10, lat: 37, lon: -122, arrivalSeconds: 32400, departureSeconds: 32400 },
      { stopId: 'S2', stopSequence: 20, lat: 37.05, lon: -122.05, arrivalSeconds: null, departureSeconds: null },
      { stopId: 'S3', stopSequence: 30, lat: 37.1, lon: -122.1, arrivalSeconds: 33600, departureSeconds: 33600 },
    ]);
    expect(night!.stops.map((s) => s.arrivalSeconds)).toEqual([24.5 * 3600, 25 * 3600]);
    expect(f1!.frequencies).toEqual([{ startSeconds: 21600, endSeconds: 25200, headwaySeconds: 1800, exactTimes: false }]);
  });

  it('gives each trip the dates its service runs: calendar weekdays, plus and minus calendar_dates', async () => {
    const { trips } = await readStaticFeed(FIXTURE);
    const march = (days: number[]) => days.map((d) => `2026-03-${String(d).padStart(2, '0')}`);
    // WK: weekdays of March 2026, Sunday the 8th added, Tuesday the 10th removed.
    expect(trips[0]!.serviceDates).toEqual(march([2, 3, 4, 5, 6, 8, 9, 11, 12, 13, 16, 17, 18, 19, 20, 23, 24, 25, 26, 27, 30, 31]));
    expect(trips[1]!.serviceDates).toEqual(march([1, 7, 8, 14, 15, 21, 22, 28, 29]));
  });

  it.each([
    ['caltrain-2023-11', 176, { 0: 88, 1: 88 }],
    ['sound-transit-2023-05', 734, { 0: 362, 1: 372 }],
    ['usf-bullrunner-2017', 15, { null: 15 }],
  ])('reads %s from its zip: %i trips, direction_id as trips.txt gives it, every stop placed', async (name, count, directions) => {
    const { trips } = await readStaticFeed(join(GTFS, name, 'gtfs.zip'));
    expect(trips.length).toBe(count);
    const byDirection: Record<string, number> = {};
    for (const trip of trips) byDirection[String(trip.directionId)] = (byDirection[String(trip.directionId)] ?? 0) + 1;
    expect(byDirection).toEqual(directions);
    expect(trips.filter((t) => t.stops.length < 2 || t.stops.some((s) => s.lat === null || s.lon === null))).toEqual([]);
  });

  it.each([
    ['stop_times.txt', (t: string) => t.replace('08:10:00,08:11:00', '8:1:00,08:11:00'), 'stop_times.txt:3 field arrival_time: "8:1:00" is not a GTFS time; write H:MM:SS or HH:MM:SS since noon minus 12 h of the service day (past midnight: 25:10:00)'],
    ['stops.txt', (t: string) => t.replace('37.05,-122.05', '97.05,-122.05'), 'stops.txt:3 field stop_lat: "97.05" is not a latitude; write decimal degrees from -90 to 90 (WGS 84)'],
    ['agency.txt', (t: string) => t.replace('America/Los_Angeles', 'Mars/Base'), 'agency.txt:2 field agency_timezone: "Mars/Base" is not an IANA time zone; use a tz database name like America/Los_Angeles'],
    ['trips.txt', (t: string) => t.replace('R1,WK,T1', 'R9,WK,T1'), 'trips.txt:2 field route_id: "R9" is not a route_id of routes.txt; add the route to routes.txt or fix the id'],
    ['calendar_dates.txt', (t: string) => t.replace('20260310,2', '20260310,3'), 'calendar_dates.txt:2 field exception_type: "3" is not one of 1, 2; use one of the values the GTFS reference lists for this field'],
  ])('names the row and field of a broken %s', async (file, edit, message) => {
    await expect(readStaticFeed(brokenFixture(file, edit))).rejects.toHaveProperty('message', message);
  });

  it('rejects a trip calling at a stop without a position, naming the stop_times row', async () => {
    const dir = brokenFixture('stops.txt', () => 'stop_id,stop_lat,stop_lon,location_type\nS1,37.0,-122.0,0\nS2,,,3\nS3,37.1,-122.1,0\n');
    await expect(readStaticFeed(dir)).rejects.toHaveProperty(
      'message',
      'stop_times.txt:3 field stop_id: "S2" has no stop_lat and stop_lon in stops.txt; call at stops with a position (location_type 0)',
    );
  });

  it('rejects what is not a zip archive', async () => {
    const file = join(tempDir('iotp-gtfs-'), 'feed.zip');
    writeFileSync(file, 'not a zip');
    await expect(readStaticFeed(file)).rejects.toHaveProperty(
      'message',
      'feed.zip: not a zip archive (too short); give a GTFS .zip (deflate or stored) or a folder of its .txt files',
    );
  });
});
