#!/usr/bin/env python3
"""Reference implementation of the transport blueprint's arrival detection, independent of the platform's code:
reads a static GTFS folder and a JSON-lines file of vehicle positions (the fields of transport.positions.v1), and
prints the arrival rows the pipeline must produce (transport.arrivals.v1), one JSON object per line, by the rules
of docs/transport-data-contract.md.

    reference_arrivals.py --gtfs FOLDER --positions FILE.jsonl [--on-time-from -60] [--on-time-to 300] [--counts]

Geodesics: GeographicLib (PyPI `geographiclib`). The projection of a point onto a segment is found by minimising
the true geodesic distance from the point to the points of the segment's geodesic (golden-section search), which
is a different method from the platform's (a chord projection in earth-centred space). Rows are keyed by (agencyId,
tripId, serviceDate, stopSequence): a later arrival for the same key replaces the earlier one, as the sink's upsert
does. Rows are printed sorted by serviceDate, tripId, stopSequence. With --counts, a last line
{"counts": {...}} gives the unobserved stops and the ignored positions by reason.
"""
import argparse
import csv
import json
import math
import sys
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from geographiclib.geodesic import Geodesic

WGS84 = Geodesic.WGS84
GOLDEN = (math.sqrt(5) - 1) / 2
SEARCH_TOLERANCE_M = 1e-4


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


def read_table(folder, name, required=True):
    path = Path(folder) / name
    if not path.exists():
        if required:
            fail(f"{path}: missing (a GTFS feed needs it)")
        return []
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        reader.fieldnames = [n.strip() for n in reader.fieldnames or []]
        return [{k: (v or "").strip() for k, v in row.items() if k is not None} for row in reader]


def gtfs_seconds(text, where):
    if not text:
        return None
    try:
        h, m, s = (int(x) for x in text.split(":"))
    except ValueError:
        fail(f"{where}: time {text!r} is not H:MM:SS")
    return h * 3600 + m * 60 + s


def gtfs_date(text, where):
    try:
        return datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        fail(f"{where}: date {text!r} is not YYYYMMDD")


# ---------------------------------------------------------------- geodesic polyline


class Polyline:
    """Points [(lat, lon)] joined by geodesics; project() gives the distance along it of the nearest point."""

    def __init__(self, points):
        self.points = points
        self.lines = []  # (geodesic line A→B, its length, distance along at A)
        along = 0.0
        for (lat1, lon1), (lat2, lon2) in zip(points, points[1:]):
            line = WGS84.InverseLine(lat1, lon1, lat2, lon2)
            self.lines.append((line, line.s13, along))
            along += line.s13

    def project(self, lat, lon):
        # visit segments nearest-first by a lower bound of the distance to them (triangle inequality), and stop
        # once the bound exceeds the best distance found
        # (the great-circle distance on a sphere of the mean radius is within 0.6 % of the geodesic one, so 99 %
        # of it is a safe lower bound)
        candidates = []
        for i, (line, length, _) in enumerate(self.lines):
            if length == 0:
                continue
            a = self.points[i]
            bound = 0.99 * great_circle(lat, lon, a[0], a[1]) - length
            candidates.append((bound, i))
        candidates.sort()
        best, best_index, best_along = math.inf, None, 0.0
        for bound, i in candidates:
            if bound > best + 1e-3:
                break
            line, length, start = self.lines[i]
            x, d = nearest_on_line(line, length, lat, lon)
            if d < best - 1e-9 or (abs(d - best) <= 1e-9 and i < best_index):
                best, best_index, best_along = d, i, start + x
        return best_along


