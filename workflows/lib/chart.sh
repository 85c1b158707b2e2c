#!/usr/bin/env bash
# Prints the chart folder of a repository: $1 when given, else the first charts/*/Chart.yaml, else charts/
# when it holds a Chart.yaml. Prints nothing when the repository has no chart.
set -euo pipefail

if [ -n "${1:-}" ]; then
  [ -f "$1/Chart.yaml" ] || { echo "error: $1/Chart.yaml not found; set chart-path to a folder with a Chart.yaml" >&2; exit 1; }
  echo "$1"
  exit 0
fi
if [ -f charts/Chart.yaml ]; then
  echo charts
  exit 0
fi
for chart in charts/*/Chart.yaml; do
  [ -f "$chart" ] || continue
  dirname "$chart"
  exit 0
done
