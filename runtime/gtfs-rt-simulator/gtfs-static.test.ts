// The simulator's minimal static GTFS reader: a real feed read from its .zip and from its unpacked folder gives
// the same model; CSV quoting; a broken feed is one line naming file, line and field.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/cli.ts';
import { parseCsv } from './csv.ts';
import { readStaticFeed } from './gtfs-static.ts';
import { readZip } from './zip-reader.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const GTFS = process.env.IOT_PLATFORM_GTFS_DIR ?? resolve(root, '../shared/reference/data/gtfs');
const FIXTURE = fileURLToPath(new URL('./fixtures/straight-line', import.meta.url));

describe('readStaticFeed', () => {
  it.each(['caltrain-2023-11', 'sound-transit-2023-05'])('reads %s alike from its zip and its folder', (name) => {
    const fromZip = readStaticFeed(join(GTFS, name, 'gtfs.zip'));
    const fromFolder = readStaticFeed(join(GTFS, name, 'gtfs'));
    expect(fromZip).toEqual(fromFolder);
    expect(fromZip.trips.length).toBeGreaterThan(50);
    expect(fromZip.trips.every((t) => t.stopTimes.length >= 2)).toBe(true);
  });

  it('types the synthetic feed: sorted shapes and stop times, empty times, exceptions, frequencies', () => {
    const feed = readStaticFeed(FIXTURE);
    expect(feed.agencyTimeZones).toEqual(new Map([['A', 'America/Los_Angeles']]));
    expect(feed.shapes.get('SH1')).toEqual([[37, -122], [37.1, -122.1]]);
    expect(feed.trips.find((t) => t.tripId === 'NOSHAPE')!.stopTimes.map((s) => [s.stopSequence, s.arrival])).toEqual([[10, 32400], [20, undefined], [30, 33600]]);
    expect(feed.trips.find((t) => t.tripId === 'NIGHT')!.stopTimes[1]!.arrival).toBe(25 * 3600);
    expect(feed.calendarDates.get('WK')).toEqual(new Map([['20260310', 2], ['20260308', 1]]));
    expect(feed.frequencies.get('F1')).toEqual([{ startSeconds: 21600, endSeconds: 25200, headwaySeconds: 1800, exactTimes: false }]);
  });

  it.each([
    ['stop_times.txt', (t: string) => t.replace('08:10:00,08:11:00', '8:1:00,08:11:00'), /straight-line-copy\/stop_times\.txt:3: arrival_time = "8:1:00" is not a time H:MM:SS$/],
    ['stops.txt', (t: string) => t.replace('37.05,-122.05', '97.05,-122.05'), /stops\.txt:3: stop_lat = "97\.05" is not a number in \[-90, 90\]$/],
    ['agency.txt', (t: string) => t.replace('America/Los_Angeles', 'Mars/Base'), /agency\.txt:2: agency_timezone = "Mars\/Base" is not an IANA time zone$/],
    ['trips.txt', (t: string) => t.replace('R1,WK,T1', 'R9,WK,T1'), /trips\.txt:2: route_id = "R9" is not in routes\.txt$/],
    ['calendar_dates.txt', (t: string) => t.replace('20260310,2', '20260310,3'), /calendar_dates\.txt:2: exception_type = 3 must be 1 \(added\) or 2 \(removed\)$/],
  ])('names the line and field of a broken %s', (file, edit, message) => {
    const dir = join(tempDir('iotp-gtfs-'), 'straight-line-copy');
    cpSync(FIXTURE, dir, { recursive: true });
    const path = join(dir, file);
    writeFileSync(path, edit(readFileSync(path, 'utf8')));
    expect(() => readStaticFeed(dir)).toThrow(message);
  });

  it('rejects what is not a zip archive', () => {
    const file = join(tempDir('iotp-gtfs-'), 'feed.zip');
    writeFileSync(file, 'not a zip');
    expect(() => readStaticFeed(file)).toThrow(/feed\.zip: not a zip archive \(no end of central directory\); pass a GTFS \.zip or a folder of \.txt files$/);
    expect(readZip(readFileSync(join(GTFS, 'caltrain-2023-11/gtfs.zip')), 'x').get('agency.txt')!.toString()).toBe(readFileSync(join(GTFS, 'caltrain-2023-11/gtfs/agency.txt'), 'utf8'));
  });
});

describe('parseCsv', () => {
  it('handles a BOM, quotes, doubled quotes, line breaks in quotes, CRLF and a missing last newline', () => {
    expect(parseCsv('\ufeffa, b ,c\r\n1,"x, ""y""\nz",\r\n2,3,4')).toEqual([
      { a: '1', b: 'x, "y"\nz', c: '' },
      { a: '2', b: '3', c: '4' },
    ]);
    expect(parseCsv('a,b\n\n1,2\n')).toEqual([{ a: '1', b: '2' }]);
  });
});
