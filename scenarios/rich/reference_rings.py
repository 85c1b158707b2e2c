#!/usr/bin/env python3
"""Reference implementation of the RICH blueprint's ring filter (track mode), independent of the platform's code:
reads the wire records of a run (rich.tracks.v1, rich.hits.v1: concatenated big-endian records) and prints, by the
rules of docs/rich-data-contract.md ("The ring filter (track mode), exactly"), one JSON object per line: every hit
in file order, then every track's ring in file order.

    reference_rings.py --tracks tracks.bin --hits hits.bin [--params parameters.json]
    reference_rings.py --tracks tracks.bin --hits hits.bin [--params parameters.json] --measure truth.jsonl

  {"kind":"hit","ix":…,"iy":…,"timeNs":"…","label":"signal"|"noise","trackId":"…"|null}
  {"kind":"ring","trackId":"…","found":true,"hits":…,"centreX":…,"centreY":…,"radius":…,"chi2":…,"ndf":…,
   "cherenkovAngle":…,"beta":…}                        (not found: "hits":0 and null fit fields)

With --measure, prints instead one JSON object with the contract's measures against the truth (hit precision and
recall, efficiency, fake rings per event) for this filter and for the prior time-only filter (a hit is signal when
|th − tT| ≤ 70 µs for some track; a track's "ring" is then every hit within 70 µs of it, found with at least
minRingHits hits and true when more than half of them are truly its own).

Python 3.11 standard library only. Track values are the float32 values the wire carries, times integer ns.
"""
import argparse
import bisect
import json
import math
import struct
import sys

C_MM_PER_NS = 299.792458
TIME_ONLY_WINDOW_NS = 70_000
MAX_REFITS = 10
TAUBIN_MAX_ITERATIONS = 99

DEFAULTS = {
    "pixelsPerSide": 240,
    "pixelPitchMm": 3,
    "distanceMm": 200,
    "refractiveIndex": 1.05,
    "photoElectrons": 50,
    "betaSpread": 0.02,
    "angularResolutionMrad": 10,
    "timeResolutionNs": 1000,
    "trackRateHz": 10,
    "darkRatePerPixelHz": 0.0347,
    "timeWindowSigmas": 3,
    "ringSigmas": 3,
    "minRingHits": 5,
}

TRACK_RECORD = struct.Struct(">6fqq")
HIT_RECORD = struct.Struct(">iiqq")


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


def read_records(path, record):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) % record.size:
        fail(f"{path}: {len(data)} bytes is not a whole number of {record.size}-byte records")
    return list(record.iter_unpack(data))


def read_tracks(path):
    return [
        {"x": x, "y": y, "vx": vx, "vy": vy, "vz": vz, "timeNs": sec * 1_000_000_000 + nsec}
        for x, y, _z, vx, vy, vz, sec, nsec in read_records(path, TRACK_RECORD)
    ]


def read_hits(path):
    return [{"ix": ix, "iy": iy, "timeNs": sec * 1_000_000_000 + nsec} for ix, iy, sec, nsec in read_records(path, HIT_RECORD)]


def read_params(path):
    params = dict(DEFAULTS)
    if path:
        with open(path, encoding="utf-8") as f:
            given = json.load(f)
        given = given.get("parameters", given)
        for name, value in given.items():
            if name not in DEFAULTS:
                fail(f"{path}: unknown parameter {name}")
            params[name] = value
    return params


class Geometry:
    """The symbols of the rule, derived from the parameters."""

    def __init__(self, p):
        self.n = p["refractiveIndex"]
        self.D = p["distanceMm"]
        self.pitch = p["pixelPitchMm"]
        self.N = p["pixelsPerSide"]
        self.sigma_t = p["timeResolutionNs"]
        self.kt = p["timeWindowSigmas"]
        self.k = p["ringSigmas"]
        self.min_hits = p["minRingHits"]
        theta_max = math.acos(1 / self.n)
        theta_min = math.acos(min(1.0, 1 / (self.n * (1 - p["betaSpread"]))))
        sigma_theta = p["angularResolutionMrad"] * 1e-3
        self.sigma_r = math.sqrt((self.D * sigma_theta / math.cos(theta_max) ** 2) ** 2 + self.pitch**2 / 12)
        self.q_min = self.D * math.tan(theta_min) - self.k * self.sigma_r
        self.q_max = self.D * math.tan(theta_max) + self.k * self.sigma_r

    def pixel_centre(self, ix, iy):
        return ((ix + 0.5 - self.N / 2) * self.pitch, (iy + 0.5 - self.N / 2) * self.pitch)


