#!/usr/bin/env bash
# Installs the operators the chart's custom resources need, at pinned versions (versions.env), and waits
# until each is ready: cert-manager (the Flink operator's webhook needs it), Strimzi (Kafka), the Flink
# Kubernetes Operator, CloudNativePG (PostgreSQL) and, with INSTALL_ECK=true, ECK (Elasticsearch/Kibana).
set -euo pipefail
: "${PLATFORM_DIR:?PLATFORM_DIR: the platform checkout}"
# shellcheck disable=SC1091 # pinned versions, one per line
. "$PLATFORM_DIR/workflows/e2e-kind/versions.env"

helm upgrade --install cert-manager cert-manager \
  --repo https://charts.jetstack.io --version "$CERT_MANAGER_VERSION" \
  --namespace cert-manager --create-namespace --set crds.enabled=true --wait --timeout 5m

helm upgrade --install strimzi oci://quay.io/strimzi-helm/strimzi-kafka-operator --version "$STRIMZI_VERSION" \
  --namespace strimzi --create-namespace --set watchAnyNamespace=true --wait --timeout 5m

helm upgrade --install flink-kubernetes-operator flink-kubernetes-operator \
  --repo "https://archive.apache.org/dist/flink/flink-kubernetes-operator-$FLINK_OPERATOR_VERSION/" \
  --version "$FLINK_OPERATOR_VERSION" \
  --namespace flink-operator --create-namespace --set watchNamespaces=null --wait --timeout 5m

kubectl apply --server-side -f \
  "https://github.com/cloudnative-pg/cloudnative-pg/releases/download/v$CNPG_VERSION/cnpg-$CNPG_VERSION.yaml"
kubectl -n cnpg-system rollout status deployment/cnpg-controller-manager --timeout=5m

if [ "${INSTALL_ECK:-false}" = true ]; then
  helm upgrade --install elastic-operator eck-operator --repo https://helm.elastic.co --version "$ECK_VERSION" \
    --namespace elastic-system --create-namespace --wait --timeout 5m
fi
kubectl get pods --all-namespaces
