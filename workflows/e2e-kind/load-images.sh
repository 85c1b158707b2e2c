#!/usr/bin/env bash
# Builds the images compose.yaml builds from this repository (the services image, tagged :local) and loads
# them into the kind cluster, so the chart runs the code of this commit.
set -euo pipefail
: "${PLATFORM_DIR:?PLATFORM_DIR: the platform checkout}"
KIND_CLUSTER="${KIND_CLUSTER:-iot-platform-e2e}"

if [ ! -f compose.yaml ]; then
  echo "no compose.yaml: no images to build"
  exit 0
fi
env_file="$(bash "$PLATFORM_DIR/workflows/lib/ci-env.sh" .env.example)"
docker compose --env-file "$env_file" --profile '*' build
images="$(docker compose --env-file "$env_file" --profile '*' config --format json \
  | jq -r '.services[] | select(.build != null) | .image' | sort -u)"
for image in $images; do
  echo "loading $image"
  kind load docker-image --name "$KIND_CLUSTER" "$image"
done
