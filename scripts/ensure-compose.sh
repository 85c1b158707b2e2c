#!/usr/bin/env bash
# Builds the official Docker Compose CLI (github.com/docker/compose) from its Go module into a cache folder
# outside git, once, and prints the binary's path. Tests use it to validate generated compose.yaml files with
# the real Compose implementation (`docker-compose config --quiet`); no Docker engine is needed for that.
#
# The module's go.mod carries `exclude` directives, so `go install module@version` refuses it; we download
# the module source from the Go module proxy and build ./cmd with it as the main module instead.
#
#   scripts/ensure-compose.sh            # prints e.g. /root/.cache/iot-platform/bin/docker-compose
#   COMPOSE_VERSION=v5.6.0 scripts/ensure-compose.sh
set -euo pipefail

COMPOSE_MODULE="github.com/docker/compose/v5"
COMPOSE_VERSION="${COMPOSE_VERSION:-v5.6.0}"   # v5.7.x needs Go >= 1.26.10
CACHE="${IOT_PLATFORM_CACHE:-$HOME/.cache/iot-platform}"
BIN_DIR="$CACHE/bin"
BIN="$BIN_DIR/docker-compose"
STAMP="$BIN_DIR/docker-compose.version"

if [ -x "$BIN" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$COMPOSE_VERSION" ]; then
  echo "$BIN"
  exit 0
fi

command -v go >/dev/null 2>&1 || { echo "error: Go is not installed; install Go >= 1.26 to build docker compose" >&2; exit 1; }

echo "Building docker compose $COMPOSE_VERSION from $COMPOSE_MODULE (first time only, ~2 min) ..." >&2
mkdir -p "$BIN_DIR" "$CACHE/src"
module_dir="$(go mod download -json "$COMPOSE_MODULE@$COMPOSE_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
if [ -z "$module_dir" ] || [ ! -d "$module_dir" ]; then
  echo "error: could not download $COMPOSE_MODULE@$COMPOSE_VERSION from the Go module proxy" >&2
  exit 1
fi
src="$CACHE/src/compose-$COMPOSE_VERSION"
rm -rf "$src"
cp -r "$module_dir" "$src"
chmod -R u+w "$src"
(
  cd "$src"
  GOFLAGS=-buildvcs=false go build -trimpath \
    -ldflags "-w -X $COMPOSE_MODULE/internal.Version=$COMPOSE_VERSION" \
    -o "$BIN.tmp" ./cmd
) >&2
mv "$BIN.tmp" "$BIN"
echo "$COMPOSE_VERSION" >"$STAMP"
echo "$BIN"
