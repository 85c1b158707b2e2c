#!/usr/bin/env python3
"""Writes messages.jsonl, the sensors scenario: MQTT messages in publish order (stdlib only).

Run after editing the tables below, then run derive_expected.py:
    python3 scenarios/sensors/build_messages.py && python3 scenarios/sensors/derive_expected.py
Each line: {"order", "tick", "topic", "payload"[, "encoding": "base64"], "note"?}.
"""
import base64
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

START = datetime(2026, 3, 2, 2, 0, 0, tzinfo=timezone.utc)  # tick 0; ticks every 6 hours
TICK = timedelta(hours=6)
TICKS = 17  # 0..16: four readings a day from 2026-03-02 to 2026-03-06 02:00Z
# The log ends abruptly: nothing is sent to move event time on after its last messages (see README).

# (env, tenant, deviceId): second offset within a tick, location (None = never reports one), humidity per tick
# (None = no reading that tick), temperature base.
DEVICES = {
    ("prod", "acme", "a-001"): dict(offset=0, loc=(54.8433, 83.0931), temp=0.0, hum=[
        62.5, 58.25, 55.0, 51.5, 49.75, 47.5, 45.25, 44.0, 42.5, 46.0, 50.0, 48.5, 47.25, 45.5, 44.75, 43.0, 41.5]),
    ("prod", "acme", "a-002"): dict(offset=1, loc=(54.84415, 83.09542), temp=1.5, hum=[
        44.0, 43.5, 42.25, 41.0, 40.5, 39.75, 38.0, 37.25, None, None, None, None, 36.5, 35.0, 34.25, 33.5, 32.75]),
    ("prod", "acme", "a-003"): dict(offset=2, loc=None, temp=-1.0, hum=[
        52.0, 49.5, 47.0, 48.25, 51.0, 53.5, 49.0, 47.75, 46.5, 48.0, 49.25, 50.5, 52.75, 48.75, 47.5, 49.0, 50.25]),
    ("dev", "globex", "b-001"): dict(offset=0, loc=(55.0302, 82.9204), temp=4.25, hum=[
        48.0, 50.5, 47.25, 45.0, 44.5, 43.75, 42.0, 41.25, 40.0, 39.5, 38.75, 38.0, 37.5, 36.25, 35.0, 34.5, 33.75]),
    ("dev", "globex", "b-002"): dict(offset=1, loc=(55.031, 82.9215), temp=2.0, hum=[
        55.5, 53.0, 51.25, 49.0, 47.5, 46.25, 48.75, 45.0, 44.25, 43.5, 42.0, 49.5, 51.75, 47.0, 45.75, 48.5, 55.0]),
    # sparse: reports once a day only (ticks 0, 4, 8, 12, 16), so its Kafka partitions may see nothing for a day
    ("prod", "acme", "a-004"): dict(offset=3, loc=(54.8451, 83.1002), temp=0.5, every=4, hum=[
        47.0, None, None, None, 45.5, None, None, None, 52.0, None, None, None, 44.0, None, None, None, 43.5]),
}
# b-002 flushes a burst at the last tick: two more readings 3 and 6 s after its tick reading (one 10-s slice).
BURST = {("dev", "globex", "b-002"): [(3, 54.5, 0.75), (6, 56.25, 1.0)]}  # (seconds after, humidity, temperature)
# prod/acme keeps sending after dev/globex has gone quiet: a-001 and a-003 every 5 minutes for half an hour
# after the last tick (minute, humidity).
TAIL = {
    ("prod", "acme", "a-001"): [(5, 41.25), (10, 41.0), (15, 40.75), (20, 40.5), (25, 40.25), (30, 40.0)],
    ("prod", "acme", "a-003"): [(5, 49.5), (10, 50.75), (15, 49.25), (20, 48.5), (25, 51.5), (30, 49.75)],
}
TEMP_PATTERN = [-2.5, 3.75, 8.5, 1.25]  # added to the base by tick of the day, plus 0.25 per day

messages = []


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def add(tick, t, key, kind, payload, note=None, binary=False):
    env, tenant, device = key
    line = {"tick": tick, "at": t, "topic": f"{env}/{tenant}/sensors/{device}/{kind}"}
    if binary:
        line.update(payload=base64.b64encode(payload).decode(), encoding="base64")
    else:
        line["payload"] = payload
    if note:
        line["note"] = note
    messages.append(line)


def online(key, tick):
    if key[2] == "b-001" and tick >= 14:
        return "False"  # b-001 goes offline and stays offline
    if key[2] == "a-003" and tick == 3:
        return "false"
    return {"a-002": "1", "b-002": "true"}.get(key[2], "True")