def normalise(a):
    length = math.sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2])
    return (a[0] / length, a[1] / length, a[2] / length)


def dot(a, b):
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def cross(a, b):
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


class TrackFrame:
    """A track's direction v (normalised from its float32 components), e1 = v × ẑ normalised (x̂ when v ∥ ẑ), e2 = v × e1."""

    def __init__(self, track, g):
        self.g = g
        self.x0, self.y0 = track["x"], track["y"]
        self.v = normalise((track["vx"], track["vy"], track["vz"]))
        vz_cross = cross(self.v, (0.0, 0.0, 1.0))
        if math.sqrt(dot(vz_cross, vz_cross)) > 1e-9:
            self.e1 = normalise(vz_cross)
        else:
            self.e1 = (1.0, 0.0, 0.0)
        self.e2 = cross(self.v, self.e1)
        self.mu = g.D / (self.v[2] * C_MM_PER_NS) + 10 * g.sigma_t

    def point(self, hit):
        """(q, θh): the hit's point in the track's normal-incidence plane, and its polar angle around v."""
        hx, hy = self.g.pixel_centre(hit["ix"], hit["iy"])
        u = normalise((hx - self.x0, hy - self.y0, self.g.D))
        theta = math.acos(max(-1.0, min(1.0, dot(u, self.v))))
        phi = math.atan2(dot(u, self.e2), dot(u, self.e1))
        r = self.g.D * math.tan(theta)
        return (r * math.cos(phi), r * math.sin(phi)), theta


def taubin(points):
    """Taubin's algebraic circle fit as Chernov's CircleFitByTaubin: centred moments, Newton's method on the
    characteristic polynomial from 0. Returns (a, b, R), or None when the fit degenerates."""
    count = len(points)
    mx = sum(p[0] for p in points) / count
    my = sum(p[1] for p in points) / count
    Mxx = Myy = Mxy = Mxz = Myz = Mzz = 0.0
    for px, py in points:
        xi, yi = px - mx, py - my
        zi = xi * xi + yi * yi
        Mxy += xi * yi
        Mxx += xi * xi
        Myy += yi * yi
        Mxz += xi * zi
        Myz += yi * zi
        Mzz += zi * zi
    Mxx /= count
    Myy /= count
    Mxy /= count
    Mxz /= count
    Myz /= count
    Mzz /= count
    Mz = Mxx + Myy
    Cov_xy = Mxx * Myy - Mxy * Mxy
    Var_z = Mzz - Mz * Mz
    A3 = 4 * Mz
    A2 = -3 * Mz * Mz - Mzz
    A1 = Var_z * Mz + 4 * Cov_xy * Mz - Mxz * Mxz - Myz * Myz
    A0 = Mxz * (Mxz * Myy - Myz * Mxy) + Myz * (Myz * Mxx - Mxz * Mxy) - Var_z * Cov_xy
    A22 = A2 + A2
    A33 = A3 + A3 + A3
    x = 0.0
    y = A0
    for _ in range(TAUBIN_MAX_ITERATIONS):
        Dy = A1 + x * (A22 + A33 * x)
        if Dy == 0:
            break
        xnew = x - y / Dy
        if xnew == x or not math.isfinite(xnew):
            break
        ynew = A0 + xnew * (A1 + xnew * (A2 + xnew * A3))
        if abs(ynew) >= abs(y):
            break
        x, y = xnew, ynew
    det = x * x - x * Mz + Cov_xy
    if det == 0:
        return None
    cx = (Mxz * (Myy - x) - Myz * Mxy) / det / 2
    cy = (Myz * (Mxx - x) - Mxz * Mxy) / det / 2
    radius = math.sqrt(cx * cx + cy * cy + Mz)
    if not (math.isfinite(cx) and math.isfinite(cy) and math.isfinite(radius)):
        return None
    return (cx + mx, cy + my, radius)


