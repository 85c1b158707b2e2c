#!/usr/bin/env bash
# Installs the official GTFS-Realtime Python bindings (PyPI gtfs-realtime-bindings) into a venv in a cache folder
# outside git, once (again only when the version changes), and prints the venv's python. Tests decode the
# simulator's protobuf with it, independently of the gateway's own decoder.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/pip-tool.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/pip-tool.sh"
venv="$(ensure_pip_package gtfs-realtime-bindings gtfs-realtime-bindings "${GTFS_RT_BINDINGS_VERSION:-3.0.0}" "python -c 'from google.transit import gtfs_realtime_pb2'")"
echo "$venv/bin/python"
