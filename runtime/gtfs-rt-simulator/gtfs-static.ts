// A minimal reader of a static GTFS feed (https://gtfs.org/schedule/reference/), a .zip or a folder: the files the
// simulator needs (agency, routes, stops, trips, stop_times, shapes, calendar, calendar_dates, frequencies), typed
// and checked. Kept on its own so that the platform's full GTFS loader can take its place.
// A broken feed throws one line naming the file, the line and the field.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseCsv } from './csv.ts';
import { readZip } from './zip-reader.ts';

export interface StopTime {
  stopId: string;
  stopSequence: number;
  /** GTFS seconds since "noon minus 12 h" (may be ≥ 86400); undefined when the feed leaves it empty. */
  arrival: number | undefined;
  departure: number | undefined;
}

export interface Trip {
  tripId: string;
  routeId: string;
  serviceId: string;
  directionId: number | undefined;
  shapeId: string | undefined;
  /** In stop_sequence order. */
  stopTimes: StopTime[];
}

export interface Frequency {
  startSeconds: number;
  endSeconds: number;
  headwaySeconds: number;
  exactTimes: boolean;
}

export interface ServiceCalendar {
  /** Monday first. */
  weekdays: boolean[];
  startDate: string;
  endDate: string;
}

export interface StaticFeed {
  /** agency_id ('' for a feed's only agency without an id) → agency_timezone. */
  agencyTimeZones: Map<string, string>;
  /** route_id → agency_id. */
  routeAgencies: Map<string, string>;
  stops: Map<string, { lat: number; lon: number }>;
  trips: Trip[];
  /** shape_id → points [lat, lon] in shape_pt_sequence order. */
  shapes: Map<string, [number, number][]>;
  calendars: Map<string, ServiceCalendar>;
  /** service_id → date (YYYYMMDD) → exception_type (1 added, 2 removed). */
  calendarDates: Map<string, Map<string, 1 | 2>>;
  frequencies: Map<string, Frequency[]>;
}

const REQUIRED = ['agency.txt', 'routes.txt', 'stops.txt', 'trips.txt', 'stop_times.txt'];

class Rows {
  readonly rows: Record<string, string>[];
  readonly #where: string;
  constructor(where: string, text: string | undefined) {
    this.#where = where;
    this.rows = text === undefined ? [] : parseCsv(text);
  }

  /** Calls `each` with a reader of every row's fields. */
  each(each: (field: FieldReader) => void): void {
    this.rows.forEach((row, i) => each(new FieldReader(row, `${this.#where}:${i + 2}`)));
  }
}

class FieldReader {
  readonly #row: Record<string, string>;
  readonly #where: string;
  constructor(row: Record<string, string>, where: string) {
    this.#row = row;
    this.#where = where;
  }

  fail(field: string, problem: string): never {
    throw new Error(`${this.#where}: ${field} ${problem}`);
  }

  optional(field: string): string | undefined {
    const value = this.#row[field]?.trim();
    return value === '' || value === undefined ? undefined : value;
  }

  text(field: string): string {
    return this.optional(field) ?? this.fail(field, 'is missing; fill it in');
  }

  number(field: string, min = -Infinity, max = Infinity): number {
    const value = Number(this.text(field));
    if (!Number.isFinite(value) || value < min || value > max) this.fail(field, `= "${this.text(field)}" is not a number in [${min}, ${max}]`);
    return value;
  }

  integer(field: string, min = 0): number {
    const value = this.number(field, min);
    if (!Number.isInteger(value)) this.fail(field, `= "${this.text(field)}" is not a whole number`);
    return value;
  }

  date(field: string): string {
    const value = this.text(field);
    if (!/^\d{8}$/.test(value)) this.fail(field, `= "${value}" is not a date YYYYMMDD`);
    return value;
  }

  time(field: string): number | undefined {
    const value = this.optional(field);
    if (value === undefined) return undefined;
    const match = /^(\d{1,3}):([0-5]\d):([0-5]\d)$/.exec(value);
    if (!match) this.fail(field, `= "${value}" is not a time H:MM:SS`);
    return Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]);
  }
}

function readFiles(path: string): { where: string; files: Map<string, string> } {
  if (!existsSync(path)) throw new Error(`${path}: not found; pass a GTFS .zip or a folder of GTFS .txt files`);
  const files = new Map<string, string>();
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path)) if (name.endsWith('.txt')) files.set(name, readFileSync(join(path, name), 'utf8'));
    return { where: path, files };
  }
  for (const [name, content] of readZip(readFileSync(path), path)) {
    // Feeds zipped with their folder keep the .txt files one level down.
    if (name.endsWith('.txt')) files.set(basename(name), content.toString('utf8'));
  }
  return { where: path, files };
}

