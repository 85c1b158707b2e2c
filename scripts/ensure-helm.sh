#!/usr/bin/env bash
# Installs Helm (helm.sh/helm/v3) from the Go module proxy into a cache folder outside git, once, and prints
# the binary's path. Tests lint and render the platform chart and the generated project's chart with it.
set -euo pipefail

HELM_VERSION="${HELM_VERSION:-v3.22.0}"
BIN_DIR="${IOT_PLATFORM_CACHE:-$HOME/.cache/iot-platform}/bin"
BIN="$BIN_DIR/helm"

installed="$([ -x "$BIN" ] && "$BIN" version --template '{{.Version}}' 2>/dev/null || true)"
if [ "$installed" = "$HELM_VERSION" ]; then
  echo "$BIN"
  exit 0
fi
command -v go >/dev/null 2>&1 || { echo "error: Go is not installed; install Go >= 1.24 to build helm" >&2; exit 1; }
echo "Building helm $HELM_VERSION ..." >&2
mkdir -p "$BIN_DIR"
# Helm stamps its version through -ldflags; without it `helm version` reports a development build.
GOBIN="$BIN_DIR" GOFLAGS=-buildvcs=false CGO_ENABLED=0 go install \
  -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
  "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2
installed="$("$BIN" version --template '{{.Version}}')"
[ "$installed" = "$HELM_VERSION" ] || { echo "error: built helm reports $installed, expected $HELM_VERSION" >&2; exit 1; }
echo "$BIN"
