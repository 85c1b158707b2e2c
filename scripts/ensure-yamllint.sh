#!/usr/bin/env bash
# Installs yamllint (PyPI) into a venv in a cache folder outside git, once, and prints the binary's path.
# Tests lint this repository's workflows and the generated YAML with it; the reusable lint workflow uses it too.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/pip-tool.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/pip-tool.sh"
ensure_pip_tool yamllint yamllint "${YAMLLINT_VERSION:-1.38.0}"
