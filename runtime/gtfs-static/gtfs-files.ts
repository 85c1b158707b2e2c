// The GTFS files the loader reads, in the order it reads them (every file after the ones it refers to),
// with the fields it keeps, their types and each table's primary key. Other files and fields are ignored.
import type { FieldType } from './field-types.ts';

export interface FieldSpec {
  name: string;
  type: FieldType;
  /** The column must be in the header and every row must give a value. */
  required?: boolean;
}

export interface FileSpec {
  file: string;
  table: string;
  fields: readonly FieldSpec[];
  /** Fields whose values identify a row; a repeat is an error. Empty: rows are numbered instead. */
  primaryKey: readonly string[];
  required: boolean;
}

const f = (name: string, type: FieldType, required = false): FieldSpec => ({ name, type, required });
const zeroTo = (max: number) => ({ oneOf: Array.from({ length: max + 1 }, (_, i) => i) });

export const GTFS_FILES: readonly FileSpec[] = [
  {
    file: 'agency.txt',
    table: 'agency',
    required: true,
    primaryKey: ['agency_id'],
    fields: [
      f('agency_id', 'id'),
      f('agency_name', 'text', true),
      f('agency_url', 'text', true),
      f('agency_timezone', 'timezone', true),
      f('agency_lang', 'text'),
      f('agency_phone', 'text'),
      f('agency_fare_url', 'text'),
      f('agency_email', 'text'),
    ],
  },
  {
    file: 'calendar.txt',
    table: 'calendar',
    required: false,
    primaryKey: ['service_id'],
    fields: [
      f('service_id', 'id', true),
      ...['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((day) => f(day, 'flag', true)),
      f('start_date', 'date', true),
      f('end_date', 'date', true),
    ],
  },
  {
    file: 'calendar_dates.txt',
    table: 'calendar_dates',
    required: false,
    primaryKey: ['service_id', 'date'],
    fields: [f('service_id', 'id', true), f('date', 'date', true), f('exception_type', { oneOf: [1, 2] }, true)],
  },
  {
    file: 'stops.txt',
    table: 'stops',
    required: true,
    primaryKey: ['stop_id'],
    fields: [
      f('stop_id', 'id', true),
      f('stop_code', 'text'),
      f('stop_name', 'text'),
      f('stop_desc', 'text'),
      f('stop_lat', 'lat'),
      f('stop_lon', 'lon'),
      f('zone_id', 'text'),
      f('stop_url', 'text'),
      f('location_type', zeroTo(4)),
      f('parent_station', 'id'),
      f('stop_timezone', 'timezone'),
      f('wheelchair_boarding', zeroTo(2)),
      f('level_id', 'id'),
      f('platform_code', 'text'),
    ],
  },
  {
    file: 'routes.txt',
    table: 'routes',
    required: true,
    primaryKey: ['route_id'],
    fields: [
      f('route_id', 'id', true),
      f('agency_id', 'id'),
      f('route_short_name', 'text'),
      f('route_long_name', 'text'),
      f('route_desc', 'text'),
      // The basic types 0–12 and the extended (Hierarchical Vehicle Type) codes 100–1799.
      f('route_type', { intRange: [0, 1799] }, true),
      f('route_url', 'text'),
      f('route_color', 'text'),
      f('route_text_color', 'text'),
      f('route_sort_order', 'nonNegativeInt'),
      f('continuous_pickup', zeroTo(3)),
      f('continuous_drop_off', zeroTo(3)),
    ],
  },
  {
    file: 'shapes.txt',
    table: 'shapes',
    required: false,
    primaryKey: ['shape_id', 'shape_pt_sequence'],
    fields: [
      f('shape_id', 'id', true),
      f('shape_pt_lat', 'lat', true),
      f('shape_pt_lon', 'lon', true),
      f('shape_pt_sequence', 'nonNegativeInt', true),
      f('shape_dist_traveled', 'nonNegativeFloat'),
    ],
  },
  {
    file: 'trips.txt',
    table: 'trips',
    required: true,
    primaryKey: ['trip_id'],
    fields: [
      f('route_id', 'id', true),
      f('service_id', 'id', true),
      f('trip_id', 'id', true),
      f('trip_headsign', 'text'),
      f('trip_short_name', 'text'),
      f('direction_id', zeroTo(1)),
      f('block_id', 'id'),
      f('shape_id', 'id'),
      f('wheelchair_accessible', zeroTo(2)),
      f('bikes_allowed', zeroTo(2)),
    ],
  },
  {
    file: 'stop_times.txt',
    table: 'stop_times',
    required: true,
    primaryKey: ['trip_id', 'stop_sequence'],
    fields: [
      f('trip_id', 'id', true),
      f('arrival_time', 'time'),
      f('departure_time', 'time'),
      f('stop_id', 'id', true),
      f('stop_sequence', 'nonNegativeInt', true),
      f('stop_headsign', 'text'),
      f('pickup_type', zeroTo(3)),
      f('drop_off_type', zeroTo(3)),
      f('continuous_pickup', zeroTo(3)),
      f('continuous_drop_off', zeroTo(3)),
      f('shape_dist_traveled', 'nonNegativeFloat'),
      f('timepoint', zeroTo(1)),
    ],
  },
  {
    file: 'frequencies.txt',
    table: 'frequencies',
    required: false,
    primaryKey: ['trip_id', 'start_time'],
    fields: [
      f('trip_id', 'id', true),
      f('start_time', 'time', true),
      f('end_time', 'time', true),
      f('headway_secs', 'positiveInt', true),
      f('exact_times', zeroTo(1)),
    ],
  },
  {
    file: 'feed_info.txt',
    table: 'feed_info',
    required: false,
    primaryKey: [],
    fields: [
      f('feed_publisher_name', 'text', true),
      f('feed_publisher_url', 'text', true),
      f('feed_lang', 'text', true),
      f('default_lang', 'text'),
      f('feed_start_date', 'date'),
      f('feed_end_date', 'date'),
      f('feed_version', 'text'),
      f('feed_contact_email', 'text'),
      f('feed_contact_url', 'text'),
    ],
  },
];

export const specOf = (file: string): FileSpec => GTFS_FILES.find((s) => s.file === file)!;
