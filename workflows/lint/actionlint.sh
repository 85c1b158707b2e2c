#!/usr/bin/env bash
# actionlint (with ShellCheck on run: blocks) on the repository's workflows.
set -euo pipefail
: "${PLATFORM_DIR:?PLATFORM_DIR: the platform checkout}"

actionlint="$(bash "$PLATFORM_DIR/scripts/ensure-actionlint.sh")"
shellcheck="$(bash "$PLATFORM_DIR/scripts/ensure-shellcheck.sh")"
"$actionlint" -version | sed -n 1p
# Reusable workflows of the platform are fetched by GitHub at run time; actionlint checks the calls' syntax.
"$actionlint" -color -shellcheck "$shellcheck"
