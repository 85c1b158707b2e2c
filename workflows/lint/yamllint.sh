#!/usr/bin/env bash
# yamllint on every YAML file of the repository (Helm templates and the platform checkout excluded).
set -euo pipefail
: "${PLATFORM_DIR:?PLATFORM_DIR: the platform checkout}"

yamllint="$(bash "$PLATFORM_DIR/scripts/ensure-yamllint.sh")"
"$yamllint" --version
format=auto
[ -n "${GITHUB_ACTIONS:-}" ] && format=github
"$yamllint" --config-file "$PLATFORM_DIR/workflows/lint/yamllint.yml" --format "$format" .
