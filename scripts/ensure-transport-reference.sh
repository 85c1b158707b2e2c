#!/usr/bin/env bash
# Installs the Python packages of the transport reference implementation (scenarios/transport/reference_arrivals.py:
# GeographicLib) into a venv in a cache folder outside git, once, and prints the path of that venv's python.
set -euo pipefail
version="${GEOGRAPHICLIB_VERSION:-2.1}"
venv="${IOT_PLATFORM_CACHE:-$HOME/.cache/iot-platform}/transport-reference-venv"
stamp="$venv/.geographiclib-version"
if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ]; then
  echo "$venv/bin/python"
  exit 0
fi
command -v python3 >/dev/null 2>&1 || { echo "error: python3 is needed for the transport reference implementation" >&2; exit 1; }
echo "Installing geographiclib $version into $venv ..." >&2
python3 -m venv "$venv" >&2
"$venv/bin/pip" install --quiet --disable-pip-version-check "geographiclib==$version" >&2
"$venv/bin/python" -c 'import geographiclib.geodesic' >&2
echo "$version" >"$stamp"
echo "$venv/bin/python"
