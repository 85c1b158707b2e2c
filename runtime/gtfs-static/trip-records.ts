// The `transport.trips.v1` records (docs/transport-data-contract.md): one per trip, with its shape, its
// stops in stop_sequence order with GTFS seconds, its frequencies, its service dates and its agency's zone.
import { NO_TIME, type FeedModel, type Frequency } from './feed-model.ts';
import { sortedShape } from './read-feed.ts';
import { serviceDates } from './service-dates.ts';

export interface TripStop {
  stopId: string;
  stopSequence: number;
  lat: number | null;
  lon: number | null;
  arrivalSeconds: number | null;
  departureSeconds: number | null;
}

export interface TripRecord {
  tripId: string;
  routeId: string;
  serviceId: string;
  agencyId: string;
  timeZone: string;
  shapeId: string | null;
  shape: [number, number][];
  stops: TripStop[];
  frequencies: Frequency[];
  serviceDates: string[];
}

/** The records in trips.txt order, built one at a time (a big feed's records need not all be in memory). */
export function* tripRecords(model: FeedModel): Generator<TripRecord> {
  const shapes = new Map<string, [number, number][]>();
  const shapeOf = (id: string | null): [number, number][] => {
    if (id === null) return [];
    let shape = shapes.get(id);
    if (!shape) {
      const points = model.shapes.get(id)!;
      shape = sortedShape(points).map((at) => [points[at + 1]!, points[at + 2]!]);
      shapes.set(id, shape);
    }
    return shape;
  };
  const datesOfService = new Map<string, string[]>();
  const datesOf = (id: string) => {
    let dates = datesOfService.get(id);
    if (!dates) datesOfService.set(id, (dates = serviceDates(model.calendars.get(id), model.calendarDates.get(id))));
    return dates;
  };
  const c = model.stopTimes;
  const order = model.stopTimeOrder();
  let next = 0;
  for (const [tripId, trip] of model.trips) {
    const stops: TripStop[] = [];
    for (; next < order.length && c.trip.at(order[next]!) === trip.index; next++) {
      const i = order[next]!;
      const stop = c.stop.at(i);
      const arrival = c.arrival.at(i);
      const departure = c.departure.at(i);
      stops.push({
        stopId: model.stopIds[stop]!,
        stopSequence: c.sequence.at(i),
        lat: model.stopLat[stop]!,
        lon: model.stopLon[stop]!,
        arrivalSeconds: arrival === NO_TIME ? null : arrival,
        departureSeconds: departure === NO_TIME ? null : departure,
      });
    }
    const { agencyId, timeZone } = model.timeZoneOfRoute(trip.routeId);
    yield {
      tripId,
      routeId: trip.routeId,
      serviceId: trip.serviceId,
      agencyId,
      timeZone,
      shapeId: trip.shapeId,
      shape: shapeOf(trip.shapeId),
      stops,
      frequencies: [...(model.frequencies.get(tripId) ?? [])].sort((a, b) => a.startSeconds - b.startSeconds),
      serviceDates: datesOf(trip.serviceId),
    };
  }
}
