#!/usr/bin/env python3
"""Reference implementation of the sensors pipeline, independent of its code: computes what the platform
must produce from messages.jsonl, by the rules stated in README.md, and writes expected.json.

    python3 scenarios/sensors/derive_expected.py [--zones UTC,Asia/Novosibirsk] [--stdout]
        [--window-seconds 600] [--slide-seconds 10] [--allowed-lateness-seconds 3600]

The window parameters default to those of iot-platform.yaml (parameters: summaryWindowSeconds,
summarySlideSeconds, allowedLatenessSeconds).

Standard library only. Nothing here reads the Flink SQL, dbt models or TypeScript services.
"""
import argparse
import base64
import json
import re
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
THRESHOLD = 50.0  # humidity % at or above which a reading ends a drought / makes a day not dry
JOIN_BOUND_MS = 60_000  # humidity and temperature of one tick: same seq, at most 1 minute apart
# The manifest's defaults (iot-platform.yaml parameters:), overridable on the command line.
SUMMARY_WINDOW_SECONDS = 600  # summaryWindowSeconds: a recent summary covers 10 minutes of event time
SUMMARY_SLIDE_SECONDS = 10  # summarySlideSeconds: a window starts every 10 s, aligned to the epoch
ALLOWED_LATENESS_SECONDS = 3600  # allowedLatenessSeconds: how late a reading may come and still count

# The event definitions of iot-platform.yaml (blueprints/sensors/manifest.yaml), restated: CSV columns in
# order, type and bounds. MQTT topic "{env}/{tenant}/sensors/{deviceId}/{kind}".
EVENTS = {
    "humidity": [("deviceId", "string"), ("eventTime", "timestamp"), ("humidity", "double", 0, 100), ("seq", "long", 0, None)],
    "temperature": [("deviceId", "string"), ("eventTime", "timestamp"), ("temperature", "double", -80, 80), ("seq", "long", 0, None)],
    "location": [("deviceId", "string"), ("eventTime", "timestamp"), ("lat", "double", -90, 90), ("lon", "double", -180, 180)],
    "state": [("deviceId", "string"), ("eventTime", "timestamp"), ("rssi", "int", -200, 0), ("snr", "double"),
              ("battery", "double", 0, 100), ("online", "boolean")],
}
TOPIC = re.compile(r"^([^/]+)/([^/]+)/sensors/([^/]+)/(humidity|temperature|location|state)$")
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$", re.I)
DECIMAL = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


class Invalid(Exception):
    pass


def esc(text):
    """A literal inside a regular expression (JavaScript syntax)."""
    return re.sub(r"[.*+?^${}()|[\]\\]", lambda m: "\\" + m.group(0), text)


def num_text(x):
    """A number as JavaScript prints it (50 not 50.0), for reasons quoting a value."""
    return str(int(x)) if float(x).is_integer() else repr(x)


def parse_ms(text):
    t = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T"))
    return int(t.timestamp() * 1000)


def iso(ms):
    t = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def validate(kind, text, device):
    """Gateway rules: exactly the declared CSV columns, each of its type and within its bounds, the deviceId
    equal to the topic's. Returns the record or raises Invalid with a regex of the expected reason."""
    fields = EVENTS[kind]
    cols = text.rstrip("\n").split(",")
    if len(cols) != len(fields):
        raise Invalid(rf"^{kind}: expected {len(fields)} CSV columns \(.*\), got {len(cols)}$")
    rec = {}
    for (name, typ, *bounds), raw in zip(fields, (c.strip() for c in cols)):
        if raw == "":
            raise Invalid(rf"^{kind}: field {name} is missing$")
        if typ == "string":
            value = raw
        elif typ in ("int", "long"):
            if not re.fullmatch(r"[+-]?\d+", raw):
                raise Invalid(rf"^{kind}: field {name} must be an integer")
            value = int(raw)
        elif typ == "double":
            if not DECIMAL.match(raw):
                raise Invalid(rf"^{kind}: field {name} must be a number")
            value = float(raw)
        elif typ == "boolean":
            if raw.lower() in ("true", "1"):
                value = True
            elif raw.lower() in ("false", "0"):
                value = False
            else:
                raise Invalid(rf"^{kind}: field {name} must be a boolean")
        else:  # timestamp: ISO-8601 with a zone
            if not ISO.match(raw):
                raise Invalid(rf"^{kind}: field {name} must be an ISO-8601 timestamp")
            value = parse_ms(raw)
        if bounds and isinstance(value, (int, float)) and not isinstance(value, bool):
            lo, hi = (bounds + [None])[:2]
            if lo is not None and value < lo:
                raise Invalid(rf"^{kind}: field {name} = {esc(num_text(value))} is below the minimum {num_text(lo)}$")
            if hi is not None and value > hi:
                raise Invalid(rf"^{kind}: field {name} = {esc(num_text(value))} is above the maximum {num_text(hi)}$")
        rec[name] = value
    if rec["deviceId"] != device:
        q = '"'
        raise Invalid(f"^{kind}: field deviceId = {q}{esc(rec['deviceId'])}{q} does not match the topic's deviceId {q}{esc(device)}{q}$")
    return rec


