// GTFS-Realtime trip updates (gtfs-realtime.proto, proto2): one FeedMessage → one raw record per
// StopTimeUpdate of each TripUpdate, carrying its trip's descriptor, so a stream job can join predictions to
// stops. Optional values that are absent (or empty strings) are left out of the record, never null.
import { DecodeError } from './decode-error.ts';
import { WireReader } from './protobuf-wire.ts';

export interface GtfsRtTripUpdate {
  entityId: string;
  /** TripDescriptor.trip_id, undefined when absent or empty. */
  tripId: string | undefined;
  startDate: string | undefined;
  /** TripUpdate.timestamp in epoch ms, undefined when absent or 0. */
  timestampMs: number | undefined;
  /** One record per StopTimeUpdate. */
  records: Record<string, unknown>[];
}

export interface GtfsRtTripUpdates {
  headerTimestampMs: number | undefined;
  tripUpdates: GtfsRtTripUpdate[];
  /** Entities without a trip update (vehicle positions, alerts in a mixed feed): skipped. */
  withoutTripUpdate: number;
}

const TRIP_RELATIONSHIP: Record<number, string> = { 0: 'SCHEDULED', 1: 'ADDED', 2: 'UNSCHEDULED', 3: 'CANCELED', 5: 'REPLACEMENT', 6: 'DUPLICATED', 7: 'DELETED' };
const STOP_RELATIONSHIP: Record<number, string> = { 0: 'SCHEDULED', 1: 'SKIPPED', 2: 'NO_DATA', 3: 'UNSCHEDULED' };

type Fields = Record<string, string | number | undefined>;

function readFields(r: WireReader, into: Fields, strings: Record<number, string>, numbers: Record<number, [string, 'uint' | 'int']>): void {
  while (r.next() !== undefined) {
    const text = strings[r.field];
    const number = numbers[r.field];
    if (text) into[text] = r.string();
    else if (number) into[number[0]] = number[1] === 'uint' ? r.uint64() : r.int32();
    else r.skip();
  }
}

const readTrip = (r: WireReader, into: Fields) =>
  readFields(r, into, { 1: 'tripId', 2: 'startTime', 3: 'startDate', 5: 'routeId' }, { 4: ['scheduleRelationship', 'int'], 6: ['directionId', 'uint'] });

/** StopTimeEvent.time is int64; times before 1970 do not occur in feeds, so it is read as unsigned. */
const readEvent = (r: WireReader, into: Fields, prefix: string) =>
  readFields(r, into, {}, { 1: [`${prefix}Delay`, 'int'], 2: [`${prefix}Time`, 'uint'], 3: [`${prefix}Uncertainty`, 'int'] });

function readStopTimeUpdate(r: WireReader): Fields {
  const update: Fields = {};
  while (r.next() !== undefined) {
    switch (r.field) {
      case 1: update.stopSequence = r.uint32(); break;
      case 2: readEvent(r.message('StopTimeEvent'), update, 'arrival'); break;
      case 3: readEvent(r.message('StopTimeEvent'), update, 'departure'); break;
      case 4: update.stopId = r.string(); break;
      case 5: update.stopScheduleRelationship = r.int32(); break;
      default: r.skip();
    }
  }
  return update;
}

interface TripUpdate {
  trip: Fields;
  vehicle: Fields;
  stopTimeUpdates: Fields[];
  timestamp?: number;
  delay?: number;
}

function readTripUpdate(r: WireReader, into: TripUpdate): void {
  while (r.next() !== undefined) {
    switch (r.field) {
      case 1: readTrip(r.message('TripDescriptor'), into.trip); break;
      case 2: into.stopTimeUpdates.push(readStopTimeUpdate(r.message('StopTimeUpdate'))); break;
      case 3: readFields(r.message('VehicleDescriptor'), into.vehicle, { 1: 'vehicleId', 2: 'vehicleLabel' }, {}); break;
      case 4: into.timestamp = r.uint64(); break;
      case 5: into.delay = r.int32(); break;
      default: r.skip();
    }
  }
}

const nonEmpty = (v: string | number | undefined) => (v === '' ? undefined : v);

