#!/usr/bin/env bash
# helm upgrade --install --atomic: a failed upgrade rolls back to the previous revision by itself.
set -euo pipefail
: "${ENVIRONMENT:?ENVIRONMENT: the GitHub environment}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RELEASE="${RELEASE:-$(yq -r '.project.name' iot-platform.yaml)}"
NAMESPACE="${NAMESPACE:-$RELEASE}"
TIMEOUT_MINUTES="${TIMEOUT_MINUTES:-15}"

chart="$(bash "$here/../lib/chart.sh" "${CHART_PATH:-}")"
[ -n "$chart" ] || { echo "::error::no Helm chart under charts/; nothing to deploy"; exit 1; }
short="$ENVIRONMENT"
case "$ENVIRONMENT" in production) short=prod ;; development) short=dev ;; esac
values=()
# The services image CI pushed for this commit (<repository>:<git SHA>, images.services.tag), unless a values
# file below sets another tag (they come later and win).
tag="${SERVICES_TAG:-${GITHUB_SHA:-}}"
if [ -n "$tag" ]; then
  tag_values="$(mktemp "${RUNNER_TEMP:-/tmp}/deploy-tag.XXXXXX")"
  if [ "$(bash "$here/../lib/values-prefix.sh" "$chart")" = "iot-platform." ]; then
    printf 'iot-platform:\n  images:\n    services:\n      tag: "%s"\n' "$tag" >"$tag_values"
  else
    printf 'images:\n  services:\n    tag: "%s"\n' "$tag" >"$tag_values"
  fi
  values+=(--values "$tag_values")
fi
for file in "$chart/values-$ENVIRONMENT.yaml" "$chart/values-$short.yaml" "charts/values-$ENVIRONMENT.yaml"; do
  [ "$file" = "$chart/values-$short.yaml" ] && [ "$short" = "$ENVIRONMENT" ] && continue
  [ -f "$file" ] && values+=(--values "$file")
done
for file in ${VALUES_FILES:-}; do values+=(--values "$file"); done

[ -f "$chart/prepare.sh" ] && bash "$chart/prepare.sh" # copies the project's files the chart deploys
helm dependency build "$chart"
helm upgrade --install "$RELEASE" "$chart" --namespace "$NAMESPACE" --create-namespace "${values[@]}" \
  --atomic --wait --timeout "${TIMEOUT_MINUTES}m" --history-max 10
revision="$(helm status "$RELEASE" --namespace "$NAMESPACE" -o json | jq -r '.version')"
echo "revision=$revision" >>"${GITHUB_OUTPUT:-/dev/null}"
echo "Deployed $RELEASE revision $revision to $ENVIRONMENT (namespace $NAMESPACE)" >>"${GITHUB_STEP_SUMMARY:-/dev/null}"