def read_messages():
    records = defaultdict(list)  # kind -> records in publish order
    dead = []
    lines = [json.loads(line) for line in (HERE / "messages.jsonl").read_text().splitlines() if line.strip()]
    lines.sort(key=lambda m: m["order"])
    for m in lines:  # in publish order: what the platform receives, in that order
        env, tenant, device, kind = TOPIC.match(m["topic"]).groups()
        raw = base64.b64decode(m["payload"]) if m.get("encoding") == "base64" else m["payload"].encode()
        letter = {"mqttTopic": m["topic"], "rawPayload": m["payload"]}
        if m.get("encoding") == "base64":
            letter["encoding"] = "base64"
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            dead.append({**letter, "reason": rf"^{kind}: payload is not valid UTF-8$"})
            continue
        try:
            rec = validate(kind, text, device)
        except Invalid as e:
            dead.append({**letter, "reason": str(e)})
            continue
        records[kind].append({"env": env, "tenant": tenant, **rec, "order": m["order"]})
    return lines, records, dead


def key(r):
    return (r["env"], r["tenant"], r.get("deviceId") or r.get("device_id"))


def measurements(records):
    """Humidity ⋈ temperature: same env, tenant, device and seq, event times at most 1 minute apart, whatever the
    order they arrive in. A measurement exists from the arrival of the second of the two ("order")."""
    temps = defaultdict(list)
    for t in records["temperature"]:
        temps[(*key(t), t["seq"])].append(t)
    out = []
    for h in records["humidity"]:
        for t in temps[(*key(h), h["seq"])]:
            if abs(t["eventTime"] - h["eventTime"]) <= JOIN_BOUND_MS:
                out.append({"env": h["env"], "tenant": h["tenant"], "device_id": h["deviceId"], "t": h["eventTime"],
                            "seq": h["seq"], "humidity": h["humidity"], "temperature": t["temperature"], "t_temp": t["eventTime"],
                            "order": max(h["order"], t["order"])})
    return sorted(out, key=lambda m: m["order"])


def version_at(versions, k, t, before):
    """The device's report valid at t among those received before arrival number `before`: the latest by event time
    at or before t; of equal event times, the one received last. A report that arrives after a measurement serves
    only later measurements."""
    best = None
    for v in versions:
        if key(v) == k and v["order"] < before and v["eventTime"] <= t and (best is None or v["eventTime"] >= best["eventTime"]):
            best = v
    return best


def latest_arrived(versions, k):
    """The device's report received last (its current location or state), or None."""
    mine = [v for v in versions if key(v) == k]
    return max(mine, key=lambda v: v["order"]) if mine else None


def enrich(ms, records):
    for m in ms:
        loc = version_at(records["location"], key(m), m["t"], m["order"])
        st = version_at(records["state"], key(m), m["t"], m["order"])
        m.update(lat=loc and loc["lat"], lon=loc and loc["lon"], t_loc=loc and loc["eventTime"],
                 rssi=st and st["rssi"], snr=st and st["snr"], battery=st and st["battery"],
                 online=st["online"] if st else None, t_state=st and st["eventTime"])
    return ms


def drop_none(d):
    return {k: v for k, v in d.items() if v is not None}


def local_date(ms, zone):
    return datetime.fromtimestamp(ms / 1000, tz=ZoneInfo(zone)).date()


