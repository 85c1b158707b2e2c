"""Draws reports/bench-sensors.png from reports/bench-sensors.json: throughput and latency vs target rate.

Usage: python chart.py <bench-sensors.json> <out.png>   (run by scripts/bench/chart.ts from a cached venv)
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

report = json.load(open(sys.argv[1]))
steps = report["steps"]
target = [s["targetRate"] for s in steps]
marker = ["o" if s["sustained"] else "x" for s in steps]

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 5))
series = [
    ("published (MQTT, acked)", [s["publish"]["achievedRate"] for s in steps]),
    ("gateway → Kafka", [s["throughput"]["gatewayMsgPerSec"] for s in steps]),
    ("PostgreSQL rows × 4 (msg-equivalent)", [s["throughput"]["postgresRowsPerSec"] * 4 for s in steps]),
]
for label, values in series:
    ax1.plot(target, values, marker="o", label=label)
ax1.plot(target, target, linestyle=":", color="grey", label="target")
ceilings = dict((report.get("stageCeilings") or {}).get("msgPerSec") or {})
if report.get("publisherCeiling"):
    ceilings["publisher"] = report["publisherCeiling"]["msgPerSec"]
# a ceiling far above the rates stepped through would only flatten the chart
shown = [(stage, value) for stage, value in sorted(ceilings.items(), key=lambda kv: kv[1]) if value <= 2 * max(target)]
for i, (stage, value) in enumerate(shown):
    ax1.axhline(value, linestyle="--", alpha=0.5, color=f"C{i + 3}", label=f"{stage} ceiling (alone)")
for s in steps:
    if not s["sustained"]:
        ax1.axvline(s["targetRate"], color="red", alpha=0.2)
ax1.set_xlabel("target rate (MQTT msg/s)")
ax1.set_ylabel("msg/s")
ax1.set_title("Throughput (red band: step not sustained)")
ax1.grid(alpha=0.3)
ax1.legend(fontsize=8)

for label, key, style in [
    ("event→PostgreSQL p50", ("latency", "postgres", "p50"), "-"),
    ("event→PostgreSQL p95", ("latency", "postgres", "p95"), "--"),
    ("event→PostgreSQL p99", ("latency", "postgres", "p99"), ":"),
    ("event→Redis p50 (probe)", ("latency", "redis", "p50"), "-"),
    ("event→Redis p95 (probe)", ("latency", "redis", "p95"), "--"),
    ("event→Redis p99 (probe)", ("latency", "redis", "p99"), ":"),
]:
    values = []
    for s in steps:
        v = s
        for k in key:
            v = v.get(k) if isinstance(v, dict) else None
        values.append(v / 1000 if isinstance(v, (int, float)) else float("nan"))
    ax2.plot(target, values, linestyle=style, marker="o", label=label, color="tab:blue" if "Postgre" in label else "tab:orange")
ax2.axhline(1.0, color="red", alpha=0.4, linestyle="-.", label="target p95 event→Redis 1 s")
ax2.set_yscale("log")
ax2.set_xlabel("target rate (MQTT msg/s)")
ax2.set_ylabel("seconds (log)")
ax2.set_title("Latency")
ax2.grid(alpha=0.3, which="both")
ax2.legend(fontsize=8)

m = report["machine"]
fig.suptitle(
    f"bench:sensors — native stack, {m['cores']} cores {m['cpuModel']}, {m['memoryGiB']} GiB; "
    f"load avg before {report['loadBeforeMeasurement']}",
    fontsize=9,
)
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=110)
