#!/usr/bin/env bash
# Writes a throwaway env file for CI from .env.example: every variable without a value gets a random one
# (a git-ignored .env never reaches CI; nothing has a default password). Prints the file's path.
#   workflows/lib/ci-env.sh [.env.example] [output]
set -euo pipefail

example="${1:-.env.example}"
output="${2:-${RUNNER_TEMP:-/tmp}/ci.env}"
[ -f "$example" ] || { echo "error: $example not found; it lists the variables compose and the chart read" >&2; exit 1; }
: >"$output"
chmod 600 "$output"
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in
    '' | '#'*) continue ;;
  esac
  name="${line%%=*}"
  value="${line#*=}"
  if [ -z "$value" ] && [ "$name" = KAFKA_CLUSTER_ID ]; then
    value="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')" # KRaft: 16 bytes, base64url
  elif [ -z "$value" ]; then
    value="ci$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  fi
  printf '%s=%s\n' "$name" "$value" >>"$output"
done <"$example"
echo "$output"