def pg_round2(x):
    """round(avg::numeric, 2) in PostgreSQL: float8 → numeric keeps 15 significant digits, then half away from zero."""
    return float(Decimal(f"{x:.15g}").quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def dbt_marts(rows, zone):
    days = defaultdict(list)
    for m in rows:
        days[(m["env"], m["tenant"], m["device_id"], local_date(m["t"], zone))].append(m)
    daily, dry = [], []
    streak = {}
    for (env, tenant, device, day), ms in sorted(days.items()):
        hs = [m["humidity"] for m in ms]
        ts = [m["temperature"] for m in ms]
        dkey = f"{env}|{tenant}|{device}|{day.isoformat()}"
        daily.append({"device_day_key": dkey, "env": env, "tenant": tenant, "device_id": device, "local_date": day.isoformat(),
                      "readings": len(ms), "avg_humidity": pg_round2(sum(hs) / len(hs)), "min_humidity": min(hs),
                      "max_humidity": max(hs), "avg_temperature": pg_round2(sum(ts) / len(ts)), "min_temperature": min(ts),
                      "max_temperature": max(ts), "first_measured_at": iso(min(m["t"] for m in ms)),
                      "last_measured_at": iso(max(m["t"] for m in ms))})
        is_dry = max(hs) < THRESHOLD  # every reading of the day below the threshold
        prev = streak.get((env, tenant, device, day - timedelta(days=1)), 0)  # a day without readings breaks it
        streak[(env, tenant, device, day)] = prev + 1 if is_dry else 0
        dry.append({"device_day_key": dkey, "env": env, "tenant": tenant, "device_id": device, "local_date": day.isoformat(),
                    "readings": len(ms), "min_humidity": min(hs), "max_humidity": max(hs), "threshold": THRESHOLD,
                    "is_dry": is_dry, "dry_streak_days": streak[(env, tenant, device, day)]})
    return daily, dry


def main():
    global THRESHOLD
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--zones", default="UTC,Asia/Novosibirsk", help="time zones of the local-day expectations (dbt, API)")
    ap.add_argument("--stdout", action="store_true", help="print instead of writing expected.json")
    ap.add_argument("--window-seconds", type=int, default=SUMMARY_WINDOW_SECONDS, help="summaryWindowSeconds")
    ap.add_argument("--slide-seconds", type=int, default=SUMMARY_SLIDE_SECONDS, help="summarySlideSeconds")
    ap.add_argument("--allowed-lateness-seconds", type=int, default=ALLOWED_LATENESS_SECONDS, help="allowedLatenessSeconds")
    ap.add_argument("--threshold", type=float, default=THRESHOLD, help="dryThreshold")
    args = ap.parse_args()
    THRESHOLD = args.threshold
    zones = [z.strip() for z in args.zones.split(",") if z.strip()]

    lines, records, dead = read_messages()
    ms = enrich(measurements(records), records)

    size_ms, slide_ms = args.window_seconds * 1000, args.slide_seconds * 1000
    lateness_ms = args.allowed_lateness_seconds * 1000
    if size_ms % slide_ms:
        raise SystemExit("--window-seconds must be a multiple of --slide-seconds")

    # Every measurement reaches history, current state and streaks as it arrives, whatever other devices send or
    # do not send afterwards: nothing waits for later traffic, so the log's end changes nothing.
    mine = ms
    # Windows lose nothing within the allowed lateness: a reading counts unless it arrives after event time (the
    # newest event time of the readings received before it, any tenant) has passed the end of the newest window
    # holding it by the allowed lateness or more. This dataset keeps within it; the e2e checks such a reading apart.
    newest = None
    for m in ms:
        end = m["t"] - m["t"] % slide_ms + size_ms
        if newest is not None and end + lateness_ms <= newest:
            raise SystemExit(f"{m['device_id']} at {iso(m['t'])} arrives later than the allowed lateness: the expectations assume none does")
        newest = m["t"] if newest is None else max(newest, m["t"])
    tenants = sorted({(m["env"], m["tenant"]) for m in mine}, key=lambda et: (et[0] != "prod", et))
    by_device = defaultdict(list)
    for m in sorted(mine, key=lambda m: (m["t"], m["order"])):
        by_device[key(m)].append(m)
    current = {k: v[-1] for k, v in by_device.items()}  # the newest by event time (of equal ones, the last received)

    # Redis: latest state per device, drought streak per device, last fired summary window per env/tenant.
    state, drought, summary = [], [], []
    api_devices, api_drought, api_drought_summary, api_summary = [], [], [], []
    for k in sorted(by_device):
        env, tenant, device = k
        last = by_device[k][-1]
        # Current state (Redis hash, API devices): the device's newest measurement by event time, with the location
        # and state it reported last (a report after its last measurement shows here, not in that measurement).
        cur = current[k]
        loc, st = latest_arrived(records["location"], k), latest_arrived(records["state"], k)
        cur_loc = {"lat": loc and loc["lat"], "lon": loc and loc["lon"], "t_loc": loc and loc["eventTime"]}
        cur_st = {"rssi": st and st["rssi"], "snr": st and st["snr"], "battery": st and st["battery"],
                  "online": st["online"] if st else None, "t_state": st and st["eventTime"]}
        state.append({"env": env, "tenant": tenant, "device_id": device, "fields": drop_none({
            "env": env, "tenant": tenant, "device_id": device, "measured_at": iso(cur["t"]), "measured_at_ms": cur["t"],
            "seq": cur["seq"], "humidity": cur["humidity"], "temperature": cur["temperature"], "lat": cur_loc["lat"],
            "lon": cur_loc["lon"], "location_event_time": cur_loc["t_loc"] and iso(cur_loc["t_loc"]), "rssi": cur_st["rssi"],
            "snr": cur_st["snr"], "battery": cur_st["battery"], "online": cur_st["online"],
            "state_event_time": cur_st["t_state"] and iso(cur_st["t_state"])})})
        ok = [m["t"] for m in by_device[k] if m["humidity"] >= THRESHOLD]
        first = by_device[k][0]["t"]
        last_ok = max(ok) if ok else None
        streak_days = ((last["t"] - (last_ok if last_ok is not None else first)) // 1000) / 86400.0
        drought.append({"env": env, "tenant": tenant, "device_id": device, "fields": drop_none({
            "env": env, "tenant": tenant, "device_id": device, "threshold": THRESHOLD, "streak_days": streak_days,
            "last_humidity": last["humidity"], "last_event_ts": iso(last["t"]),
            "last_ok_event_ts": last_ok and iso(last_ok), "first_event_ts": iso(first)})})
        api_drought.append({"env": env, "tenantId": tenant, "deviceId": device, "threshold": THRESHOLD, "lastAt": iso(last["t"]),
                            "lastOkAt": last_ok and iso(last_ok), "streakDays": streak_days, "lastHumidity": last["humidity"]})
        seen = max(t for t in (cur["t"], cur_st["t_state"], cur_loc["t_loc"]) if t is not None)
        api_devices.append({"deviceId": device, "env": env, "tenantId": tenant, "lat": cur_loc["lat"], "lon": cur_loc["lon"],
                            "humidity": cur["humidity"], "temperature": cur["temperature"], "measuredAt": iso(cur["t"]),
                            "rssi": cur_st["rssi"], "snr": cur_st["snr"], "batteryPercent": cur_st["battery"],
                            "reportedOnline": cur_st["online"],
                            # event times lie ahead of the wall clock in the tests, so "heard from recently" holds
                            "online": cur_st["online"] is not False, "lastSeenAt": iso(seen)})
    for env, tenant in tenants:
        # Recent summary: windows of size_ms starting every slide_ms (epoch-aligned). A window closes when event time
        # passes its end, or, once the env/tenant has gone quiet, a bounded wall-clock delay after its last reading;
        # each closed window replaces the env/tenant's previous one, so the newest window holding a reading of the
        # env/tenant stays: the one that starts at the slide boundary at or before its newest reading.
        rows = [m for m in mine if (m["env"], m["tenant"]) == (env, tenant)]
        last_t = max(m["t"] for m in rows)
        start = last_t - last_t % slide_ms
        w = [m for m in rows if start <= m["t"] < start + size_ms]
        on = {m["device_id"] for m in w if m["online"] is True}
        off = {m["device_id"] for m in w if m["online"] is not True}
        f = {"env": env, "tenant": tenant, "window_start": iso(start), "window_end": iso(start + size_ms),
             "window_seconds": size_ms // 1000, "total_devices": len({m["device_id"] for m in w}),
             "online_devices": len(on), "offline_devices": len(off),
             "avg_temperature": sum(m["temperature"] for m in w) / len(w), "avg_humidity": sum(m["humidity"] for m in w) / len(w),
             "min_measured_at_ms": min(m["t"] for m in w), "max_measured_at_ms": max(m["t"] for m in w)}
        summary.append({"env": env, "tenant": tenant, "fields": f})
        api_summary.append({"env": env, "tenantId": tenant, "windowSeconds": size_ms // 1000, "windowStart": f["window_start"],
                            "windowEnd": f["window_end"], "totalDevices": f["total_devices"], "onlineDevices": f["online_devices"],
                            "offlineDevices": f["offline_devices"], "avgTemperature": f["avg_temperature"], "avgHumidity": f["avg_humidity"]})
        mine_d = [d for d in api_drought if (d["env"], d["tenantId"]) == (env, tenant)]
        top = max(mine_d, key=lambda d: d["streakDays"])
        api_drought_summary.append({"env": env, "tenantId": tenant, "threshold": THRESHOLD, "devices": len(mine_d),
                                    "devicesInDrought": sum(1 for d in mine_d if d["streakDays"] > 0),
                                    "maxStreakDays": top["streakDays"], "maxDeviceId": top["deviceId"] if top["streakDays"] > 0 else None})

    readings = [{"env": m["env"], "tenant": m["tenant"], "device_id": m["device_id"], "measured_at": iso(m["t"]), "seq": m["seq"],
                 "humidity": m["humidity"], "temperature": m["temperature"], "temperature_measured_at": iso(m["t_temp"]),
                 "lat": m["lat"], "lon": m["lon"], "location_event_time": m["t_loc"] and iso(m["t_loc"]), "rssi": m["rssi"],
                 "snr": m["snr"], "battery": m["battery"], "online": m["online"],
                 "state_event_time": m["t_state"] and iso(m["t_state"])}
                for m in sorted(mine, key=lambda m: (m["env"], m["tenant"], m["device_id"], m["t"]))]

    dbt, dry_api = {}, {}
    for zone in zones:
        daily, dry = dbt_marts(mine, zone)
        dbt[zone] = {"device_daily": daily, "daily_dry_days": dry}
        dry_api[zone] = []
        for env, tenant in tenants:
            items = sorted((d for d in dry if (d["env"], d["tenant"]) == (env, tenant)), key=lambda d: (d["local_date"], d["device_id"]))
            dry_api[zone].append({"env": env, "tenantId": tenant, "from": items[0]["local_date"], "to": items[-1]["local_date"],
                                  "items": [{"deviceId": d["device_id"], "env": env, "tenantId": tenant, "day": d["local_date"],
                                             "isDryDay": d["is_dry"], "dryStreakDays": d["dry_streak_days"]} for d in items]})

    mine_dead = dead
    expected = {
        "about": "Expected outputs of scenarios/sensors/messages.jsonl, from derive_expected.py (do not edit by hand). "
                 "Times are those of the file; the e2e tests shift them by whole days and rename the tenants per run.",
        "start": iso(min(parse_ms(t) for t in re.findall(r"\d{4}-\d{2}-\d{2}T[0-9:.]+Z", json.dumps(lines)))),
        "threshold": THRESHOLD,
        "tenants": [{"env": e, "tenant": t} for e, t in tenants],
        "parameters": {"summaryWindowSeconds": size_ms // 1000, "summarySlideSeconds": slide_ms // 1000,
                       "allowedLatenessSeconds": lateness_ms // 1000},
        "counts": {"messages": len(lines), "deadLetters": len(mine_dead), "measurements": len(mine),
                   "records": {kind: len(records[kind]) for kind in EVENTS}},
        "eventTimeMsFields": ["measured_at_ms", "min_measured_at_ms", "max_measured_at_ms"],
        "wallClockFields": {
            "state": ["state_ingested_at", "last_seen_ms", "enriched_processing_ts_ms"],
            "drought": ["last_seen_ms", "last_measurement_processing_ts_ms", "last_enriched_processing_ts_ms", "last_humidity_ingested_at"],
            "summary": ["min_measurement_processing_ts_ms", "max_measurement_processing_ts_ms",
                        "min_enriched_processing_ts_ms", "max_enriched_processing_ts_ms"],
        },
        "redis": {"state": state, "drought": drought, "summary": summary},
        "postgres": {"sensor_readings": readings},
        "dbt": dbt,
        "api": {"devices": [{"env": e, "tenantId": t, "items": [d for d in api_devices if (d["env"], d["tenantId"]) == (e, t)]}
                            for e, t in tenants],
                "drought": api_drought, "droughtSummary": api_drought_summary, "recentSummary": api_summary, "dryDays": dry_api},
        "deadLetters": mine_dead,
    }
    text = json.dumps(expected, indent=1, ensure_ascii=False) + "\n"
    if args.stdout:
        print(text, end="")
    else:
        (HERE / "expected.json").write_text(text)
        print(f"wrote {HERE / 'expected.json'}: {len(mine)} measurements, {len(mine_dead)} dead letters, zones {', '.join(zones)}")


if __name__ == "__main__":
    main()
