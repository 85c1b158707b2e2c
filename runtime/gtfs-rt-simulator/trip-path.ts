// A trip's path: its shape (or, without one, the polyline through its stops) with the distance along it, each
// stop's own place on it (the nearest point, searched forward from the previous stop so that a shape passing a
// place twice is followed in order), and the point at any distance. Within a segment, points move linearly in
// latitude and longitude, so a vehicle on a straight two-point shape is exactly where the time fraction says.

const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;

export type LatLon = [lat: number, lon: number];

export function haversineMetres([lat1, lon1]: LatLon, [lat2, lon2]: LatLon): number {
  const a = Math.sin(((lat2 - lat1) * RAD) / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(((lon2 - lon1) * RAD) / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Initial bearing from a to b, degrees clockwise from north in [0, 360). */
export function bearingDegrees([lat1, lon1]: LatLon, [lat2, lon2]: LatLon): number {
  const y = Math.sin((lon2 - lon1) * RAD) * Math.cos(lat2 * RAD);
  const x = Math.cos(lat1 * RAD) * Math.sin(lat2 * RAD) - Math.sin(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.cos((lon2 - lon1) * RAD);
  return ((Math.atan2(y, x) / RAD) % 360 + 360) % 360;
}

export interface PathPoint {
  lat: number;
  lon: number;
  /** Bearing of the segment the point is on. */
  bearing: number;
}

export class TripPath {
  readonly points: LatLon[];
  /** Distance (m) from the start to each point. */
  readonly cumulative: number[];
  /** Distance (m) along the path of each stop, in stop order. */
  readonly stopDistances: number[];

  constructor(shape: LatLon[], stops: LatLon[]) {
    // Repeated points add nothing and would make zero-length segments.
    const source = shape.length >= 2 ? shape : stops;
    this.points = source.filter((p, i) => i === 0 || p[0] !== source[i - 1]![0] || p[1] !== source[i - 1]![1]);
    if (this.points.length < 2) this.points = [source[0]!, source[0]!];
    this.cumulative = [0];
    for (let i = 1; i < this.points.length; i++) this.cumulative.push(this.cumulative[i - 1]! + haversineMetres(this.points[i - 1]!, this.points[i]!));
    let segment = 0;
    this.stopDistances = stops.map((stop) => {
      const found = this.#project(stop, segment);
      segment = found.segment;
      return found.distance;
    });
  }

  get length(): number {
    return this.cumulative[this.cumulative.length - 1]!;
  }

  /** The point at `distance` metres along the path (clamped to its ends). */
  pointAt(distance: number): PathPoint {
    const d = Math.min(Math.max(distance, 0), this.length);
    let i = 1;
    while (i < this.points.length - 1 && this.cumulative[i]! < d) i++;
    const a = this.points[i - 1]!;
    const b = this.points[i]!;
    const span = this.cumulative[i]! - this.cumulative[i - 1]!;
    const f = span === 0 ? 0 : (d - this.cumulative[i - 1]!) / span;
    return { lat: a[0] + f * (b[0] - a[0]), lon: a[1] + f * (b[1] - a[1]), bearing: bearingDegrees(a, b) };
  }

  /** The nearest point of segments from `from` on (a local flat projection per segment). */
  #project(p: LatLon, from: number): { segment: number; distance: number } {
    let best = { segment: from, distance: this.cumulative[from]!, offset: Infinity };
    for (let i = from; i < this.points.length - 1; i++) {
      const a = this.points[i]!;
      const b = this.points[i + 1]!;
      const k = Math.cos(((a[0] + b[0]) / 2) * RAD);
      const bx = (b[1] - a[1]) * k;
      const by = b[0] - a[0];
      const px = (p[1] - a[1]) * k;
      const py = p[0] - a[0];
      const len2 = bx * bx + by * by;
      const t = len2 === 0 ? 0 : Math.min(1, Math.max(0, (px * bx + py * by) / len2));
      const offset = Math.hypot(px - t * bx, py - t * by);
      if (offset < best.offset) best = { segment: i, distance: this.cumulative[i]! + t * (this.cumulative[i + 1]! - this.cumulative[i]!), offset };
    }
    return best;
  }
}
