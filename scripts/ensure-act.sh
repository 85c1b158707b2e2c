#!/usr/bin/env bash
# Builds act (github.com/nektos/act, runs GitHub Actions workflows locally) from the Go module proxy into a
# cache folder outside git, once, and prints the binary's path. Optional tooling: no test depends on it.
#
#   "$(scripts/ensure-act.sh)" -W .github/workflows/ci.yml -j lint -P ubuntu-latest=-self-hosted
set -euo pipefail

ACT_VERSION="${ACT_VERSION:-v0.2.89}"
BIN_DIR="${IOT_PLATFORM_CACHE:-$HOME/.cache/iot-platform}/bin"
BIN="$BIN_DIR/act"
STAMP="$BIN_DIR/act.version"

if [ -x "$BIN" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$ACT_VERSION" ]; then
  echo "$BIN"
  exit 0
fi
command -v go >/dev/null 2>&1 || { echo "error: Go is not installed; install Go >= 1.24 to build act" >&2; exit 1; }
echo "Building act $ACT_VERSION ..." >&2
mkdir -p "$BIN_DIR"
GOBIN="$BIN_DIR" GOFLAGS=-buildvcs=false go install "github.com/nektos/act@$ACT_VERSION" >&2
echo "$ACT_VERSION" >"$STAMP"
echo "$BIN"