function toRecords(entityId: string, u: TripUpdate, timestampMs: number | undefined): Record<string, unknown>[] {
  const trip = u.trip;
  const common: [string, unknown][] = [
    ['entityId', entityId],
    ['tripId', nonEmpty(trip.tripId)],
    ['routeId', nonEmpty(trip.routeId)],
    ['directionId', trip.directionId],
    ['startDate', nonEmpty(trip.startDate)],
    ['startTime', nonEmpty(trip.startTime)],
    ['scheduleRelationship', trip.scheduleRelationship === undefined ? undefined : TRIP_RELATIONSHIP[trip.scheduleRelationship as number]],
    ['vehicleId', nonEmpty(u.vehicle.vehicleId)],
    ['vehicleLabel', nonEmpty(u.vehicle.vehicleLabel)],
    ['tripDelay', u.delay],
  ];
  return u.stopTimeUpdates.map((s) => {
    const entries: [string, unknown][] = [
      ...common,
      ['stopSequence', s.stopSequence],
      ['stopId', nonEmpty(s.stopId)],
      ['arrivalDelay', s.arrivalDelay],
      ['arrivalTime', s.arrivalTime ? (s.arrivalTime as number) * 1000 : undefined],
      ['arrivalUncertainty', s.arrivalUncertainty],
      ['departureDelay', s.departureDelay],
      ['departureTime', s.departureTime ? (s.departureTime as number) * 1000 : undefined],
      ['departureUncertainty', s.departureUncertainty],
      ['stopScheduleRelationship', s.stopScheduleRelationship === undefined ? undefined : STOP_RELATIONSHIP[s.stopScheduleRelationship as number]],
      ['timestamp', timestampMs],
    ];
    return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
  });
}

/** Decodes one FeedMessage of trip updates; throws DecodeError when it is not a well-formed one. */
export function decodeGtfsRtTripUpdates(payload: Uint8Array): GtfsRtTripUpdates {
  const feed = new WireReader(payload, 'FeedMessage');
  let version: string | undefined;
  let headerSeen = false;
  let headerTimestamp: number | undefined;
  const entities: { id?: string; update?: TripUpdate }[] = [];
  while (feed.next() !== undefined) {
    if (feed.field === 1) {
      headerSeen = true;
      const header = feed.message('FeedHeader');
      while (header.next() !== undefined) {
        if (header.field === 1) version = header.string();
        else if (header.field === 3) headerTimestamp = header.uint64();
        else header.skip();
      }
    } else if (feed.field === 2) {
      const entity: { id?: string; update?: TripUpdate } = {};
      const r = feed.message('FeedEntity');
      while (r.next() !== undefined) {
        if (r.field === 1) entity.id = r.string();
        else if (r.field === 3) readTripUpdate(r.message('TripUpdate'), (entity.update ??= { trip: {}, vehicle: {}, stopTimeUpdates: [] }));
        else r.skip();
      }
      if (entity.id === undefined) throw new DecodeError(`FeedEntity #${entities.length + 1} lacks its required id`);
      entities.push(entity);
    } else feed.skip();
  }
  if (!headerSeen) throw new DecodeError('FeedMessage lacks its required header');
  if (version === undefined) throw new DecodeError('FeedHeader lacks its required gtfs_realtime_version');
  const headerTimestampMs = headerTimestamp ? headerTimestamp * 1000 : undefined;
  const decoded: GtfsRtTripUpdates = { headerTimestampMs, tripUpdates: [], withoutTripUpdate: 0 };
  for (const { id, update } of entities) {
    if (!update) {
      decoded.withoutTripUpdate++;
      continue;
    }
    const timestampMs = update.timestamp ? update.timestamp * 1000 : headerTimestampMs;
    decoded.tripUpdates.push({
      entityId: id!,
      tripId: nonEmpty(update.trip.tripId) as string | undefined,
      startDate: nonEmpty(update.trip.startDate) as string | undefined,
      timestampMs: update.timestamp ? update.timestamp * 1000 : undefined,
      records: toRecords(id!, update, timestampMs),
    });
  }
  return decoded;
}
