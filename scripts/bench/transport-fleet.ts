// The transport benchmark's synthetic fleet: a static GTFS feed of straight routes along meridians (a meridian is
// a geodesic, so distance along a route is monotone in latitude and every expected arrival is exact), and per step
// the GTFS-Realtime snapshots of `vehicles` buses, one new snapshot per poll. Bus i of a step runs trip T<i> on the
// step's service date, starts between two stops and moves `sampleMetres` per snapshot (10 s of feed time apart),
// so a stop is arrived at when a snapshot first passes it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeFeedMessage, type FeedEntity } from '../../runtime/gtfs-rt-simulator/gtfs-rt-encode.ts';

export const FLEET = {
  agencyId: 'BENCH',
  timeZone: 'UTC',
  routes: 50,
  firstLatitude: 47,
  firstLongitude: -122.5,
  routeSpacingDegrees: 0.01,
  stopSpacingMetres: 600,
  sampleMetres: 100,
  feedSecondsPerSnapshot: 10,
  metresPerDegreeLatitude: 111_195, // only places points; the expectations compare latitudes on one meridian
} as const;

export interface FleetShape {
  trips: number;
  stopsPerRoute: number;
}

/** Enough trips for the largest step and stops for the longest one (plus the start offsets, less than a stop apart). */
export function fleetShape(maxVehicles: number, snapshotsPerStep: number): FleetShape {
  const travelled = FLEET.stopSpacingMetres + snapshotsPerStep * FLEET.sampleMetres;
  return { trips: maxVehicles, stopsPerRoute: Math.ceil(travelled / FLEET.stopSpacingMetres) + 2 };
}

const routeOf = (trip: number) => trip % FLEET.routes;
const longitudeOf = (route: number) => FLEET.firstLongitude + route * FLEET.routeSpacingDegrees;
const latitudeAt = (metres: number) => FLEET.firstLatitude + metres / FLEET.metresPerDegreeLatitude;
/** Where bus i starts: half a sample past a multiple of the sample length, never on a stop. */
const startMetres = (i: number) => ((i * FLEET.sampleMetres) % FLEET.stopSpacingMetres) + FLEET.sampleMetres / 2;

const hhmmss = (seconds: number) => [Math.floor(seconds / 3600), Math.floor(seconds / 60) % 60, seconds % 60].map((n) => String(n).padStart(2, '0')).join(':');

/** Writes the static feed (CSV files of a GTFS folder). */
export function writeFleetGtfs(dir: string, shape: FleetShape): void {
  mkdirSync(dir, { recursive: true });
  const csv = (name: string, header: string, rows: string[]) => writeFileSync(join(dir, name), `${header}\n${rows.join('\n')}\n`);
  csv('agency.txt', 'agency_id,agency_name,agency_url,agency_timezone', [`${FLEET.agencyId},Bench Transit,https://bench.invalid,${FLEET.timeZone}`]);
  csv('calendar.txt', 'service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date', ['ALL,1,1,1,1,1,1,1,20260101,20301231']);
  const routes = Array.from({ length: FLEET.routes }, (_, r) => r);
  csv('routes.txt', 'route_id,agency_id,route_short_name,route_type', routes.map((r) => `R${r},${FLEET.agencyId},${r},3`));
  const stops: string[] = [];
  for (const r of routes) {
    for (let k = 0; k < shape.stopsPerRoute; k++) stops.push(`R${r}S${k},Route ${r} stop ${k},${latitudeAt(k * FLEET.stopSpacingMetres).toFixed(7)},${longitudeOf(r).toFixed(7)}`);
  }
  csv('stops.txt', 'stop_id,stop_name,stop_lat,stop_lon', stops);
  const trips: string[] = [];
  const stopTimes: string[] = [];
  const secondsPerStop = (FLEET.stopSpacingMetres / FLEET.sampleMetres) * FLEET.feedSecondsPerSnapshot;
  for (let t = 0; t < shape.trips; t++) {
    const route = routeOf(t);
    trips.push(`R${route},ALL,T${t}`);
    const departs = 6 * 3600 + (t % 600) * 60;
    for (let k = 0; k < shape.stopsPerRoute; k++) {
      const at = hhmmss(departs + k * secondsPerStop);
      stopTimes.push(`T${t},${at},${at},R${route}S${k},${k + 1}`);
    }
  }
  csv('trips.txt', 'route_id,service_id,trip_id', trips);
  csv('stop_times.txt', 'trip_id,arrival_time,departure_time,stop_id,stop_sequence', stopTimes);
}

/** One benchmark step's fleet: `vehicles` buses on trips T0…, on `serviceDate` (YYYY-MM-DD). */
export class StepFleet {
  readonly step: string;
  readonly vehicles: number;
  readonly serviceDate: string;
  readonly firstFeedSeconds: number;

  constructor(step: string, vehicles: number, serviceDate: string) {
    [this.step, this.vehicles, this.serviceDate] = [step, vehicles, serviceDate];
    this.firstFeedSeconds = Date.parse(`${serviceDate}T08:00:00Z`) / 1000;
  }

  vehicleId = (i: number) => `${this.step}-V${i}`;
  feedSecondsOf = (snapshot: number) => this.firstFeedSeconds + snapshot * FLEET.feedSecondsPerSnapshot;
  /** The snapshot whose vehicle timestamp (epoch ms) this is. */
  snapshotOfTimestamp = (ms: number) => (ms / 1000 - this.firstFeedSeconds) / FLEET.feedSecondsPerSnapshot;

  snapshot(n: number): Uint8Array {
    const seconds = this.feedSecondsOf(n);
    const startDate = this.serviceDate.replaceAll('-', '');
    const entities: FeedEntity[] = [];
    for (let i = 0; i < this.vehicles; i++) {
      entities.push({
        id: `E${i}`,
        vehicle: {
          trip: { tripId: `T${i}`, startDate },
          vehicle: { id: this.vehicleId(i) },
          position: { latitude: latitudeAt(startMetres(i) + n * FLEET.sampleMetres), longitude: longitudeOf(routeOf(i)) },
          timestamp: seconds,
        },
      });
    }
    return encodeFeedMessage({ timestamp: seconds, entities });
  }

  /**
   * The arrivals `snapshots` polls make: stop k (sequence k + 1) of bus i is arrived at by the first snapshot past it,
   * and only when the bus's first sample was before it (a stop at or before the first sample is unobserved).
   * Returns, per trip, the crossing snapshot of each arrived stop sequence.
   */
  expectedArrivals(snapshots: number): Map<string, Map<number, number>> {
    const out = new Map<string, Map<number, number>>();
    for (let i = 0; i < this.vehicles; i++) {
      const first = startMetres(i);
      const last = first + (snapshots - 1) * FLEET.sampleMetres;
      const stops = new Map<number, number>();
      for (let k = Math.floor(first / FLEET.stopSpacingMetres) + 1; k * FLEET.stopSpacingMetres <= last; k++) {
        stops.set(k + 1, Math.ceil((k * FLEET.stopSpacingMetres - first) / FLEET.sampleMetres));
      }
      out.set(`T${i}`, stops);
    }
    return out;
  }
}