def residual(q, fit):
    return abs(math.hypot(q[0] - fit[0], q[1] - fit[1]) - fit[2])


def candidates(track, frame, hits, times, g):
    """{hit index: q} of the hits in the track's time window and ring annulus."""
    window = g.kt * g.sigma_t
    first = bisect.bisect_left(times, track["timeNs"] + math.floor(frame.mu - window) - 1)
    last = bisect.bisect_right(times, track["timeNs"] + math.ceil(frame.mu + window) + 1)
    found = {}
    for i in range(first, last):
        hit = hits[i]
        if abs((hit["timeNs"] - track["timeNs"]) - frame.mu) > window:
            continue
        q, theta = frame.point(hit)
        if theta < math.pi / 2 and g.q_min <= math.hypot(q[0], q[1]) <= g.q_max:
            found[i] = q
    return found


def radial_seed(cands, g):
    """The candidates (in S0 order) of the fullest band [rho_j, rho_j + 2k·sigma_r] of distance from the origin,
    rho_j a candidate's own distance; ties: the smallest rho_j."""
    rho = {i: math.sqrt(q[0] * q[0] + q[1] * q[1]) for i, q in cands.items()}
    radii = sorted(rho.values())
    width = 2 * g.k * g.sigma_r
    best_from, best_count, end = None, 0, 0
    for j, start in enumerate(radii):
        while end < len(radii) and radii[end] - start <= width:
            end += 1
        if end - j > best_count:
            best_from, best_count = start, end - j
    return [i for i in cands if rho[i] >= best_from and rho[i] - best_from <= width]


def find_ring(cands, g):
    """(final hit indices, fit) of the rule's fit-and-trim loop, or None when no ring."""
    if len(cands) < g.min_hits:
        return None
    s0 = list(cands)
    s = radial_seed(cands, g)
    if len(s) < g.min_hits:
        return None
    fit = taubin([cands[i] for i in s])
    if fit is None:
        return None
    for _ in range(MAX_REFITS):
        kept = [i for i in s0 if residual(cands[i], fit) <= g.k * g.sigma_r]
        if len(kept) < g.min_hits:
            return None
        if kept == s:
            break
        s = kept
        fit = taubin([cands[i] for i in s])
        if fit is None:
            return None
    return s, fit


def ring_filter(tracks, hits, g):
    """(label per hit: the claiming track's index or None, ring result per track)."""
    order = sorted(range(len(hits)), key=lambda i: hits[i]["timeNs"])
    sorted_hits = [hits[i] for i in order]
    times = [h["timeNs"] for h in sorted_hits]
    rings = []
    claims = {}  # hit index → (residual, track time, track index)
    for t, track in enumerate(tracks):
        cands = candidates(track, TrackFrame(track, g), sorted_hits, times, g)
        ring = find_ring(cands, g)
        rings.append(ring and {"hits": ring[0], "fit": ring[1], "q": cands})
        if ring:
            for i in ring[0]:
                claim = (residual(cands[i], ring[1]), track["timeNs"], t)
                if order[i] not in claims or claim[:2] < claims[order[i]][:2]:
                    claims[order[i]] = claim
    labels = [claims[i][2] if i in claims else None for i in range(len(hits))]
    results = []
    for t, (track, ring) in enumerate(zip(tracks, rings)):
        result = {"kind": "ring", "trackId": str(track["timeNs"]), "found": ring is not None}
        if ring is None:
            result.update(hits=0, centreX=None, centreY=None, radius=None, chi2=None, ndf=None, cherenkovAngle=None, beta=None)
        else:
            kept = [i for i in ring["hits"] if labels[order[i]] == t]
            a, b, radius = ring["fit"]
            angle = math.atan(radius / g.D)
            result.update(
                hits=len(kept),
                centreX=a,
                centreY=b,
                radius=radius,
                chi2=sum((residual(ring["q"][i], ring["fit"]) / g.sigma_r) ** 2 for i in kept),
                ndf=len(kept) - 3,
                cherenkovAngle=angle,
                beta=1 / (g.n * math.cos(angle)),
            )
        results.append(result)
    return labels, results


