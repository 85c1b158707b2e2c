// Vehicles now: the hashes the Redis sink writes per vehicle (state, and its last arrival). Lists use SCAN (never
// KEYS) and one pipelined HGETALL per page of keys.
import type { Redis } from 'ioredis';
import type { VehicleKeys } from './keys.ts';
import { punctuality, type Punctuality } from './punctuality.ts';

type Hash = Record<string, string>;

export interface LastArrival {
  tripId: string;
  serviceDate: string | null;
  stopId: string | null;
  stopSequence: number | null;
  arrivalTime: string | null;
  scheduledArrivalTime: string | null;
  delaySeconds: number | null;
  onTime: boolean | null;
}

export interface Vehicle {
  vehicleId: string;
  label: string | null;
  tripId: string | null;
  routeId: string | null;
  directionId: number | null;
  startDate: string | null;
  latitude: number | null;
  longitude: number | null;
  bearing: number | null;
  speed: number | null;
  stopId: string | null;
  currentStopSequence: number | null;
  currentStatus: string | null;
  positionTime: string | null;
  /** The last arrival detected on the vehicle's current trip; null when none (or only one of an earlier trip). */
  lastArrival: LastArrival | null;
  delaySeconds: number | null;
  onTime: boolean | null;
  punctuality: Punctuality;
}

const text = (hash: Hash, name: string): string | null => (hash[name] !== undefined && hash[name] !== '' ? hash[name]! : null);

function num(hash: Hash, name: string): number | null {
  const value = text(hash, name);
  if (value === null) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function bool(hash: Hash, name: string): boolean | null {
  const value = text(hash, name)?.toLowerCase();
  return value === 'true' ? true : value === 'false' ? false : null;
}

function isoFromMs(hash: Hash, name: string): string | null {
  const ms = num(hash, name);
  return ms === null ? null : new Date(ms).toISOString();
}

export function toLastArrival(hash: Hash): LastArrival | null {
  const tripId = text(hash, 'trip_id');
  if (tripId === null) return null;
  return {
    tripId,
    serviceDate: text(hash, 'service_date'),
    stopId: text(hash, 'stop_id'),
    stopSequence: num(hash, 'stop_sequence'),
    arrivalTime: isoFromMs(hash, 'arrival_time_ms'),
    scheduledArrivalTime: isoFromMs(hash, 'scheduled_arrival_time_ms'),
    delaySeconds: num(hash, 'delay_seconds'),
    onTime: bool(hash, 'on_time'),
  };
}

export function toVehicle(vehicleId: string, state: Hash, arrivalHash: Hash): Vehicle {
  const tripId = text(state, 'trip_id');
  const arrival = toLastArrival(arrivalHash);
  const lastArrival = arrival !== null && tripId !== null && arrival.tripId === tripId ? arrival : null;
  const delaySeconds = lastArrival?.delaySeconds ?? null;
  const onTime = lastArrival?.onTime ?? null;
  return {
    vehicleId,
    label: text(state, 'vehicle_label'),
    tripId,
    routeId: text(state, 'route_id'),
    directionId: num(state, 'direction_id'),
    startDate: text(state, 'start_date'),
    latitude: num(state, 'latitude'),
    longitude: num(state, 'longitude'),
    bearing: num(state, 'bearing'),
    speed: num(state, 'speed'),
    stopId: text(state, 'stop_id'),
    currentStopSequence: num(state, 'current_stop_sequence'),
    currentStatus: text(state, 'current_status'),
    positionTime: isoFromMs(state, 'position_time_ms'),
    lastArrival,
    delaySeconds,
    onTime,
    punctuality: punctuality(delaySeconds, onTime),
  };
}

export class VehiclesRepository {
  readonly redis: Redis;
  readonly keys: VehicleKeys;

  constructor(redis: Redis, keys: VehicleKeys) {
    this.redis = redis;
    this.keys = keys;
  }

  /** Every vehicle with a state hash, by vehicle id. */
  async list(): Promise<Vehicle[]> {
    const ids = await this.vehicleIds();
    const vehicles = await this.load(ids);
    return vehicles.filter((v) => v !== null);
  }

  async get(vehicleId: string): Promise<Vehicle | null> {
    const [vehicle] = await this.load([vehicleId]);
    return vehicle ?? null;
  }

  private async vehicleIds(): Promise<string[]> {
    const ids = new Set<string>();
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', this.keys.state.scanPattern({}), 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        // The state pattern also matches the arrival keys (transport:vehicle:*): those are not vehicles.
        if (this.keys.arrival.parse(key)) continue;
        const id = this.keys.state.parse(key)?.vehicle_id;
        if (id) ids.add(id);
      }
    } while (cursor !== '0');
    return [...ids].sort();
  }

  private async load(ids: string[]): Promise<(Vehicle | null)[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) {
      pipeline.hgetall(this.keys.state.fill({ vehicle_id: id })!);
      pipeline.hgetall(this.keys.arrival.fill({ vehicle_id: id })!);
    }
    const results = (await pipeline.exec()) ?? [];
    const hashes = results.map(([error, value]) => {
      if (error) throw error;
      return (value ?? {}) as Hash;
    });
    return ids.map((id, i) => {
      const state = hashes[2 * i]!;
      return Object.keys(state).length === 0 ? null : toVehicle(id, state, hashes[2 * i + 1]!);
    });
  }
}
