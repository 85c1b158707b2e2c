"""Draws reports/bench-rich.png from reports/bench-rich.json: hit precision and recall vs dark rate (left), ring-finding
efficiency and fake rings per event vs dark rate (right), the prior time-only filter and the geometric filter.

Usage: python chart_rich.py <bench-rich.json> <out.png>   (run by scripts/bench/chart.ts from a cached venv)
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

report = json.load(open(sys.argv[1]))
# the lines: the runs at the default cuts; runs with other cuts (BENCH_RICH_CUTS) are single points
rates = [r for r in report["rates"] if not r.get("cuts")]
tuned = [r for r in report["rates"] if r.get("cuts")]
goals = report["goals"]
x = [r["darkRatePerPixelHz"] for r in rates]


def value(measures, key):
    return measures[key] if measures and measures.get(key) is not None else float("nan")


def series(filter_name, key):
    return [value(r.get(filter_name), key) for r in rates]


def reference(key):
    """The geometric rule by scenarios/rich/reference_rings.py on the same run (the same as the job's where it finished)."""
    return [value(r["reference"].get("ringFilter"), key) for r in rates]


FILTERS = [("geometric", "geometric (LABEL_RICH_HITS)", "tab:blue"), ("timeOnly", "time-only ±70 µs", "tab:orange")]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 5))
for key, label, colour in FILTERS:
    ax1.plot(x, series(key, "precision"), marker="o", color=colour, label=f"{label}: precision")
    ax1.plot(x, series(key, "recall"), marker="s", linestyle="--", color=colour, label=f"{label}: recall")
ax1.plot(x, reference("precision"), marker="o", mfc="none", linestyle=":", color="tab:blue", alpha=0.6, label="geometric rule, Python reference: precision")
ax1.plot(x, reference("recall"), marker="s", mfc="none", linestyle=":", color="tab:blue", alpha=0.6, label="geometric rule, Python reference: recall")
for r in tuned:
    cuts = ", ".join(f"{k} {v}" for k, v in r["cuts"].items())
    m = r.get("geometric") or r["reference"].get("ringFilter")
    ax1.scatter([r["darkRatePerPixelHz"]] * 2, [value(m, "precision"), value(m, "recall")], marker="*", s=90, color="tab:green", label=f"geometric, {cuts}: precision, recall")
    ax2.scatter([r["darkRatePerPixelHz"]] * 2, [value(m, "efficiency"), value(m, "fakeRingsPerEvent")], marker="*", s=90, color="tab:green", label=f"geometric, {cuts}: efficiency, fakes / event")
ax1.axhline(goals["timeOnlyPrecisionBelow"], color="grey", alpha=0.5, linestyle=":", label="90 %")
ax1.set_xscale("log")
ax1.set_ylim(0, 1.05)
ax1.set_xlabel("dark-count rate per pixel (Hz, log)")
ax1.set_ylabel("fraction of hits")
ax1.set_title("Hit precision and recall against the truth")
ax1.grid(alpha=0.3, which="both")
ax1.legend(fontsize=8)

for key, label, colour in FILTERS:
    ax2.plot(x, series(key, "efficiency"), marker="o", color=colour, label=f"{label}: efficiency")
    ax2.plot(x, series(key, "fakeRingsPerEvent"), marker="x", linestyle="--", color=colour, label=f"{label}: fake rings / event")
ax2.plot(x, reference("efficiency"), marker="o", mfc="none", linestyle=":", color="tab:blue", alpha=0.6, label="geometric rule, Python reference: efficiency")
ax2.plot(x, reference("fakeRingsPerEvent"), marker="x", linestyle=":", color="tab:blue", alpha=0.6, label="geometric rule, Python reference: fakes / event")
ax2.axhline(goals["efficiency"], color="green", alpha=0.4, linestyle="-.", label="goal: efficiency ≥ 95 %")
ax2.axhline(goals["fakeRingsPerEvent"], color="red", alpha=0.4, linestyle="-.", label="goal: ≤ 0.3 fakes / event")
for r in rates:
    if r.get("geometric") is None:
        ax2.axvline(r["darkRatePerPixelHz"], color="red", alpha=0.15, linewidth=8)
ax2.set_xscale("log")
ax2.set_ylim(0, 1.05)
ax2.set_xlabel("dark-count rate per pixel (Hz, log)")
ax2.set_title("Ring finding (red band: the platform's job did not finish)")
ax2.grid(alpha=0.3, which="both")
ax2.legend(fontsize=8)

m = report["machine"]
s = report["settings"]
fig.suptitle(
    f"bench:rich — {s['durationMs']} ms at {s['trackRateHz']} tracks/s per rate; {m['cores']} cores {m['cpuModel']}, "
    f"{m['memoryGiB']} GiB; load avg before {report['loadBeforeMeasurement']}",
    fontsize=9,
)
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=110)
