// The network for the map, from the static feed (schema gtfs): each route's distinct shapes (gtfs.shapes by the
// shape_id of its trips; for a trip without a shape, the polyline through its stops, as arrival detection does),
// and the stops with their names and positions.
import type { Pool } from 'pg';

export type LatLon = [number, number];

export interface RouteLine {
  /** null: the polyline through a shapeless trip's stops. */
  shapeId: string | null;
  points: LatLon[];
}

export interface NetworkRoute {
  routeId: string;
  shortName: string | null;
  longName: string | null;
  /** route_color of the feed, as "#RRGGBB"; null when the feed has none. */
  color: string | null;
  lines: RouteLine[];
}

export interface NetworkStop {
  stopId: string;
  name: string | null;
  lat: number;
  lon: number;
}

export interface Network {
  /** Of every stop and line point; null for an empty feed. */
  bounds: { minLat: number; minLon: number; maxLat: number; maxLon: number } | null;
  routes: NetworkRoute[];
  stops: NetworkStop[];
}

export class NetworkRepository {
  readonly pool: Pool;

  constructor(pool: Pool) {
    this.pool = pool;
  }

  async network(): Promise<Network> {
    const [routes, shapes, stopLines, stops] = await Promise.all([
      this.pool.query<{ route_id: string; route_short_name: string | null; route_long_name: string | null; route_color: string | null }>(
        'select route_id, route_short_name, route_long_name, route_color from gtfs.routes order by route_id',
      ),
      this.pool.query<{ route_id: string; shape_id: string; points: LatLon[] }>(
        `select r.route_id, r.shape_id,
                (select json_agg(json_build_array(s.shape_pt_lat, s.shape_pt_lon) order by s.shape_pt_sequence)
                   from gtfs.shapes s where s.shape_id = r.shape_id) as points
           from (select distinct route_id, shape_id from gtfs.trips where coalesce(shape_id, '') <> '') r
          order by r.route_id, r.shape_id`,
      ),
      this.pool.query<{ route_id: string; points: LatLon[] }>(
        `select distinct p.route_id, p.points::text as key, p.points
           from (select t.route_id,
                        jsonb_agg(jsonb_build_array(s.stop_lat, s.stop_lon) order by st.stop_sequence) as points
                   from gtfs.trips t
                   join gtfs.stop_times st on st.trip_id = t.trip_id
                   join gtfs.stops s on s.stop_id = st.stop_id
                  where coalesce(t.shape_id, '') = '' and s.stop_lat is not null and s.stop_lon is not null
                  group by t.route_id, t.trip_id) p
          order by p.route_id, key`,
      ),
      this.pool.query<{ stop_id: string; stop_name: string | null; stop_lat: number; stop_lon: number }>(
        `select stop_id, stop_name, stop_lat, stop_lon from gtfs.stops
          where stop_lat is not null and stop_lon is not null order by stop_id`,
      ),
    ]);
    const lines = new Map<string, RouteLine[]>();
    const addLine = (routeId: string, line: RouteLine) => {
      if (line.points.length > 0) lines.set(routeId, [...(lines.get(routeId) ?? []), line]);
    };
    for (const row of shapes.rows) addLine(row.route_id, { shapeId: row.shape_id, points: row.points ?? [] });
    for (const row of stopLines.rows) addLine(row.route_id, { shapeId: null, points: row.points });
    const networkStops = stops.rows.map((s) => ({ stopId: s.stop_id, name: s.stop_name, lat: s.stop_lat, lon: s.stop_lon }));
    const networkRoutes = routes.rows.map((r) => ({
      routeId: r.route_id,
      shortName: r.route_short_name,
      longName: r.route_long_name,
      color: r.route_color && /^[0-9A-Fa-f]{6}$/.test(r.route_color) ? `#${r.route_color.toUpperCase()}` : null,
      lines: lines.get(r.route_id) ?? [],
    }));
    return { bounds: boundsOf(networkStops, networkRoutes), routes: networkRoutes, stops: networkStops };
  }
}

function boundsOf(stops: NetworkStop[], routes: NetworkRoute[]): Network['bounds'] {
  let bounds: Network['bounds'] = null;
  const extend = (lat: number, lon: number) => {
    bounds = bounds
      ? { minLat: Math.min(bounds.minLat, lat), minLon: Math.min(bounds.minLon, lon), maxLat: Math.max(bounds.maxLat, lat), maxLon: Math.max(bounds.maxLon, lon) }
      : { minLat: lat, minLon: lon, maxLat: lat, maxLon: lon };
  };
  for (const stop of stops) extend(stop.lat, stop.lon);
  for (const route of routes) for (const line of route.lines) for (const [lat, lon] of line.points) extend(lat, lon);
  return bounds;
}
