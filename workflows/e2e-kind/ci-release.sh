#!/usr/bin/env bash
# The CI-only inputs of the e2e-kind release, made from the throwaway env file of lib/ci-env.sh (the same
# values end up in the repository's .env, so the e2e tests use exactly the passwords the release runs with):
#   <out>/secrets.yaml  Secret <release>-env           every value of the env file (the chart's
#                                                      secrets.existingSecret: MQTT_*, REDIS_*, API_KEY, S3_*)
#                       Secret <release>-postgres-superuser  basic-auth postgres / POSTGRES_PASSWORD
#                                                      (postgres.superuserSecret: the tests connect as postgres)
#                       Secret <release>-pg-<role>     basic-auth per POSTGRES_<ROLE>_PASSWORD of the env file
#                                                      (postgres.roleSecrets)
#   <out>/values.yaml   values that point the chart at those Secrets, turn the Kafka CI listener on
#                       (kafka.ciListener: <release>-kafka-ci-bootstrap:19092 advertising 127.0.0.1:19092)
#                       and run the services image built and loaded on the runner ($SERVICES_IMAGE, default
#                       the <project>-services:local tag of compose.yaml).
# A project chart (dependency iot-platform) gets the values under `iot-platform:`; the platform chart itself
# at the top level. Usage: RELEASE=<release> ci-release.sh <chart folder> <env file> <out folder>
set -euo pipefail
: "${RELEASE:?RELEASE: the Helm release name}"
chart="${1:?chart folder}"
env_file="${2:?env file (workflows/lib/ci-env.sh)}"
out="${3:?output folder}"
[ -f "$chart/Chart.yaml" ] || { echo "error: $chart/Chart.yaml not found" >&2; exit 1; }
[ -f "$env_file" ] || { echo "error: $env_file not found" >&2; exit 1; }
mkdir -p "$out"
umask 077

value() { # value NAME: the value of NAME in the env file (empty when absent)
  local line
  line="$(grep -m1 -E "^$1=" "$env_file" || true)"
  printf '%s' "${line#*=}"
}
b64() { printf '%s' "$1" | base64 | tr -d '\n'; }

secrets="$out/secrets.yaml"
{
  echo "# CI-only Secrets of release $RELEASE (workflows/e2e-kind/ci-release.sh); never used outside the kind cluster."
  echo "apiVersion: v1"
  echo "kind: Secret"
  echo "metadata:"
  echo "  name: $RELEASE-env"
  echo "type: Opaque"
  echo "data:"
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in '' | '#'*) continue ;; esac
    echo "  ${line%%=*}: $(b64 "${line#*=}")"
  done <"$env_file"
} >"$secrets"

basic_auth() { # basic_auth NAME USERNAME PASSWORD [cnpg-reload]
  {
    echo "---"
    echo "apiVersion: v1"
    echo "kind: Secret"
    echo "metadata:"
    echo "  name: $1"
    if [ -n "${4:-}" ]; then
      echo "  labels:"
      echo "    cnpg.io/reload: \"true\""
    fi
    echo "type: kubernetes.io/basic-auth"
    echo "data:"
    echo "  username: $(b64 "$2")"
    echo "  password: $(b64 "$3")"
  } >>"$secrets"
}

superuser=""
if [ -n "$(value POSTGRES_PASSWORD)" ]; then
  superuser="$RELEASE-postgres-superuser"
  basic_auth "$superuser" postgres "$(value POSTGRES_PASSWORD)"
fi
roles=()
for entry in flink_writer:POSTGRES_FLINK_PASSWORD api_reader:POSTGRES_API_PASSWORD dbt_runner:POSTGRES_DBT_PASSWORD; do
  role="${entry%%:*}"
  password="$(value "${entry#*:}")"
  [ -n "$password" ] || continue
  basic_auth "$RELEASE-pg-${role//_/-}" "$role" "$password" reload
  roles+=("$role: $RELEASE-pg-${role//_/-}")
done

services_image="${SERVICES_IMAGE:-}"
if [ -z "$services_image" ] && [ -f iot-platform.yaml ]; then
  services_image="$(yq -r '.project.name' iot-platform.yaml)-services:local" # compose.yaml's x-node-service image
fi

indent=""
prefix_line=""
if [ -n "$(bash "$(dirname "${BASH_SOURCE[0]}")/../lib/values-prefix.sh" "$chart")" ]; then
  indent="  "
  prefix_line="iot-platform:"
fi
values="$out/values.yaml"
{
  echo "# CI-only values of release $RELEASE (workflows/e2e-kind/ci-release.sh)."
  [ -n "$prefix_line" ] && echo "$prefix_line"
  echo "${indent}secrets:"
  echo "${indent}  existingSecret: $RELEASE-env"
  echo "${indent}kafka:"
  echo "${indent}  ciListener:"
  echo "${indent}    enabled: true"
  echo "${indent}    port: 19092"
  echo "${indent}    advertisedHost: 127.0.0.1"
  echo "${indent}postgres:"
  [ -n "$superuser" ] && echo "${indent}  superuserSecret: $superuser"
  if [ "${#roles[@]}" -gt 0 ]; then
    echo "${indent}  roleSecrets:"
    for role in "${roles[@]}"; do echo "${indent}    $role"; done
  else
    echo "${indent}  roleSecrets: {}"
  fi
  if [ -n "$services_image" ]; then
    echo "${indent}images:"
    echo "${indent}  pullPolicy: IfNotPresent # loaded into kind by load-images.sh, never pulled"
    echo "${indent}  services:"
    echo "${indent}    repository: ${services_image%:*}"
    echo "${indent}    tag: \"${services_image##*:}\""
  fi
} >"$values"
echo "$out"