def great_circle(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371008.8 * math.asin(min(1.0, math.sqrt(h)))


def nearest_on_line(line, length, lat, lon):
    """(distance along the geodesic, distance to the point) of the point of line[0, length] nearest (lat, lon)."""

    def dist(x):
        p = line.Position(x, Geodesic.LATITUDE | Geodesic.LONGITUDE | Geodesic.LONG_UNROLL)
        return WGS84.Inverse(lat, lon, p["lat2"], p["lon2"], Geodesic.DISTANCE)["s12"]

    lo, hi = 0.0, length
    x1, x2 = hi - GOLDEN * (hi - lo), lo + GOLDEN * (hi - lo)
    f1, f2 = dist(x1), dist(x2)
    while hi - lo > SEARCH_TOLERANCE_M:
        if f1 <= f2:
            hi, x2, f2 = x2, x1, f1
            x1 = hi - GOLDEN * (hi - lo)
            f1 = dist(x1)
        else:
            lo, x1, f1 = x1, x2, f2
            x2 = lo + GOLDEN * (hi - lo)
            f2 = dist(x2)
    x = (lo + hi) / 2
    ends = [(dist(0.0), 0.0), (dist(x), x), (dist(length), length)]
    d, x = min(ends)
    return x, d


# ---------------------------------------------------------------- the static feed


class Trip:
    pass


def load_feed(folder):
    agencies = read_table(folder, "agency.txt")
    if not agencies:
        fail(f"{folder}/agency.txt: no agency")
    zone_of_agency = {a.get("agency_id", ""): a["agency_timezone"] for a in agencies}
    only_agency = agencies[0].get("agency_id", "") if len(agencies) == 1 else None
    routes = {}
    for r in read_table(folder, "routes.txt"):
        agency = r.get("agency_id", "") or only_agency
        if agency is None or agency not in zone_of_agency:
            fail(f"{folder}/routes.txt: route {r['route_id']}: agency_id {r.get('agency_id')!r} is not in agency.txt")
        routes[r["route_id"]] = agency
    stops = {s["stop_id"]: (float(s["stop_lat"]), float(s["stop_lon"])) for s in read_table(folder, "stops.txt")
             if s.get("stop_lat") and s.get("stop_lon")}
    shapes = {}
    for p in read_table(folder, "shapes.txt", required=False):
        shapes.setdefault(p["shape_id"], []).append(
            (int(p["shape_pt_sequence"]), float(p["shape_pt_lat"]), float(p["shape_pt_lon"])))
    shapes = {k: [(lat, lon) for _, lat, lon in sorted(v)] for k, v in shapes.items()}

    service_dates = {}
    for c in read_table(folder, "calendar.txt", required=False):
        days = [c[d] == "1" for d in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")]
        d, end = gtfs_date(c["start_date"], "calendar.txt"), gtfs_date(c["end_date"], "calendar.txt")
        dates = service_dates.setdefault(c["service_id"], set())
        while d <= end:
            if days[d.weekday()]:
                dates.add(d)
            d += timedelta(days=1)
    for e in read_table(folder, "calendar_dates.txt", required=False):
        dates = service_dates.setdefault(e["service_id"], set())
        d = gtfs_date(e["date"], "calendar_dates.txt")
        if e["exception_type"] == "1":
            dates.add(d)
        elif e["exception_type"] == "2":
            dates.discard(d)

    stop_times = {}
    for st in read_table(folder, "stop_times.txt"):
        where = f"stop_times.txt: trip {st['trip_id']} stop_sequence {st['stop_sequence']}"
        stop_times.setdefault(st["trip_id"], []).append((
            int(st["stop_sequence"]), st["stop_id"],
            gtfs_seconds(st.get("arrival_time", ""), where), gtfs_seconds(st.get("departure_time", ""), where)))
    frequencies = {}
    for f in read_table(folder, "frequencies.txt", required=False):
        frequencies.setdefault(f["trip_id"], []).append((
            gtfs_seconds(f["start_time"], "frequencies.txt"), gtfs_seconds(f["end_time"], "frequencies.txt"),
            f.get("exact_times", "") == "1"))

    trips = {}
    for t in read_table(folder, "trips.txt"):
        trip = Trip()
        trip.id, trip.route = t["trip_id"], t["route_id"]
        trip.agency = routes[t["route_id"]]
        trip.zone = ZoneInfo(zone_of_agency[trip.agency])
        trip.service_dates = service_dates.get(t["service_id"], set())
        trip.stops = [(seq, sid, stops[sid], arr, dep) for seq, sid, arr, dep in sorted(stop_times.get(trip.id, []))]
        shape = shapes.get(t.get("shape_id", ""), [])
        trip.shape_points = tuple(shape if shape else [s[2] for s in trip.stops])
        trip.stop_along = None  # measured lazily: only trips that positions use
        trip.frequencies = frequencies.get(trip.id, [])
        trip.headway_based = bool(trip.frequencies) and not any(exact for _, _, exact in trip.frequencies)
        trips[trip.id] = trip
    return trips


POLYLINES = {}


def polyline(trip):
    """The trip's shape as a geodesic polyline, built once per distinct shape."""
    if trip.shape_points not in POLYLINES:
        POLYLINES[trip.shape_points] = Polyline(list(trip.shape_points))
    return POLYLINES[trip.shape_points]


def stop_along(trip):
    if trip.stop_along is None:
        trip.stop_along = [polyline(trip).project(lat, lon) for _, _, (lat, lon), _, _ in trip.stops]
    return trip.stop_along


# ---------------------------------------------------------------- schedule


def day_start_ms(service_date, zone):
    """GTFS times count from noon minus 12 h of the service date, local to the agency."""
    noon = datetime.combine(service_date, time(12), tzinfo=zone)
    return int((noon.astimezone(timezone.utc) - timedelta(hours=12)).timestamp()) * 1000


def template_span(trip):
    times = [t for s in trip.stops for t in (s[3], s[4]) if t is not None]
    return (min(times), max(times)) if times else None


def schedule_span(trip):
    """The first and last scheduled second of a trip's day (frequency trips: all their runs)."""
    span = template_span(trip)
    if span is None:
        return None
    if trip.frequencies:
        duration = span[1] - span[0]
        return min(f[0] for f in trip.frequencies), max(f[1] for f in trip.frequencies) + duration
    return span


def service_date_of(trip, position):
    given = position.get("startDate")
    if given:  # a start date that is no date leaves the position without a service date, like one out of service
        try:
            return datetime.strptime(given, "%Y%m%d").date()
        except ValueError:
            return None
    t = position["timestamp"]
    today = datetime.fromtimestamp(t / 1000, tz=timezone.utc).astimezone(trip.zone).date()
    span = schedule_span(trip)
    best = None
    for candidate in (today, today - timedelta(days=1)):
        if candidate not in trip.service_dates:
            continue
        if span is None:
            distance = 0
        else:
            start = day_start_ms(candidate, trip.zone)
            first, last = start + span[0] * 1000, start + span[1] * 1000
            distance = 0 if first <= t <= last else min(abs(t - first), abs(t - last))
        if best is None or distance < best[0]:
            best = (distance, candidate)
    return best[1] if best else None


def scheduled_ms(trip, stop, service_date, start_time):
    _, _, _, arrival, departure = stop
    seconds = arrival if arrival is not None else departure
    if seconds is None or trip.headway_based:
        return None
    if trip.frequencies:  # exact_times=1: the run is the feed's startTime, the stop times a template
        if not start_time:
            return None
        seconds = gtfs_seconds(start_time, "startTime") + seconds - template_span(trip)[0]
    return day_start_ms(service_date, trip.zone) + seconds * 1000


# ---------------------------------------------------------------- detection


def detect(trips, positions, on_time_from, on_time_to):
    runs = {}  # (vehicleId, tripId) → run state
    rows = {}
    counts = {"unobservedStops": 0, "positionsBehind": 0, "positionsWithoutTrip": 0, "positionsOutOfService": 0}
    for p in positions:
        trip = trips.get(p.get("tripId") or "")
        if trip is None:
            counts["positionsWithoutTrip"] += 1
            continue
        service_date = service_date_of(trip, p)
        if service_date is None:
            counts["positionsOutOfService"] += 1
            continue
        along = stop_along(trip)
        s2, t2 = polyline(trip).project(p["latitude"], p["longitude"]), p["timestamp"]
        run_of = (service_date, p.get("startTime") or "")
        run = runs.get((p["vehicleId"], trip.id))
        if run is None or run["of"] != run_of:
            k = 0
            while k < len(along) and along[k] <= s2:
                counts["unobservedStops"] += 1
                k += 1
            runs[(p["vehicleId"], trip.id)] = {"of": run_of, "t": t2, "s": s2, "next": k}
            continue
        s1, t1 = run["s"], run["t"]
        if s2 < s1 or t2 < t1:
            counts["positionsBehind"] += 1
            continue
        k = run["next"]
        while k < len(along) and along[k] <= s2:
            if along[k] <= s1:
                counts["unobservedStops"] += 1
            else:
                at = t1 + (along[k] - s1) / (s2 - s1) * (t2 - t1)
                arrival = math.floor(at / 1000 + 0.5) * 1000
                stop = trip.stops[k]
                scheduled = scheduled_ms(trip, stop, service_date, p.get("startTime"))
                delay = None if scheduled is None else (arrival - scheduled) // 1000
                key = (trip.agency, trip.id, service_date.isoformat(), stop[0])
                rows[key] = {
                    "agencyId": trip.agency, "tripId": trip.id, "routeId": trip.route, "vehicleId": p["vehicleId"],
                    "serviceDate": service_date.isoformat(), "stopId": stop[1], "stopSequence": stop[0],
                    "arrivalTime": arrival, "scheduledArrivalTime": scheduled, "delaySeconds": delay,
                    "onTime": None if delay is None else on_time_from <= delay <= on_time_to,
                    "headwaySeconds": None, "_headwayBased": trip.headway_based,
                }
            k += 1
        run.update(t=t2, s=s2, next=k)
    add_headways(rows.values())
    out = sorted(rows.values(), key=lambda r: (r["serviceDate"], r["tripId"], r["stopSequence"]))
    for r in out:
        del r["_headwayBased"]
    return out, counts


def add_headways(rows):
    """Frequency trips with exact_times=0: seconds since the previous arrival at the same stop of the same route."""
    by_stop = {}
    for r in rows:
        if r["_headwayBased"]:
            by_stop.setdefault((r["routeId"], r["stopId"]), []).append(r)
    for arrivals in by_stop.values():
        arrivals.sort(key=lambda r: (r["arrivalTime"], r["tripId"], r["serviceDate"], r["stopSequence"]))
        for previous, r in zip(arrivals, arrivals[1:]):
            r["headwaySeconds"] = (r["arrivalTime"] - previous["arrivalTime"]) // 1000


def read_positions(path):
    positions = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                p = json.loads(line)
            except json.JSONDecodeError as e:
                fail(f"{path}:{n}: not JSON ({e.msg}); write one position object per line")
            for field in ("vehicleId", "latitude", "longitude", "timestamp"):
                if p.get(field) is None:
                    fail(f"{path}:{n}: field {field} is missing; every position needs it")
            positions.append(p)
    return positions


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gtfs", required=True)
    parser.add_argument("--positions", required=True)
    parser.add_argument("--on-time-from", type=int, default=-60)
    parser.add_argument("--on-time-to", type=int, default=300)
    parser.add_argument("--counts", action="store_true")
    args = parser.parse_args()
    rows, counts = detect(load_feed(args.gtfs), read_positions(args.positions), args.on_time_from, args.on_time_to)
    for r in rows:
        print(json.dumps(r, separators=(",", ":")))
    if args.counts:
        print(json.dumps({"counts": counts}, separators=(",", ":")))


if __name__ == "__main__":
    main()
