#!/usr/bin/env bash
# `docker compose config --quiet` (Compose specification, interpolation, references) with throwaway secrets
# for the variables .env.example leaves blank, every profile on.
set -euo pipefail
: "${PLATFORM_DIR:?PLATFORM_DIR: the platform checkout}"

if [ ! -f compose.yaml ]; then
  echo "no compose.yaml: skipped"
  exit 0
fi
env_file="$(bash "$PLATFORM_DIR/workflows/lib/ci-env.sh" .env.example)"
if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
else
  compose=("$(bash "$PLATFORM_DIR/scripts/ensure-compose.sh")")
fi
"${compose[@]}" --env-file "$env_file" --profile '*' config --quiet
echo "compose.yaml is valid"