def temperature(key, tick):
    return DEVICES[key]["temp"] + TEMP_PATTERN[tick % 4] + 0.25 * (tick // 4)


for tick in range(TICKS):
    base = START + tick * TICK
    for key, d in DEVICES.items():
        device = key[2]
        if tick % d.get("every", 1):
            continue  # a sparse device sends nothing this tick
        t = base + timedelta(seconds=d["offset"])
        seq = tick + 1
        if d["loc"] is not None:
            lat, lon = d["loc"]
            if device == "b-002" and tick >= 9:
                lat, lon = 55.04125, 82.93475  # b-002 is moved
            add(tick, t, key, "location", f"{device},{iso(t)},{lat:.6f},{lon:.6f}")
        st = t + timedelta(seconds=30) if (device == "b-002" and tick == 6) else t  # valid only from the next tick on
        idx = list(DEVICES).index(key)
        rssi = -55 - idx * 4 - tick
        snr = 9.5 - idx - tick * 0.25
        battery = 100.0 - idx * 2 - tick * 0.5
        add(tick, st, key, "state", f"{device},{iso(st)},{rssi},{snr:.2f},{battery:.1f},{online(key, tick)}")
        h = d["hum"][tick]
        if h is None:
            continue
        add(tick, t, key, "humidity", f"{device},{iso(t)},{h:.2f},{seq}")
        temp = temperature(key, tick)
        if device == "a-003" and tick == 5:
            continue  # humidity without its temperature: no measurement
        tt = t + timedelta(seconds=20) if (device == "a-003" and tick == 13) else t  # joined within the 1-minute bound
        add(tick, tt, key, "temperature", f"{device},{iso(tt)},{temp:.2f},{seq}")

# Malformed messages, each within a tick: they must land in the dead-letter topic and stop nothing.
A1, A2, A3 = [k for k in DEVICES if k[1] == "acme"][:3]
B1, B2 = [k for k in DEVICES if k[1] == "globex"]
at = lambda tick, s=5: START + tick * TICK + timedelta(seconds=s)
add(3, at(3), A1, "humidity", f"a-001,{iso(at(3))},45.50", "three columns")
add(3, at(3), B1, "humidity", f"b-001,{iso(at(3))},150.00,99", "humidity above 100")
add(6, at(6), A2, "humidity", f"a-003,{iso(at(6))},40.00,7", "deviceId differs from the topic's")
add(7, at(7), B2, "temperature", "b-002,yesterday,20.00,8", "not a timestamp")
add(9, at(9), A3, "state", f"a-003,{iso(at(9))},-70,1.00,50.0,maybe", "not a boolean")
add(10, at(10), B1, "humidity", bytes([0xFF, 0xFE, 0x00, 0x41]), "not UTF-8", binary=True)
add(11, at(11), B2, "location", f"b-002,{iso(at(11))},91.000000,82.900000", "latitude above 90")
add(12, at(12), A1, "humidity", '{"deviceId":"a-001","humidity":47.0}', "JSON where CSV is expected")
add(14, at(14), B2, "temperature", f"b-002,{iso(at(14))},-95.00,15", "temperature below -80")
add(15, at(15), A2, "humidity", f"a-002,{iso(at(15))},,16", "empty humidity")

# The last tick (16) goes on past its 02:00Z readings; all of it is still tick 16.
last = TICKS - 1
base = START + last * TICK
for key, burst in BURST.items():
    t0 = base + timedelta(seconds=DEVICES[key]["offset"])
    for i, (after, h, temp) in enumerate(burst):
        t = t0 + timedelta(seconds=after)
        seq = last + 2 + i
        add(last, t, key, "humidity", f"{key[2]},{iso(t)},{h:.2f},{seq}", "burst")
        add(last, t, key, "temperature", f"{key[2]},{iso(t)},{temp:.2f},{seq}", "burst")
for key, tail in TAIL.items():
    for i, (minute, h) in enumerate(tail):
        t = base + timedelta(minutes=minute, seconds=DEVICES[key]["offset"])
        seq = last + 2 + i
        temp = temperature(key, last) + 0.25 * (i + 1)
        add(last, t, key, "humidity", f"{key[2]},{iso(t)},{h:.2f},{seq}", "tail: prod/acme goes on alone")
        add(last, t, key, "temperature", f"{key[2]},{iso(t)},{temp:.2f},{seq}", "tail: prod/acme goes on alone")
# State reports after the last measurement: b-001 comes back online 10 minutes after dev/globex went quiet, and
# a-002 reports itself offline 5 minutes after the last reading of the log, the log's very last message.
B1_BACK = base + timedelta(minutes=10)
add(last, B1_BACK, B1, "state", f"b-001,{iso(B1_BACK)},-82,2.00,85.5,true", "state after the last measurement")
A2_OFF = base + timedelta(minutes=35, seconds=DEVICES[A2]["offset"])
add(last, A2_OFF, A2, "state", f"a-002,{iso(A2_OFF)},-75,4.00,89.5,0", "state after the last measurement; the last message")

# Publish order: by tick, then event time (stable: the order added above within equal times).
messages.sort(key=lambda m: (m["tick"], m["at"]))
out = Path(__file__).with_name("messages.jsonl")
with out.open("w") as f:
    for order, m in enumerate(messages):
        m.pop("at")
        f.write(json.dumps({"order": order, **m}) + "\n")
print(f"wrote {len(messages)} messages to {out}")
