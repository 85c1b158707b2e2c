#!/usr/bin/env bash
# Installs the official GTFS-Realtime Python bindings (PyPI gtfs-realtime-bindings) into a venv in a cache folder
# outside git, once (again only when the version changes), and prints the venv's python. Tests decode the
# simulator's protobuf with it, independently of the gateway's own decoder.
set -euo pipefail
version="${GTFS_RT_BINDINGS_VERSION:-3.0.0}"
venv="${IOT_PLATFORM_CACHE:-$HOME/.cache/iot-platform}/gtfs-realtime-bindings-venv"
stamp="$venv/.gtfs-realtime-bindings-version"
if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ]; then
  echo "$venv/bin/python"
  exit 0
fi
command -v python3 >/dev/null 2>&1 || { echo "error: python3 is needed to install gtfs-realtime-bindings" >&2; exit 1; }
echo "Installing gtfs-realtime-bindings $version into $venv ..." >&2
python3 -m venv "$venv" >&2
"$venv/bin/pip" install --quiet --disable-pip-version-check "gtfs-realtime-bindings==$version" >&2
"$venv/bin/python" -c 'from google.transit import gtfs_realtime_pb2' >&2
echo "$version" >"$stamp"
echo "$venv/bin/python"
