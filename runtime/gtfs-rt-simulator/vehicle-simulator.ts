// Vehicles moving along their trips on schedule. Each trip instance (a trip on a service date it runs, or one
// departure of a frequencies.txt trip) runs from its first stop's arrival to its last stop's departure:
// arrival' (first stop) = arrival + the trip's delay; departure' = max(arrival' + dwell, departure + delay) (no
// dwell at the first stop, where the vehicle waits for its departure);
// the next arrival' = departure' + the scheduled running time. With no dwell, every time is shifted by the delay
// exactly; a dwell longer than the schedule allows makes the vehicle later from there on. Between stops it moves
// along its path at constant speed; at a stop it stands at the stop's place on the path.
import type { FeedEntity, FeedMessage, StopStatus } from './gtfs-rt-encode.ts';
import type { StaticFeed, Trip, TripStop } from './static-feed.ts';
import { withGpsNoise } from './gps-noise.ts';
import { addDays, formatGtfsTime, localDate, serviceDayStartMs } from './service-time.ts';
import { TripPath, type LatLon } from './trip-path.ts';

export interface SimulationOptions {
  /** Seconds late (negative: early) per trip_id. */
  delays?: Record<string, number>;
  /** For trips not in `delays`; default 0. */
  defaultDelaySeconds?: number;
  /** The least time a vehicle stands at each stop; default 0 (the schedule's own dwell). */
  dwellSeconds?: number;
  /** Standard deviation of the GPS noise, metres north and east; default 0. */
  noiseMetres?: number;
  seed?: number;
  /** Trips whose TripDescriptor leaves start_date out (true: every trip). */
  omitStartDate?: string[] | true;
}

export interface SimulatedVehicle {
  vehicleId: string;
  trip: Trip;
  /** YYYYMMDD. */
  serviceDate: string;
  /** The instance's first departure, GTFS seconds. */
  startSeconds: number;
  /** POSIX seconds of the position. */
  timestamp: number;
  lat: number;
  lon: number;
  bearing: number;
  /** Metres per second. */
  speed: number;
  status: StopStatus;
  /** Index into trip.stops of the stop the status refers to. */
  stopIndex: number;
  /** Epoch seconds of each stop's arrival' and departure' in this run. */
  arrivals: number[];
  departures: number[];
  /** Scheduled epoch seconds of each stop's arrival and departure. */
  scheduledArrivals: number[];
  scheduledDepartures: number[];
}

interface PreparedTrip {
  trip: Trip;
  path: TripPath;
  timeZone: string;
  /** Arrival and departure per stop, GTFS seconds, empty times filled in by distance. */
  arrivals: number[];
  departures: number[];
  /** GTFS seconds of each instance's first departure. */
  starts: number[];
  frequency: boolean;
  /** The service dates (YYYYMMDD) of the trip's service_id. */
  runDates: ReadonlySet<string>;
}

/** Fills empty stop times linearly by distance between the timed stops around them; undefined if an end is untimed. */
function fillTimes(stops: TripStop[], distances: number[]): { arrivals: number[]; departures: number[] } | undefined {
  const arrivals = stops.map((s) => s.arrivalSeconds ?? s.departureSeconds);
  const departures = stops.map((s) => s.departureSeconds ?? s.arrivalSeconds);
  const last = stops.length - 1;
  if (arrivals[0] === null || arrivals[last] === null) return undefined;
  let previous = 0;
  for (let k = 1; k <= last; k++) {
    if (arrivals[k] === null) continue;
    for (let j = previous + 1; j < k; j++) {
      const span = distances[k]! - distances[previous]!;
      const f = span > 0 ? (distances[j]! - distances[previous]!) / span : (j - previous) / (k - previous);
      arrivals[j] = departures[j] = Math.round(departures[previous]! + f * (arrivals[k]! - departures[previous]!));
    }
    previous = k;
  }
  return { arrivals: arrivals as number[], departures: departures as number[] };
}

export class VehicleSimulator {
  readonly #options: SimulationOptions;
  readonly #trips: PreparedTrip[] = [];
  /** Trips left out: fewer than two stops, or an untimed first or last stop. */
  readonly skippedTrips: string[] = [];
  readonly #spanDays: number;

