#!/usr/bin/env bash
# Makes sure PostgreSQL server binaries (initdb, pg_ctl, postgres) are installed from the system packages
# and prints their bin directory. Used by the tests (throwaway clusters) and the native stack driver.
# Usage: PG_BIN=$(scripts/ensure-postgres.sh)
set -euo pipefail

find_bindir() {
  if [ -n "${PG_BIN:-}" ] && [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ]; then echo "$PG_BIN"; return 0; fi
  local dir
  # Debian/Ubuntu: /usr/lib/postgresql/<major>/bin; pick the newest major.
  local major
  for major in $(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | sort -n -r); do
    dir="/usr/lib/postgresql/$major/bin"
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
  done
  if command -v pg_config >/dev/null 2>&1; then
    dir="$(pg_config --bindir)"
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
  fi
  return 1
}

if find_bindir; then exit 0; fi

echo "Installing PostgreSQL server from the system packages ..." >&2
if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: PostgreSQL server not found and apt-get is unavailable; install PostgreSQL (initdb, pg_ctl) and set PG_BIN" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2 || true
if ! $SUDO apt-get install -y -qq --no-install-recommends postgresql >&2; then
  echo "error: 'apt-get install postgresql' failed; install PostgreSQL (initdb, pg_ctl) and set PG_BIN" >&2
  exit 1
fi
if ! find_bindir; then
  echo "error: postgresql installed but initdb/pg_ctl not found under /usr/lib/postgresql/*/bin" >&2
  exit 1
fi
