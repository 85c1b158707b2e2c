#!/usr/bin/env bash
# helm lint --strict and kubeconform on the rendered chart, when the repository has one (charts/): a
# repository without a chart passes with a note. Custom resources (Strimzi, Flink, CloudNativePG, ECK) are
# validated against schemas built from the operators' CRDs when the platform ships them.
set -euo pipefail
: "${PLATFORM_DIR:?PLATFORM_DIR: the platform checkout}"
KUBERNETES_VERSION="${KUBERNETES_VERSION:-1.34.4}"
output="${GITHUB_OUTPUT:-/dev/null}"

chart="$(bash "$PLATFORM_DIR/workflows/lib/chart.sh" "${CHART_PATH:-}")"
if [ -z "$chart" ]; then
  echo "no Helm chart under charts/: skipped"
  echo "has-chart=false" >>"$output"
  exit 0
fi
echo "has-chart=true" >>"$output"
command -v helm >/dev/null 2>&1 || PATH="$(dirname "$(bash "$PLATFORM_DIR/scripts/ensure-helm.sh")"):$PATH"
kubeconform="$(bash "$PLATFORM_DIR/scripts/ensure-kubeconform.sh")"

# The services image tag is given at deploy time (CI pushes it); lint renders with a placeholder that a
# ci-values.yaml may override.
prefix="$(bash "$PLATFORM_DIR/workflows/lib/values-prefix.sh" "$chart" 2>/dev/null || true)"
lint_values="$(mktemp "${RUNNER_TEMP:-/tmp}/helm-lint-values.XXXXXX")"
if [ "$prefix" = "iot-platform." ]; then
  printf 'iot-platform:\n  images:\n    services:\n      tag: "%s"\n' "${GITHUB_SHA:-lint}" >"$lint_values"
else
  printf 'images:\n  services:\n    tag: "%s"\n' "${GITHUB_SHA:-lint}" >"$lint_values"
fi
values=(--values "$lint_values")
[ -f "$chart/ci-values.yaml" ] && values+=(--values "$chart/ci-values.yaml")
[ -f charts/ci-values.yaml ] && values+=(--values charts/ci-values.yaml)

# A project's chart deploys the project's files: prepare.sh copies them into the chart first.
if [ -f "$chart/prepare.sh" ]; then
  bash "$chart/prepare.sh"
elif [ -f "$chart/templates/project.yaml" ] && grep -q 'prepare.sh' "$chart/templates/project.yaml"; then
  echo "::error::$chart/prepare.sh is missing but the chart needs the files it copies"
  exit 1
fi
helm dependency build "$chart"
helm lint --strict "$chart" "${values[@]}"

schemas=(-schema-location default)
if [ -n "${KUBECONFORM_SCHEMA_LOCATIONS:-}" ]; then # newline-separated, e.g. offline copies (test/helm.test.ts)
  schemas=()
  while IFS= read -r location; do [ -n "$location" ] && schemas+=(-schema-location "$location"); done <<<"$KUBECONFORM_SCHEMA_LOCATIONS"
fi
crds=""
for dir in "$PLATFORM_DIR/charts/crds" "$PLATFORM_DIR/crds"; do [ -d "$dir" ] && crds="$dir" && break; done
if [ -n "${KUBECONFORM_SCHEMA_LOCATIONS:-}" ]; then
  : # the given locations hold the custom resources' schemas too
elif [ -n "$crds" ] && [ -f "$PLATFORM_DIR/scripts/crd-schemas.ts" ]; then
  out="${RUNNER_TEMP:-/tmp}/crd-schemas"
  node "$PLATFORM_DIR/scripts/crd-schemas.ts" "$out" "$crds"
  schemas+=(-schema-location "$out/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json")
else
  echo "note: no CRD schemas in the platform checkout; custom resources are not schema-checked" >&2
  schemas+=(-ignore-missing-schemas)
fi
helm template ci "$chart" "${values[@]}" --kube-version "$KUBERNETES_VERSION" \
  | "$kubeconform" -strict -summary -kubernetes-version "$KUBERNETES_VERSION" "${schemas[@]}" -