def time_only_filter(tracks, hits):
    """The prior filter: per track, the hit indices within ±70 µs of it."""
    order = sorted(range(len(hits)), key=lambda i: hits[i]["timeNs"])
    times = [hits[i]["timeNs"] for i in order]
    joined = []
    for track in tracks:
        first = bisect.bisect_left(times, track["timeNs"] - TIME_ONLY_WINDOW_NS)
        last = bisect.bisect_right(times, track["timeNs"] + TIME_ONLY_WINDOW_NS)
        joined.append([order[i] for i in range(first, last)])
    return joined


def read_truth(path, hits):
    """The true track id (int or None) of every hit, in hits.bin order; every truth line must match one hit."""
    truth = {}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if line.strip():
                o = json.loads(line)
                key = (o["ix"], o["iy"], int(o["timeNs"]))
                if key in truth:
                    fail(f"{path}:{number}: hit {key} appears twice")
                truth[key] = None if o["trackId"] is None else int(o["trackId"])
    keys = [(h["ix"], h["iy"], h["timeNs"]) for h in hits]
    missing = [k for k in keys if k not in truth]
    if missing or len(truth) != len(keys):
        fail(f"{path}: truth and hits differ ({len(truth)} truth lines, {len(keys)} hits, {len(missing)} hits without truth)")
    return [truth[k] for k in keys]


def measures(tracks, truth, signal, rings, g):
    """Contract measures. signal: the hit indices labelled signal; rings: per track, None (no ring) or the hit
    indices its ring keeps."""
    true_signal = {i for i, t in enumerate(truth) if t is not None}
    true_positive = len(signal & true_signal)
    per_track = {}
    for t in truth:
        if t is not None:
            per_track[t] = per_track.get(t, 0) + 1
    findable = found_true = fake = 0
    for track, kept in zip(tracks, rings):
        is_findable = per_track.get(track["timeNs"], 0) >= g.min_hits
        findable += is_findable
        if kept is None:
            continue
        own = sum(1 for i in kept if truth[i] == track["timeNs"])
        if 2 * own > len(kept):
            found_true += is_findable
        else:
            fake += 1
    return {
        "precision": true_positive / len(signal) if signal else None,
        "recall": true_positive / len(true_signal) if true_signal else None,
        "efficiency": found_true / findable if findable else None,
        "fakeRingsPerEvent": fake / len(tracks) if tracks else None,
        "labelledSignal": len(signal),
        "findableTracks": findable,
    }


def compact(o):
    return json.dumps(o, separators=(",", ":"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tracks", required=True, help="concatenated rich.tracks.v1 records")
    parser.add_argument("--hits", required=True, help="concatenated rich.hits.v1 records")
    parser.add_argument("--params", help="JSON file of the contract's parameters (default: the contract's defaults)")
    parser.add_argument("--measure", metavar="TRUTH", help="truth.jsonl: print the measures of both filters instead")
    args = parser.parse_args()
    g = Geometry(read_params(args.params))
    tracks = read_tracks(args.tracks)
    hits = read_hits(args.hits)
    labels, rings = ring_filter(tracks, hits, g)
    if args.measure:
        truth = read_truth(args.measure, hits)
        kept = [[] if r["found"] else None for r in rings]
        for i, t in enumerate(labels):
            if t is not None:
                kept[t].append(i)
        joined = time_only_filter(tracks, hits)
        result = {
            "tracks": len(tracks),
            "hits": len(hits),
            "trueSignalHits": sum(1 for t in truth if t is not None),
            "ringFilter": measures(tracks, truth, {i for i, t in enumerate(labels) if t is not None}, kept, g),
            "timeOnly": measures(tracks, truth, {i for j in joined for i in j}, [j if len(j) >= g.min_hits else None for j in joined], g),
        }
        print(compact(result))
        return
    out = sys.stdout
    for hit, label in zip(hits, labels):
        trackId = None if label is None else str(tracks[label]["timeNs"])
        fields = {"kind": "hit", "ix": hit["ix"], "iy": hit["iy"], "timeNs": str(hit["timeNs"])}
        out.write(compact({**fields, "label": "noise" if label is None else "signal", "trackId": trackId}) + "\n")
    for ring in rings:
        out.write(compact(ring) + "\n")


if __name__ == "__main__":
    main()
