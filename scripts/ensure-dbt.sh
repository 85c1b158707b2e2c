#!/usr/bin/env bash
# Provisions dbt (exactly dbt-core + dbt-postgres of renderer/versions.ts PYTHON) in a venv outside git and
# prints the path of the dbt executable. Idempotent: one venv per pinned pair, so a pin change never removes a
# venv another run is using; concurrent calls install once.
# Usage: DBT=$(scripts/ensure-dbt.sh)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSIONS="$ROOT/renderer/versions.ts"

# Read the pins from the PYTHON block of versions.ts ('dbt-core': 'X.Y.Z', ...).
pin() {
  sed -n "/^export const PYTHON/,/^}/p" "$VERSIONS" | sed -n "s/^ *'$1': *'\([^']*\)'.*/\1/p"
}
DBT_CORE="$(pin dbt-core)"
DBT_POSTGRES="$(pin dbt-postgres)"
if [ -z "$DBT_CORE" ] || [ -z "$DBT_POSTGRES" ]; then
  echo "error: could not read dbt-core/dbt-postgres pins from $VERSIONS (PYTHON block)" >&2
  exit 1
fi
WANT="dbt-core==$DBT_CORE dbt-postgres==$DBT_POSTGRES"
VENV="${DBT_VENV:-$HOME/.cache/iot-platform/dbt-$DBT_CORE-$DBT_POSTGRES-venv}"
mkdir -p "$(dirname "$VENV")"
exec 9>"$VENV.lock"
flock 9

PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
  for candidate in python3.12 python3.11 python3.10 python3; do
    # pyenv shims exist for versions that are not active: check that the interpreter really runs.
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import venv' >/dev/null 2>&1; then
      PYTHON="$(command -v "$candidate")"; break
    fi
  done
fi
if [ -z "$PYTHON" ]; then
  echo "error: python3 not found; install it (apt-get install python3 python3-venv)" >&2
  exit 1
fi

if [ -x "$VENV/bin/dbt" ] && [ "$(cat "$VENV/.pins" 2>/dev/null)" = "$WANT" ]; then
  echo "$VENV/bin/dbt"
  exit 0
fi

echo "Installing $WANT into $VENV ..." >&2
rm -rf "$VENV"
if ! "$PYTHON" -m venv "$VENV" >&2; then
  echo "error: '$PYTHON -m venv' failed; install python3-venv (apt-get install python3-venv)" >&2
  exit 1
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
# shellcheck disable=SC2086
if ! "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check $WANT >&2; then
  echo "error: pip could not install $WANT; check the PYTHON pins in renderer/versions.ts" >&2
  exit 1
fi
echo "$WANT" >"$VENV/.pins"
echo "$VENV/bin/dbt"
