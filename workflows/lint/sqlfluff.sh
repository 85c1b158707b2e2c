#!/usr/bin/env bash
# sqlfluff on the dbt models (PostgreSQL dialect, jinja templater with dbt's ref/source/config builtins, so no
# database connection is needed). Parse errors and the rules of workflows/lint/sqlfluff.cfg fail.
set -euo pipefail
: "${PLATFORM_DIR:?PLATFORM_DIR: the platform checkout}"
SQLFLUFF_VERSION="${SQLFLUFF_VERSION:-4.5.0}"

if [ ! -d dbt/models ]; then
  echo "no dbt/models: skipped"
  exit 0
fi
venv="${IOT_PLATFORM_CACHE:-$HOME/.cache/iot-platform}/sqlfluff-venv"
if [ ! -x "$venv/bin/sqlfluff" ] || [ "$("$venv/bin/sqlfluff" --version | awk '{print $NF}')" != "$SQLFLUFF_VERSION" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "sqlfluff==$SQLFLUFF_VERSION"
fi
"$venv/bin/sqlfluff" --version
format=human
[ -n "${GITHUB_ACTIONS:-}" ] && format=github-annotation-native
"$venv/bin/sqlfluff" lint --config "$PLATFORM_DIR/workflows/lint/sqlfluff.cfg" --format "$format" dbt/models dbt/tests
