#!/usr/bin/env bash
# Installs yamllint (PyPI) into a venv in a cache folder outside git, once, and prints the binary's path.
# Tests lint this repository's workflows and the generated YAML with it; the reusable lint workflow uses it too.
set -euo pipefail

YAMLLINT_VERSION="${YAMLLINT_VERSION:-1.38.0}"
VENV="${IOT_PLATFORM_CACHE:-$HOME/.cache/iot-platform}/yamllint-venv"
BIN="$VENV/bin/yamllint"
STAMP="$VENV/.yamllint-version"

if [ -x "$BIN" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$YAMLLINT_VERSION" ]; then
  echo "$BIN"
  exit 0
fi
command -v python3 >/dev/null 2>&1 || { echo "error: python3 is needed to install yamllint" >&2; exit 1; }
echo "Installing yamllint $YAMLLINT_VERSION into $VENV ..." >&2
python3 -m venv "$VENV" >&2
"$VENV/bin/pip" install --quiet --disable-pip-version-check "yamllint==$YAMLLINT_VERSION" >&2
"$BIN" --version >/dev/null
echo "$YAMLLINT_VERSION" >"$STAMP"
echo "$BIN"
