#!/usr/bin/env bash
# Builds SeaweedFS's `weed` (the history component's S3 store on the native stack) from its Go module into a
# cache folder outside git, once per version, and prints the binary's path. The version is the SeaweedFS release
# of the image that compose and the chart run (renderer/versions.ts SEAWEEDFS; test/versions.test.ts asks this
# binary for it).
#
# The module's go.mod carries a `replace` directive, so `go install module/weed@version` refuses it; we download
# the module source from the Go module proxy (checked against the checksum database) and build ./weed with it as
# the main module instead. The first build takes a few minutes.
#
#   scripts/ensure-seaweedfs.sh            # prints e.g. /root/.cache/iot-platform/bin/weed
set -euo pipefail

SEAWEEDFS_MODULE="github.com/seaweedfs/seaweedfs"
# SeaweedFS tags its releases "4.53", which are no Go module versions: the module proxy serves pseudo-versions.
# This one is the code of release 4.53 (weed/util/version: MAJOR_VERSION 4, MINOR_VERSION 53).
SEAWEEDFS_VERSION="${SEAWEEDFS_VERSION:-v0.0.0-20261109003541-7506e5f91cd6}"
CACHE="${IOT_PLATFORM_CACHE:-$HOME/.cache/iot-platform}"
BIN_DIR="$CACHE/bin"
BIN="$BIN_DIR/weed"
STAMP="$BIN_DIR/weed.version"

mkdir -p "$BIN_DIR"
# Parallel callers (test workers, two projects) build once: one at a time, the others find it built.
exec 9>"$BIN_DIR/.weed.lock"
flock 9

if [ -x "$BIN" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$SEAWEEDFS_VERSION" ]; then
  echo "$BIN"
  exit 0
fi

command -v go >/dev/null 2>&1 || { echo "error: Go is not installed; install Go >= 1.26 to build SeaweedFS (weed) for the history component" >&2; exit 1; }

echo "Building SeaweedFS (weed) $SEAWEEDFS_VERSION from $SEAWEEDFS_MODULE (first time only, a few minutes) ..." >&2
module_dir="$(go mod download -json "$SEAWEEDFS_MODULE@$SEAWEEDFS_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
if [ -z "$module_dir" ] || [ ! -d "$module_dir" ]; then
  echo "error: could not download $SEAWEEDFS_MODULE@$SEAWEEDFS_VERSION from the Go module proxy" >&2
  exit 1
fi
(
  cd "$module_dir"
  GOFLAGS="-buildvcs=false -mod=readonly" go build -trimpath -ldflags "-s -w" -o "$BIN.tmp" ./weed
) >&2
mv "$BIN.tmp" "$BIN"
echo "$SEAWEEDFS_VERSION" >"$STAMP"
echo "$BIN"
