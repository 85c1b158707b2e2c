#!/usr/bin/env bash
# Prints the prefix of the platform chart's values in chart $1: "iot-platform." for a project's chart that
# depends on the platform chart (charts/app), nothing for the platform chart itself (charts/iot-platform).
set -euo pipefail
chart="${1:?chart folder}"
[ -f "$chart/Chart.yaml" ] || { echo "error: $chart/Chart.yaml not found" >&2; exit 1; }
if grep -qE '^name:[[:space:]]*"?iot-platform"?[[:space:]]*$' "$chart/Chart.yaml"; then
  exit 0
fi
if grep -qE '^[[:space:]]*-[[:space:]]*name:[[:space:]]*"?iot-platform"?[[:space:]]*$' "$chart/Chart.yaml"; then
  echo "iot-platform."
  exit 0
fi
echo "error: $chart is neither the iot-platform chart nor a chart that depends on it" >&2
exit 1