export function readStaticFeed(path: string): StaticFeed {
  const { where, files } = readFiles(path);
  for (const name of REQUIRED) if (!files.has(name)) throw new Error(`${where}: ${name} is missing; a GTFS feed needs ${REQUIRED.join(', ')}`);
  if (!files.has('calendar.txt') && !files.has('calendar_dates.txt')) {
    throw new Error(`${where}: calendar.txt and calendar_dates.txt are both missing; a GTFS feed needs at least one`);
  }
  const rows = (name: string) => new Rows(`${where}/${name}`, files.get(name));

  const agencyTimeZones = new Map<string, string>();
  rows('agency.txt').each((f) => {
    const zone = f.text('agency_timezone');
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
    } catch {
      f.fail('agency_timezone', `= "${zone}" is not an IANA time zone`);
    }
    agencyTimeZones.set(f.optional('agency_id') ?? '', zone);
  });

  const routeAgencies = new Map<string, string>();
  rows('routes.txt').each((f) => routeAgencies.set(f.text('route_id'), f.optional('agency_id') ?? ''));

  const stops = new Map<string, { lat: number; lon: number }>();
  rows('stops.txt').each((f) => {
    // Stations, entrances and nodes may lack a position; only stops where trips call matter here.
    const lat = f.optional('stop_lat');
    if (lat === undefined) return;
    stops.set(f.text('stop_id'), { lat: f.number('stop_lat', -90, 90), lon: f.number('stop_lon', -180, 180) });
  });

  const stopTimes = new Map<string, StopTime[]>();
  rows('stop_times.txt').each((f) => {
    const tripId = f.text('trip_id');
    const stopId = f.text('stop_id');
    if (!stops.has(stopId)) f.fail('stop_id', `= "${stopId}" is not a stop with a position in stops.txt`);
    const list = stopTimes.get(tripId) ?? [];
    stopTimes.set(tripId, list);
    list.push({ stopId, stopSequence: f.integer('stop_sequence'), arrival: f.time('arrival_time'), departure: f.time('departure_time') });
  });

  const trips: Trip[] = [];
  rows('trips.txt').each((f) => {
    const tripId = f.text('trip_id');
    const routeId = f.text('route_id');
    if (!routeAgencies.has(routeId)) f.fail('route_id', `= "${routeId}" is not in routes.txt`);
    const list = (stopTimes.get(tripId) ?? []).sort((a, b) => a.stopSequence - b.stopSequence);
    if (list.length < 2) return; // a trip that calls at fewer than two stops cannot move
    const direction = f.optional('direction_id');
    trips.push({
      tripId,
      routeId,
      serviceId: f.text('service_id'),
      directionId: direction === undefined ? undefined : f.integer('direction_id'),
      shapeId: f.optional('shape_id'),
      stopTimes: list,
    });
  });

  const points = new Map<string, { seq: number; point: [number, number] }[]>();
  rows('shapes.txt').each((f) => {
    const id = f.text('shape_id');
    const list = points.get(id) ?? [];
    points.set(id, list);
    list.push({ seq: f.integer('shape_pt_sequence'), point: [f.number('shape_pt_lat', -90, 90), f.number('shape_pt_lon', -180, 180)] });
  });
  const shapes = new Map([...points].map(([id, list]) => [id, list.sort((a, b) => a.seq - b.seq).map((p) => p.point)]));

  const calendars = new Map<string, ServiceCalendar>();
  rows('calendar.txt').each((f) => {
    const weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((day) => f.integer(day) === 1);
    calendars.set(f.text('service_id'), { weekdays, startDate: f.date('start_date'), endDate: f.date('end_date') });
  });

  const calendarDates = new Map<string, Map<string, 1 | 2>>();
  rows('calendar_dates.txt').each((f) => {
    const type = f.integer('exception_type');
    if (type !== 1 && type !== 2) f.fail('exception_type', `= ${type} must be 1 (added) or 2 (removed)`);
    const id = f.text('service_id');
    const dates = calendarDates.get(id) ?? new Map<string, 1 | 2>();
    calendarDates.set(id, dates);
    dates.set(f.date('date'), type as 1 | 2);
  });

  const frequencies = new Map<string, Frequency[]>();
  rows('frequencies.txt').each((f) => {
    const startSeconds = f.time('start_time') ?? f.fail('start_time', 'is missing; fill it in');
    const endSeconds = f.time('end_time') ?? f.fail('end_time', 'is missing; fill it in');
    const list = frequencies.get(f.text('trip_id')) ?? [];
    frequencies.set(f.text('trip_id'), list);
    list.push({ startSeconds, endSeconds, headwaySeconds: f.integer('headway_secs', 1), exactTimes: f.optional('exact_times') === '1' });
  });

  return { agencyTimeZones, routeAgencies, stops, trips, shapes, calendars, calendarDates, frequencies };
}