  constructor(feed: StaticFeed, options: SimulationOptions = {}) {
    this.#options = options;
    let latest = 0;
    // Trips of one pattern (shape and stops) share their path; trips of one service their dates.
    const paths = new Map<string, TripPath>();
    const runDates = new Map<string, ReadonlySet<string>>();
    for (const trip of feed.trips) {
      if (trip.stops.length < 2) {
        this.skippedTrips.push(trip.tripId);
        continue;
      }
      const pattern = `${trip.shapeId ?? ''}|${trip.stops.map((s) => s.stopId).join('|')}`;
      let path = paths.get(pattern);
      if (!path) {
        const stops = trip.stops.map((s): LatLon => [s.lat!, s.lon!]);
        paths.set(pattern, (path = new TripPath(trip.shape, stops)));
      }
      const times = fillTimes(trip.stops, path.stopDistances);
      if (!times) {
        this.skippedTrips.push(trip.tripId);
        continue;
      }
      let dates = runDates.get(trip.serviceId);
      if (!dates) runDates.set(trip.serviceId, (dates = new Set(trip.serviceDates.map((iso) => iso.replaceAll('-', '')))));
      const first = times.departures[0]!;
      const frequencies = trip.frequencies;
      const starts: number[] = [];
      for (const f of frequencies) for (let s = f.startSeconds; s < f.endSeconds; s += f.headwaySeconds) starts.push(s);
      // A frequency trip's stop times are a template: its times relative to its first departure.
      const shift = (t: number) => (frequencies.length > 0 ? t - first : t);
      this.#trips.push({
        trip,
        path,
        timeZone: trip.timeZone,
        arrivals: times.arrivals.map(shift),
        departures: times.departures.map(shift),
        starts: frequencies.length > 0 ? starts : [first],
        frequency: frequencies.length > 0,
        runDates: dates,
      });
      latest = Math.max(latest, shift(times.arrivals.at(-1)!) + (frequencies.length > 0 ? Math.max(...starts) : 0));
    }
    this.#spanDays = Math.ceil(latest / 86_400) + 1;
  }

  delayOf(tripId: string): number {
    return this.#options.delays?.[tripId] ?? this.#options.defaultDelaySeconds ?? 0;
  }

  /** Every vehicle on the road at the instant, in trip and service-date order; positions at its whole second. */
  vehiclesAt(epochMs: number): SimulatedVehicle[] {
    const second = Math.floor(epochMs / 1000);
    const dwell = this.#options.dwellSeconds ?? 0;
    const vehicles: SimulatedVehicle[] = [];
    const used = new Set<string>();
    // Per call, the same few zones come up for every trip.
    const days = new Map<string, { serviceDate: string; dayStart: number }[]>();
    for (const prepared of this.#trips) {
      const { trip, path, timeZone } = prepared;
      let candidates = days.get(timeZone);
      if (candidates === undefined) {
        const today = localDate(second * 1000, timeZone);
        candidates = [];
        for (let back = this.#spanDays; back >= -1; back--) {
          const serviceDate = addDays(today, -back);
          candidates.push({ serviceDate, dayStart: serviceDayStartMs(serviceDate, timeZone) / 1000 });
        }
        days.set(timeZone, candidates);
      }
      const delay = this.delayOf(trip.tripId);
      for (const { serviceDate, dayStart } of candidates) {
        if (!prepared.runDates.has(serviceDate)) continue;
        for (const start of prepared.starts) {
          const offset = prepared.frequency ? start : 0;
          // A dwell can make a run later at every stop; nothing else moves it past its delayed schedule.
          const latestEnd = dayStart + offset + prepared.departures.at(-1)! + delay + dwell * prepared.arrivals.length;
          if (second < dayStart + offset + prepared.arrivals[0]! + delay || second > latestEnd) continue;
          const scheduledArrivals = prepared.arrivals.map((t) => dayStart + t + offset);
          const scheduledDepartures = prepared.departures.map((t) => dayStart + t + offset);
          const arrivals: number[] = [scheduledArrivals[0]! + delay];
          const departures: number[] = [];
          for (let k = 0; k < scheduledArrivals.length; k++) {
            // At the first stop the vehicle leaves on time: it stands there ready before its departure.
            departures.push(Math.max(arrivals[k]! + (k === 0 ? 0 : dwell), scheduledDepartures[k]! + delay));
            if (k + 1 < scheduledArrivals.length) arrivals.push(departures[k]! + Math.max(0, scheduledArrivals[k + 1]! - scheduledDepartures[k]!));
          }
          if (second < arrivals[0]! || second > departures.at(-1)!) continue;
          const where = locate(second, arrivals, departures, path);
          let vehicleId = prepared.frequency ? `${trip.tripId}@${formatGtfsTime(start)}` : trip.tripId;
          if (used.has(vehicleId)) vehicleId += `@${serviceDate}`;
          used.add(vehicleId);
          const [lat, lon] = withGpsNoise(where.lat, where.lon, this.#options.noiseMetres ?? 0, this.#options.seed ?? 0, vehicleId, second);
          vehicles.push({
            vehicleId,
            trip,
            serviceDate,
            startSeconds: prepared.frequency ? start : prepared.departures[0]!,
            timestamp: second,
            lat,
            lon,
            bearing: where.bearing,
            speed: where.speed,
            status: where.status,
            stopIndex: where.stopIndex,
            arrivals,
            departures,
            scheduledArrivals,
            scheduledDepartures,
          });
        }
      }
    }
    return vehicles;
  }

  /** The VehiclePositions feed at the instant (header timestamp = its whole second). */
  vehiclePositions(epochMs: number): FeedMessage {
    const vehicles = this.vehiclesAt(epochMs);
    return {
      timestamp: Math.floor(epochMs / 1000),
      entities: vehicles.map((v): FeedEntity => ({
        id: v.vehicleId,
        vehicle: {
          trip: this.#descriptor(v),
          vehicle: { id: v.vehicleId, label: v.trip.tripId },
          position: { latitude: v.lat, longitude: v.lon, bearing: v.bearing, speed: v.speed },
          currentStopSequence: v.trip.stops[v.stopIndex]!.stopSequence,
          stopId: v.trip.stops[v.stopIndex]!.stopId,
          currentStatus: v.status,
          timestamp: v.timestamp,
        },
      })),
    };
  }

  /** The TripUpdates feed at the instant: per running trip, its stops not yet departed with predicted times and delays. */
  tripUpdates(epochMs: number): FeedMessage {
    const vehicles = this.vehiclesAt(epochMs);
    return {
      timestamp: Math.floor(epochMs / 1000),
      entities: vehicles.map((v): FeedEntity => {
        const from = v.stopIndex;
        return {
          id: `tu-${v.vehicleId}`,
          tripUpdate: {
            trip: this.#descriptor(v),
            vehicle: { id: v.vehicleId },
            timestamp: v.timestamp,
            delay: v.arrivals[from]! - v.scheduledArrivals[from]!,
            stopTimeUpdates: v.trip.stops.slice(from).map((s, i) => ({
              stopSequence: s.stopSequence,
              stopId: s.stopId,
              arrival: { delay: v.arrivals[from + i]! - v.scheduledArrivals[from + i]!, time: v.arrivals[from + i]! },
              departure: { delay: v.departures[from + i]! - v.scheduledDepartures[from + i]!, time: v.departures[from + i]! },
            })),
          },
        };
      }),
    };
  }

  #descriptor(v: SimulatedVehicle) {
    const omit = this.#options.omitStartDate;
    const withoutDate = omit === true || (Array.isArray(omit) && omit.includes(v.trip.tripId));
    return {
      tripId: v.trip.tripId,
      routeId: v.trip.routeId,
      ...(v.trip.directionId === null ? {} : { directionId: v.trip.directionId }),
      startTime: formatGtfsTime(v.startSeconds),
      ...(withoutDate ? {} : { startDate: v.serviceDate }),
    };
  }
}

/** Where a vehicle is at `second` given its stop times in this run. */
function locate(second: number, arrivals: number[], departures: number[], path: TripPath) {
  const s = path.stopDistances;
  for (let k = 0; k < arrivals.length; k++) {
    if (second <= departures[k]!) {
      if (second >= arrivals[k]!) {
        const p = path.pointAt(s[k]!);
        return { ...p, speed: 0, status: 'STOPPED_AT' as const, stopIndex: k };
      }
      // Between the previous stop's departure and this stop's arrival.
      const span = arrivals[k]! - departures[k - 1]!;
      const f = span > 0 ? (second - departures[k - 1]!) / span : 1;
      const p = path.pointAt(s[k - 1]! + f * (s[k]! - s[k - 1]!));
      return { ...p, speed: span > 0 ? Math.abs(s[k]! - s[k - 1]!) / span : 0, status: 'IN_TRANSIT_TO' as const, stopIndex: k };
    }
  }
  const last = arrivals.length - 1;
  return { ...path.pointAt(s[last]!), speed: 0, status: 'STOPPED_AT' as const, stopIndex: last };
}
