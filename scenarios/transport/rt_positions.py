#!/usr/bin/env python3
"""Turns decoded GTFS-Realtime VehiclePositions snapshots (JSON, gtfs-realtime.proto field names) into the
JSON-lines positions of transport.positions.v1 (docs/transport-data-contract.md), snapshots in the order given,
entities in feed order. Entities without a vehicle position are left out, as the gateway drops them.

    rt_positions.py SNAPSHOT.json... > positions.jsonl

Standard library only.
"""
import json
import sys


def positions(snapshot_path):
    with open(snapshot_path, encoding="utf-8") as f:
        try:
            feed = json.load(f)
        except json.JSONDecodeError as e:
            sys.exit(f"error: {snapshot_path}: not JSON ({e.msg}); give decoded GTFS-RT snapshots")
    header_ts = feed.get("header", {}).get("timestamp")
    for entity in feed.get("entity", []):
        v = entity.get("vehicle")
        if not v or "position" not in v:
            continue
        trip, pos, vehicle = v.get("trip", {}), v["position"], v.get("vehicle", {})
        ts = v.get("timestamp") or header_ts
        out = {"entityId": entity["id"], "vehicleId": vehicle.get("id") or entity["id"]}
        if vehicle.get("label"):
            out["vehicleLabel"] = vehicle["label"]
        for src, dst in (("trip_id", "tripId"), ("route_id", "routeId"), ("direction_id", "directionId"),
                         ("start_date", "startDate"), ("start_time", "startTime")):
            if trip.get(src) is not None:
                out[dst] = trip[src]
        out["latitude"], out["longitude"] = pos["latitude"], pos["longitude"]
        for src, dst in (("bearing", "bearing"), ("speed", "speed")):
            if pos.get(src) is not None:
                out[dst] = pos[src]
        for src, dst in (("current_stop_sequence", "currentStopSequence"), ("stop_id", "stopId"),
                         ("current_status", "currentStatus")):
            if v.get(src) is not None:
                out[dst] = v[src]
        out["timestamp"] = int(ts) * 1000
        yield out


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: rt_positions.py SNAPSHOT.json... > positions.jsonl")
    for path in sys.argv[1:]:
        for p in positions(path):
            print(json.dumps(p, separators=(",", ":")))
