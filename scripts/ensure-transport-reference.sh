#!/usr/bin/env bash
# Installs the Python packages of the transport reference implementation (scenarios/transport/reference_arrivals.py:
# GeographicLib) into a venv in a cache folder outside git, once, and prints the path of that venv's python.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/pip-tool.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/pip-tool.sh"
venv="$(ensure_pip_package transport-reference geographiclib "${GEOGRAPHICLIB_VERSION:-2.1}" "python -c 'import geographiclib.geodesic'")"
echo "$venv/bin/python"
