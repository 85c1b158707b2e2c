#!/usr/bin/env bash
# helm dependency build + helm install of the repository's chart into namespace $RELEASE, with a Secret
# "$RELEASE-env" holding throwaway values for every secret of .env.example (the chart reads its passwords
# from it; nothing has a default password), then waits for the release.
set -euo pipefail
: "${PLATFORM_DIR:?PLATFORM_DIR: the platform checkout}"
: "${RELEASE:?RELEASE: the Helm release name}"
TIMEOUT_MINUTES="${TIMEOUT_MINUTES:-15}"

chart="$(bash "$PLATFORM_DIR/workflows/lib/chart.sh" "${CHART_PATH:-}")"
if [ -z "$chart" ]; then
  echo "::error::no Helm chart under charts/; the e2e-kind workflow needs one (create-iot-platform upgrade adds it)"
  exit 1
fi
values=()
[ -f "$chart/values-dev.yaml" ] && values+=(--values "$chart/values-dev.yaml")
[ -f "$chart/ci-values.yaml" ] && values+=(--values "$chart/ci-values.yaml")
[ -f charts/ci-values.yaml ] && values+=(--values charts/ci-values.yaml)
for file in ${VALUES_FILES:-}; do values+=(--values "$file"); done

kubectl create namespace "$RELEASE" --dry-run=client -o yaml | kubectl apply -f -
env_file="$(bash "$PLATFORM_DIR/workflows/lib/ci-env.sh" .env.example)"
kubectl -n "$RELEASE" create secret generic "$RELEASE-env" --from-env-file="$env_file" --dry-run=client -o yaml \
  | kubectl apply -f -
cp "$env_file" .env # the e2e tests read the same secrets (git-ignored, never committed)
# The chart takes its secrets from that Secret when it supports an existing one (else it generates its own).
secret=()
if grep -q 'existingSecret' "$chart/values.yaml" 2>/dev/null; then
  secret=(--set "iot-platform.secrets.existingSecret=$RELEASE-env")
fi

[ -f "$chart/prepare.sh" ] && bash "$chart/prepare.sh" # copies the project's files the chart deploys
helm dependency build "$chart"
helm upgrade --install "$RELEASE" "$chart" --namespace "$RELEASE" "${values[@]}" "${secret[@]}" \
  --wait --wait-for-jobs --timeout "${TIMEOUT_MINUTES}m"
kubectl -n "$RELEASE" get pods,svc
