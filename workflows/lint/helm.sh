#!/usr/bin/env bash
# helm lint --strict and kubeconform on the rendered chart, when the repository has one (charts/): a
# repository without a chart passes with a note. Custom resources (Strimzi, Flink, CloudNativePG, ECK) are
# validated against schemas built from the operators' CRDs when the platform ships them.
set -euo pipefail
: "${PLATFORM_DIR:?PLATFORM_DIR: the platform checkout}"
KUBERNETES_VERSION="${KUBERNETES_VERSION:-1.33.0}"
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

values=()
[ -f "$chart/ci-values.yaml" ] && values+=(--values "$chart/ci-values.yaml")
[ -f charts/ci-values.yaml ] && values+=(--values charts/ci-values.yaml)

[ -f "$chart/prepare.sh" ] && bash "$chart/prepare.sh" # copies the project's files the chart deploys
helm dependency build "$chart"
helm lint --strict "$chart" "${values[@]}"

schemas=(-schema-location default)
crds=""
for dir in "$PLATFORM_DIR/charts/crds" "$PLATFORM_DIR/crds"; do [ -d "$dir" ] && crds="$dir" && break; done
if [ -n "$crds" ] && [ -f "$PLATFORM_DIR/scripts/crd-schemas.ts" ]; then
  out="${RUNNER_TEMP:-/tmp}/crd-schemas"
  node "$PLATFORM_DIR/scripts/crd-schemas.ts" "$out" "$crds"
  schemas+=(-schema-location "$out/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json")
else
  echo "note: no CRD schemas in the platform checkout; custom resources are not schema-checked" >&2
  schemas+=(-ignore-missing-schemas)
fi
helm template ci "$chart" "${values[@]}" --kube-version "$KUBERNETES_VERSION" \
  | "$kubeconform" -strict -summary -kubernetes-version "$KUBERNETES_VERSION" "${schemas[@]}" -
