// Stop arrivals in PostgreSQL (public.stop_arrivals, written by Flink) next to the static feed (schema gtfs):
// a stop's recent arrivals and a route's on-time performance per service date.
import type { Pool } from 'pg';

export interface StopArrival {
  agencyId: string;
  tripId: string;
  routeId: string | null;
  vehicleId: string | null;
  serviceDate: string;
  stopId: string;
  stopSequence: number;
  arrivalTime: string;
  scheduledArrivalTime: string | null;
  delaySeconds: number | null;
  onTime: boolean | null;
  headwaySeconds: number | null;
}

export interface ServiceDatePerformance {
  serviceDate: string;
  arrivals: number;
  /** Arrivals with a schedule (a delay): the ones on_time is decided for. */
  scheduledArrivals: number;
  onTimeArrivals: number;
  /** onTimeArrivals / scheduledArrivals; null without scheduled arrivals. */
  onTimeShare: number | null;
  averageDelaySeconds: number | null;
}

export interface Stop {
  stopId: string;
  name: string | null;
}

export interface Route {
  routeId: string;
  shortName: string | null;
  longName: string | null;
}

interface ArrivalRow {
  agency_id: string;
  trip_id: string;
  route_id: string | null;
  vehicle_id: string | null;
  service_date: string;
  stop_id: string;
  stop_sequence: number;
  arrival_time: Date;
  scheduled_arrival_time: Date | null;
  delay_seconds: number | null;
  on_time: boolean | null;
  headway_seconds: number | null;
}

export class ArrivalsRepository {
  readonly pool: Pool;

  constructor(pool: Pool) {
    this.pool = pool;
  }

  async stop(stopId: string): Promise<Stop | null> {
    const { rows } = await this.pool.query<{ stop_id: string; stop_name: string | null }>(
      'select stop_id, stop_name from gtfs.stops where stop_id = $1',
      [stopId],
    );
    return rows[0] ? { stopId: rows[0].stop_id, name: rows[0].stop_name } : null;
  }

  async route(routeId: string): Promise<Route | null> {
    const { rows } = await this.pool.query<{ route_id: string; route_short_name: string | null; route_long_name: string | null }>(
      'select route_id, route_short_name, route_long_name from gtfs.routes where route_id = $1',
      [routeId],
    );
    return rows[0] ? { routeId: rows[0].route_id, shortName: rows[0].route_short_name, longName: rows[0].route_long_name } : null;
  }

  /** The stop's latest arrivals, newest first. */
  async recentAtStop(stopId: string, limit: number): Promise<StopArrival[]> {
    const { rows } = await this.pool.query<ArrivalRow>(
      `select agency_id, trip_id, route_id, vehicle_id, service_date::text as service_date, stop_id, stop_sequence,
              arrival_time, scheduled_arrival_time, delay_seconds, on_time, headway_seconds
         from public.stop_arrivals
        where stop_id = $1
        order by arrival_time desc, agency_id, trip_id, service_date, stop_sequence
        limit $2`,
      [stopId, limit],
    );
    return rows.map((r) => ({
      agencyId: r.agency_id,
      tripId: r.trip_id,
      routeId: r.route_id,
      vehicleId: r.vehicle_id,
      serviceDate: r.service_date,
      stopId: r.stop_id,
      stopSequence: r.stop_sequence,
      arrivalTime: r.arrival_time.toISOString(),
      scheduledArrivalTime: r.scheduled_arrival_time?.toISOString() ?? null,
      delaySeconds: r.delay_seconds,
      onTime: r.on_time,
      headwaySeconds: r.headway_seconds,
    }));
  }

  /** Per service date (oldest first), or only `serviceDate`. Average delay rounded to 0.1 s. */
  async routePerformance(routeId: string, serviceDate?: string): Promise<ServiceDatePerformance[]> {
    const { rows } = await this.pool.query<{
      service_date: string;
      arrivals: number;
      scheduled: number;
      on_time: number;
      average_delay: number | null;
    }>(
      `select service_date::text as service_date,
              count(*)::int as arrivals,
              count(on_time)::int as scheduled,
              (count(*) filter (where on_time))::int as on_time,
              round(avg(delay_seconds), 1)::float8 as average_delay
         from public.stop_arrivals
        where route_id = $1 and ($2::date is null or service_date = $2::date)
        group by service_date
        order by service_date`,
      [routeId, serviceDate ?? null],
    );
    return rows.map((r) => ({
      serviceDate: r.service_date,
      arrivals: r.arrivals,
      scheduledArrivals: r.scheduled,
      onTimeArrivals: r.on_time,
      onTimeShare: r.scheduled > 0 ? r.on_time / r.scheduled : null,
      averageDelaySeconds: r.average_delay,
    }));
  }
}
