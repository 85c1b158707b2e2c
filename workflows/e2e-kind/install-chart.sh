#!/usr/bin/env bash
# prepare.sh + helm dependency build + helm install of the repository's chart into namespace $RELEASE, then
# waits for the release. Secrets: one throwaway env file from .env.example (lib/ci-env.sh) is both the
# repository's .env (what the e2e tests read) and the Secrets the chart reads (ci-release.sh: <release>-env
# as secrets.existingSecret, <release>-postgres-superuser, <release>-pg-<role>); nothing has a default password.
# RENDER_ONLY=<folder>: no cluster; writes the Secrets and `helm template` of exactly this install there
# (test/workflows.test.ts checks the names port-forward.sh relies on against it).
set -euo pipefail
: "${PLATFORM_DIR:?PLATFORM_DIR: the platform checkout}"
: "${RELEASE:?RELEASE: the Helm release name}"
TIMEOUT_MINUTES="${TIMEOUT_MINUTES:-15}"
here="$PLATFORM_DIR/workflows/e2e-kind"

chart="$(bash "$PLATFORM_DIR/workflows/lib/chart.sh" "${CHART_PATH:-}")"
if [ -z "$chart" ]; then
  echo "::error::no Helm chart under charts/; the e2e-kind workflow needs one (create-iot-platform upgrade adds it)"
  exit 1
fi
ci="${RENDER_ONLY:-${RUNNER_TEMP:-/tmp}/e2e-kind-release}"
mkdir -p "$ci"
env_file="$(bash "$PLATFORM_DIR/workflows/lib/ci-env.sh" .env.example "$ci/ci.env")"
bash "$here/ci-release.sh" "$chart" "$env_file" "$ci" >/dev/null
cp "$env_file" .env # the e2e tests read the same secrets (git-ignored, never committed)
chmod 600 .env

values=()
[ -f "$chart/values-dev.yaml" ] && values+=(--values "$chart/values-dev.yaml")
[ -f "$chart/ci-values.yaml" ] && values+=(--values "$chart/ci-values.yaml")
[ -f charts/ci-values.yaml ] && values+=(--values charts/ci-values.yaml)
for file in ${VALUES_FILES:-}; do values+=(--values "$file"); done
values+=(--values "$ci/values.yaml") # last: the CI Secrets, the Kafka CI listener, the images loaded into kind

[ -f "$chart/prepare.sh" ] && bash "$chart/prepare.sh" # copies the project's files the chart deploys
helm dependency build "$chart"

if [ -n "${RENDER_ONLY:-}" ]; then
  helm template "$RELEASE" "$chart" --namespace "$RELEASE" "${values[@]}" \
    --kube-version "${KUBERNETES_VERSION:-1.34.4}" >"$RENDER_ONLY/rendered.yaml"
  echo "rendered into $RENDER_ONLY (secrets.yaml, values.yaml, rendered.yaml)"
  exit 0
fi
kubectl create namespace "$RELEASE" --dry-run=client -o yaml | kubectl apply -f -
kubectl -n "$RELEASE" apply -f "$ci/secrets.yaml"
helm upgrade --install "$RELEASE" "$chart" --namespace "$RELEASE" "${values[@]}" \
  --wait --wait-for-jobs --timeout "${TIMEOUT_MINUTES}m"
# helm waits for the chart's own workloads only; the operators' resources become ready on their own time.
# port-forward.sh needs the Services they create (Kafka's CI bootstrap, <release>-postgres-rw, <job>-rest).
wait="${TIMEOUT_MINUTES}m"
kubectl -n "$RELEASE" wait "kafka.kafka.strimzi.io/$RELEASE" --for=condition=Ready --timeout="$wait"
kubectl -n "$RELEASE" wait kafkatopics.kafka.strimzi.io -l "strimzi.io/cluster=$RELEASE" --for=condition=Ready --timeout="$wait"
kubectl -n "$RELEASE" wait "clusters.postgresql.cnpg.io/$RELEASE-postgres" --for=condition=Ready --timeout="$wait"
if [ -n "$(kubectl -n "$RELEASE" get flinkdeployments.flink.apache.org -l "app.kubernetes.io/instance=$RELEASE" -o name)" ]; then
  kubectl -n "$RELEASE" wait flinkdeployments.flink.apache.org -l "app.kubernetes.io/instance=$RELEASE" \
    --for=jsonpath='{.status.jobStatus.state}'=RUNNING --timeout="$wait"
fi
kubectl -n "$RELEASE" get pods,svc
