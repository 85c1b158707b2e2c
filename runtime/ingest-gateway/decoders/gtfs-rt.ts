// GTFS-Realtime vehicle positions (https://gtfs.org/realtime/reference/, gtfs-realtime.proto, proto2): one
// FeedMessage → one raw record per entity that has a vehicle with a position; other entities are skipped.
// Optional values that are absent (or empty strings) are left out of the record, never null.
import { DecodeError } from './decode-error.ts';
import { WireReader } from './protobuf-wire.ts';

export interface GtfsRtVehiclePositions {
  /** FeedHeader.timestamp in epoch ms, when set (and not 0). */
  headerTimestampMs: number | undefined;
  records: Record<string, unknown>[];
  /** Per record (same index): the vehicle's own timestamp in epoch ms, undefined when it only has the header's. */
  vehicleTimestampsMs: (number | undefined)[];
  /** Entities with a vehicle but no position: skipped. */
  withoutPosition: number;
  /** Entities without a vehicle (trip updates, alerts in a mixed feed): skipped. */
  withoutVehicle: number;
}

// VehiclePosition.VehicleStopStatus by number; other numbers are unknown enum values, which proto2 drops.
const STOP_STATUS = ['INCOMING_AT', 'STOPPED_AT', 'IN_TRANSIT_TO'];

interface Header {
  version?: string;
  timestamp?: number;
}

interface Trip {
  tripId?: string;
  routeId?: string;
  directionId?: number;
  startTime?: string;
  startDate?: string;
}

interface Descriptor {
  id?: string;
  label?: string;
}

interface Position {
  latitude?: number;
  longitude?: number;
  bearing?: number;
  speed?: number;
}

interface Vehicle {
  trip: Trip;
  descriptor: Descriptor;
  position?: Position;
  currentStopSequence?: number;
  stopId?: string;
  currentStatus?: number;
  timestamp?: number;
}

interface Entity {
  id?: string;
  vehicle?: Vehicle;
}

// Each readX fills `into`, so a message field that occurs twice is merged as protobuf requires.

function readHeader(r: WireReader, into: Header): void {
  while (r.next() !== undefined) {
    if (r.field === 1) into.version = r.string();
    else if (r.field === 3) into.timestamp = r.uint64();
    else r.skip();
  }
}

function readTrip(r: WireReader, into: Trip): void {
  while (r.next() !== undefined) {
    switch (r.field) {
      case 1: into.tripId = r.string(); break;
      case 2: into.startTime = r.string(); break;
      case 3: into.startDate = r.string(); break;
      case 5: into.routeId = r.string(); break;
      case 6: into.directionId = r.uint32(); break;
      default: r.skip();
    }
  }
}

function readDescriptor(r: WireReader, into: Descriptor): void {
  while (r.next() !== undefined) {
    if (r.field === 1) into.id = r.string();
    else if (r.field === 2) into.label = r.string();
    else r.skip();
  }
}

function readPosition(r: WireReader, into: Position): void {
  while (r.next() !== undefined) {
    switch (r.field) {
      case 1: into.latitude = r.float(); break;
      case 2: into.longitude = r.float(); break;
      case 3: into.bearing = r.float(); break;
      case 5: into.speed = r.float(); break;
      default: r.skip();
    }
  }
}

function readVehicle(r: WireReader, into: Vehicle): void {
  while (r.next() !== undefined) {
    switch (r.field) {
      case 1: readTrip(r.message('TripDescriptor'), into.trip); break;
      case 2: readPosition(r.message('Position'), (into.position ??= {})); break;
      case 3: into.currentStopSequence = r.uint32(); break;
      case 4: into.currentStatus = r.int32(); break;
      case 5: into.timestamp = r.uint64(); break;
      case 7: into.stopId = r.string(); break;
      case 8: readDescriptor(r.message('VehicleDescriptor'), into.descriptor); break;
      default: r.skip();
    }
  }
}

function readEntity(r: WireReader, into: Entity): void {
  while (r.next() !== undefined) {
    if (r.field === 1) into.id = r.string();
    else if (r.field === 4) readVehicle(r.message('VehiclePosition'), (into.vehicle ??= { trip: {}, descriptor: {} }));
    else r.skip();
  }
}

function toRecord(id: string, vehicle: Vehicle, position: Position, headerTimestamp: number | undefined): Record<string, unknown> {
  const { trip, descriptor } = vehicle;
  if (position.latitude === undefined || position.longitude === undefined) {
    throw new DecodeError(`Position of entity "${id}" lacks its required ${position.latitude === undefined ? 'latitude' : 'longitude'}`);
  }
  const record: Record<string, unknown> = { entityId: id, vehicleId: descriptor.id || id };
  const fields: [string, unknown][] = [
    ['vehicleLabel', descriptor.label || undefined],
    ['tripId', trip.tripId || undefined],
    ['routeId', trip.routeId || undefined],
    ['directionId', trip.directionId],
    ['startDate', trip.startDate || undefined],
    ['startTime', trip.startTime || undefined],
    ['latitude', position.latitude],
    ['longitude', position.longitude],
    ['bearing', position.bearing],
    ['speed', position.speed],
    ['currentStopSequence', vehicle.currentStopSequence],
    ['stopId', vehicle.stopId || undefined],
    ['currentStatus', vehicle.currentStatus === undefined ? undefined : STOP_STATUS[vehicle.currentStatus]],
    // 0 means "not set" in practice (feeds written with proto3 defaults), so it falls back like absence.
    ['timestamp', vehicle.timestamp ? vehicle.timestamp * 1000 : headerTimestamp],
  ];
  for (const [key, value] of fields) if (value !== undefined) record[key] = value;
  return record;
}

/** Decodes one FeedMessage; throws DecodeError when it is not a well-formed one. */
export function decodeGtfsRtVehiclePositions(payload: Uint8Array): GtfsRtVehiclePositions {
  const feed = new WireReader(payload, 'FeedMessage');
  let header: Header | undefined;
  const entities: Entity[] = [];
  while (feed.next() !== undefined) {
    if (feed.field === 1) readHeader(feed.message('FeedHeader'), (header ??= {}));
    else if (feed.field === 2) {
      const entity: Entity = {};
      readEntity(feed.message('FeedEntity'), entity);
      if (entity.id === undefined) throw new DecodeError(`FeedEntity #${entities.length + 1} lacks its required id`);
      entities.push(entity);
    } else feed.skip();
  }
  if (header === undefined) throw new DecodeError('FeedMessage lacks its required header');
  if (header.version === undefined) throw new DecodeError('FeedHeader lacks its required gtfs_realtime_version');
  const headerTimestampMs = header.timestamp ? header.timestamp * 1000 : undefined;
  const decoded: GtfsRtVehiclePositions = { headerTimestampMs, records: [], vehicleTimestampsMs: [], withoutPosition: 0, withoutVehicle: 0 };
  for (const { id, vehicle } of entities) {
    if (!vehicle) decoded.withoutVehicle++;
    else if (!vehicle.position) decoded.withoutPosition++;
    else {
      decoded.records.push(toRecord(id!, vehicle, vehicle.position, headerTimestampMs));
      decoded.vehicleTimestampsMs.push(vehicle.timestamp ? vehicle.timestamp * 1000 : undefined);
    }
  }
  return decoded;
}
