#!/usr/bin/env bash
# Installs actionlint (github.com/rhysd/actionlint) from the Go module proxy into a cache folder outside git,
# once, and prints the binary's path. Tests lint generated GitHub workflows with it.
set -euo pipefail

ACTIONLINT_VERSION="${ACTIONLINT_VERSION:-v1.7.9}"
BIN_DIR="${IOT_PLATFORM_CACHE:-$HOME/.cache/iot-platform}/bin"
BIN="$BIN_DIR/actionlint"

installed="$([ -x "$BIN" ] && "$BIN" -version 2>/dev/null | sed -n 1p || true)"
if [ "$installed" = "$ACTIONLINT_VERSION" ] || [ "$installed" = "${ACTIONLINT_VERSION#v}" ]; then
  echo "$BIN"
  exit 0
fi
command -v go >/dev/null 2>&1 || { echo "error: Go is not installed; install Go >= 1.24 to build actionlint" >&2; exit 1; }
echo "Building actionlint $ACTIONLINT_VERSION ..." >&2
mkdir -p "$BIN_DIR"
GOBIN="$BIN_DIR" GOFLAGS=-buildvcs=false go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" >&2
echo "$BIN"
