#!/usr/bin/env bash
# Installs kubeconform (github.com/yannh/kubeconform) from the Go module proxy into a cache folder outside git,
# once, and prints the binary's path. Tests validate rendered Helm manifests with it, offline, against
# schemas that test/helpers/kube-schemas.ts builds (kubeconform's default schema download is not used).
set -euo pipefail

KUBECONFORM_VERSION="${KUBECONFORM_VERSION:-v0.8.0}"
BIN_DIR="${IOT_PLATFORM_CACHE:-$HOME/.cache/iot-platform}/bin"
BIN="$BIN_DIR/kubeconform"
STAMP="$BIN.version"

if [ -x "$BIN" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$KUBECONFORM_VERSION" ]; then
  echo "$BIN"
  exit 0
fi
command -v go >/dev/null 2>&1 || { echo "error: Go is not installed; install Go >= 1.24 to build kubeconform" >&2; exit 1; }
echo "Building kubeconform $KUBECONFORM_VERSION ..." >&2
mkdir -p "$BIN_DIR"
GOBIN="$BIN_DIR" GOFLAGS=-buildvcs=false CGO_ENABLED=0 go install \
  "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION" >&2
"$BIN" -v >/dev/null
echo "$KUBECONFORM_VERSION" >"$STAMP"
echo "$BIN"
