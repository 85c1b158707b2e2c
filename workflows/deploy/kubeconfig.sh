#!/usr/bin/env bash
# Writes $RUNNER_TEMP/kubeconfig (mode 600) and exports KUBECONFIG for the next steps.
#   kubeconfig.sh file   the KUBECONFIG_CONTENT secret (a whole kubeconfig)
#   kubeconfig.sh oidc   a GitHub OIDC token for audience OIDC_AUDIENCE, for a cluster whose API server
#                        trusts token.actions.githubusercontent.com (CLUSTER_SERVER, CLUSTER_CA base64 PEM)
set -euo pipefail
mode="${1:?file or oidc}"
config="${RUNNER_TEMP:-/tmp}/kubeconfig"
umask 077

case "$mode" in
  file)
    if [ -z "${KUBECONFIG_CONTENT:-}" ]; then
      echo "::error::secret KUBECONFIG is empty; add it to the environment's secrets, or use auth: oidc"
      exit 1
    fi
    printf '%s\n' "$KUBECONFIG_CONTENT" >"$config"
    ;;
  oidc)
    : "${CLUSTER_SERVER:?cluster-server is required with auth: oidc}"
    : "${CLUSTER_CA:?cluster-ca is required with auth: oidc}"
    if [ -z "${ACTIONS_ID_TOKEN_REQUEST_URL:-}" ]; then
      echo "::error::no OIDC token available; the calling job needs permissions: id-token: write"
      exit 1
    fi
    token="$(curl -fsSL -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" \
      "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=${OIDC_AUDIENCE:-kubernetes}" | jq -r '.value')"
    echo "::add-mask::$token"
    cat >"$config" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
  - name: target
    cluster:
      server: $CLUSTER_SERVER
      certificate-authority-data: $CLUSTER_CA
users:
  - name: github-actions
    user:
      token: $token
contexts:
  - name: target
    context: { cluster: target, user: github-actions }
current-context: target
KUBECONFIG
    ;;
  *)
    echo "error: unknown mode $mode; use file or oidc" >&2
    exit 1
    ;;
esac
echo "KUBECONFIG=$config" >>"${GITHUB_ENV:-/dev/null}"
