// What the trip records need from a feed, kept compact: stop_times (millions of rows in a big city's feed)
// live in growable Int32 columns, not in one object per row.

export interface Calendar {
  /** Monday first, as in calendar.txt. */
  days: boolean[];
  start: string;
  end: string;
}

export interface Frequency {
  startSeconds: number;
  endSeconds: number;
  headwaySeconds: number;
  exactTimes: boolean;
}

export interface Trip {
  index: number;
  routeId: string;
  serviceId: string;
  shapeId: string | null;
}

export class IntColumn {
  private data = new Int32Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  at(i: number): number {
    return this.data[i]!;
  }
}

/** Stands for an empty arrival or departure time in the Int32 columns. */
export const NO_TIME = -1;

export class FeedModel {
  /** agency_id ('' when the feed's only agency has none) → agency_timezone */
  readonly agencies = new Map<string, string>();
  /** route_id → agency_id as given ('' when empty) */
  readonly routes = new Map<string, string>();
  readonly stopIndex = new Map<string, number>();
  readonly stopIds: string[] = [];
  readonly stopLat: (number | null)[] = [];
  readonly stopLon: (number | null)[] = [];
  readonly calendars = new Map<string, Calendar>();
  /** service_id → date (ISO) → exception_type */
  readonly calendarDates = new Map<string, Map<string, number>>();
  /** shape_id → flat [sequence, lat, lon, row, …] in file order */
  readonly shapes = new Map<string, number[]>();
  readonly trips = new Map<string, Trip>();
  readonly tripIds: string[] = [];
  readonly frequencies = new Map<string, Frequency[]>();
  readonly stopTimes = {
    trip: new IntColumn(),
    stop: new IntColumn(),
    sequence: new IntColumn(),
    arrival: new IntColumn(),
    departure: new IntColumn(),
    row: new IntColumn(),
  };

  addStop(id: string, lat: number | null, lon: number | null): void {
    this.stopIndex.set(id, this.stopIds.length);
    this.stopIds.push(id);
    this.stopLat.push(lat);
    this.stopLon.push(lon);
  }

  addTrip(id: string, routeId: string, serviceId: string, shapeId: string | null): void {
    this.trips.set(id, { index: this.tripIds.length, routeId, serviceId, shapeId });
    this.tripIds.push(id);
  }

  addStopTime(trip: number, stop: number, sequence: number, arrival: number | null, departure: number | null, row: number): void {
    const c = this.stopTimes;
    c.trip.push(trip);
    c.stop.push(stop);
    c.sequence.push(sequence);
    c.arrival.push(arrival ?? NO_TIME);
    c.departure.push(departure ?? NO_TIME);
    c.row.push(row);
  }

  private order: Int32Array | undefined;

  /** Positions of stop_times rows ordered by trip (in trips.txt order), then stop_sequence; once all are added. */
  stopTimeOrder(): Int32Array {
    if (this.order?.length === this.stopTimes.trip.length) return this.order;
    const c = this.stopTimes;
    const order = new Int32Array(c.trip.length);
    for (let i = 0; i < order.length; i++) order[i] = i;
    this.order = order.sort((a, b) => c.trip.at(a) - c.trip.at(b) || c.sequence.at(a) - c.sequence.at(b));
    return this.order;
  }

  /** The time zone of a route's agency: its agency_id's, or the feed's only agency's. */
  timeZoneOfRoute(routeId: string): { agencyId: string; timeZone: string } {
    const given = this.routes.get(routeId) ?? '';
    const agencyId = given || [...this.agencies.keys()][0]!;
    return { agencyId, timeZone: this.agencies.get(agencyId)! };
  }
}
