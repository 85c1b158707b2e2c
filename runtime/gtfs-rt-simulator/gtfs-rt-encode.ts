// Encodes a GTFS-Realtime FeedMessage (gtfs-realtime.proto, proto2; field numbers from
// https://gtfs.org/realtime/reference/) of vehicle positions and trip updates. Optional values left undefined
// are not written.
import { WireWriter } from './protobuf-writer.ts';

export interface TripDescriptor {
  tripId?: string;
  routeId?: string;
  directionId?: number;
  /** "HH:MM:SS", may be past 24:00:00. */
  startTime?: string;
  /** "YYYYMMDD". */
  startDate?: string;
}

export interface VehicleDescriptor {
  id?: string;
  label?: string;
}

export const STOP_STATUS = { INCOMING_AT: 0, STOPPED_AT: 1, IN_TRANSIT_TO: 2 } as const;
export type StopStatus = keyof typeof STOP_STATUS;

export interface VehiclePosition {
  trip?: TripDescriptor;
  vehicle?: VehicleDescriptor;
  position?: { latitude: number; longitude: number; bearing?: number; speed?: number };
  currentStopSequence?: number;
  stopId?: string;
  currentStatus?: StopStatus;
  /** POSIX seconds. */
  timestamp?: number;
}

export interface StopTimeEvent {
  delay?: number;
  /** POSIX seconds. */
  time?: number;
}

export interface StopTimeUpdate {
  stopSequence?: number;
  stopId?: string;
  arrival?: StopTimeEvent;
  departure?: StopTimeEvent;
}

export interface TripUpdate {
  trip: TripDescriptor;
  vehicle?: VehicleDescriptor;
  stopTimeUpdates: StopTimeUpdate[];
  timestamp?: number;
  delay?: number;
}

export interface FeedEntity {
  id: string;
  vehicle?: VehiclePosition;
  tripUpdate?: TripUpdate;
}

export interface FeedMessage {
  /** FeedHeader.timestamp, POSIX seconds. */
  timestamp: number;
  entities: FeedEntity[];
}

const GTFS_REALTIME_VERSION = '2.0';

function writeTrip(w: WireWriter, trip: TripDescriptor): void {
  if (trip.tripId !== undefined) w.string(1, trip.tripId);
  if (trip.startTime !== undefined) w.string(2, trip.startTime);
  if (trip.startDate !== undefined) w.string(3, trip.startDate);
  if (trip.routeId !== undefined) w.string(5, trip.routeId);
  if (trip.directionId !== undefined) w.uint(6, trip.directionId);
}

function writeVehicleDescriptor(w: WireWriter, vehicle: VehicleDescriptor): void {
  if (vehicle.id !== undefined) w.string(1, vehicle.id);
  if (vehicle.label !== undefined) w.string(2, vehicle.label);
}

function writeVehiclePosition(w: WireWriter, v: VehiclePosition): void {
  if (v.trip) w.message(1, (t) => writeTrip(t, v.trip!));
  if (v.position) {
    const p = v.position;
    w.message(2, (m) => {
      m.float(1, p.latitude).float(2, p.longitude);
      if (p.bearing !== undefined) m.float(3, p.bearing);
      if (p.speed !== undefined) m.float(5, p.speed);
    });
  }
  if (v.currentStopSequence !== undefined) w.uint(3, v.currentStopSequence);
  if (v.currentStatus !== undefined) w.int32(4, STOP_STATUS[v.currentStatus]);
  if (v.timestamp !== undefined) w.uint(5, v.timestamp);
  if (v.stopId !== undefined) w.string(7, v.stopId);
  if (v.vehicle) w.message(8, (d) => writeVehicleDescriptor(d, v.vehicle!));
}

function writeStopTimeEvent(w: WireWriter, e: StopTimeEvent): void {
  if (e.delay !== undefined) w.int32(1, e.delay);
  if (e.time !== undefined) w.uint(2, e.time);
}

function writeTripUpdate(w: WireWriter, u: TripUpdate): void {
  w.message(1, (t) => writeTrip(t, u.trip));
  for (const s of u.stopTimeUpdates) {
    w.message(2, (m) => {
      if (s.stopSequence !== undefined) m.uint(1, s.stopSequence);
      if (s.arrival) m.message(2, (e) => writeStopTimeEvent(e, s.arrival!));
      if (s.departure) m.message(3, (e) => writeStopTimeEvent(e, s.departure!));
      if (s.stopId !== undefined) m.string(4, s.stopId);
    });
  }
  if (u.vehicle) w.message(3, (d) => writeVehicleDescriptor(d, u.vehicle!));
  if (u.timestamp !== undefined) w.uint(4, u.timestamp);
  if (u.delay !== undefined) w.int32(5, u.delay);
}

/** The FeedMessage's bytes: header (version 2.0, FULL_DATASET, timestamp), then the entities in order. */
export function encodeFeedMessage(feed: FeedMessage): Uint8Array {
  const w = new WireWriter();
  w.message(1, (h) => h.string(1, GTFS_REALTIME_VERSION).uint(2, 0).uint(3, feed.timestamp));
  for (const entity of feed.entities) {
    w.message(2, (e) => {
      e.string(1, entity.id);
      if (entity.tripUpdate) e.message(3, (m) => writeTripUpdate(m, entity.tripUpdate!));
      if (entity.vehicle) e.message(4, (m) => writeVehiclePosition(m, entity.vehicle!));
    });
  }
  return w.finish();
}
