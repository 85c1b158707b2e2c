#!/usr/bin/env bash
# One PostgreSQL role per service, least privilege (DESIGN.md §4). Run once by the postgres image's initdb
# (compose), and by the native and Kubernetes drivers against a fresh database; safe to run again.
#   flink_writer  LOGIN; Flink JDBC sinks. Writes are granted per table by the blueprint's 10-*.sql.
#   api_reader    LOGIN; read-only (only when POSTGRES_API_PASSWORD is set, i.e. the api component).
#   dbt_runner    LOGIN; reads public, owns schema marts (only when POSTGRES_DBT_PASSWORD is set).
# Tables created later in public by the migrating user are readable by api_reader and dbt_runner.
# No `set -u`: the postgres image sources (rather than runs) init scripts that lost their executable bit.
set -eo pipefail

: "${POSTGRES_FLINK_PASSWORD:?POSTGRES_FLINK_PASSWORD missing: run create-iot-platform or fill .env}"
POSTGRES_USER="${POSTGRES_USER:-postgres}"
POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"

run_sql() {
  psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v db="$POSTGRES_DB" -v owner="$POSTGRES_USER" "$@"
}

# Creates the role if missing and (re)sets its password; passwords travel as psql variables, never in argv.
login_role() {
  run_sql -v role="$1" -v pw="$2" <<'SQL'
SELECT format('CREATE ROLE %I', :'role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L',
              :'role', :'pw') \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', :'db', :'role') \gexec
SELECT format('GRANT USAGE ON SCHEMA public TO %I', :'role') \gexec
SQL
}

# Only the roles below may connect; nobody but the owner creates objects in public (the PostgreSQL 15+
# default, made explicit).
run_sql <<'SQL'
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'db') \gexec
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL

login_role flink_writer "$POSTGRES_FLINK_PASSWORD"
echo "00-roles: role flink_writer ready"

if [ -n "${POSTGRES_API_PASSWORD:-}" ]; then
  login_role api_reader "$POSTGRES_API_PASSWORD"
  run_sql <<'SQL'
SELECT format('GRANT SELECT ON ALL TABLES IN SCHEMA public TO api_reader') \gexec
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public GRANT SELECT ON TABLES TO api_reader', :'owner') \gexec
SQL
  echo "00-roles: role api_reader ready"
fi

if [ -n "${POSTGRES_DBT_PASSWORD:-}" ]; then
  login_role dbt_runner "$POSTGRES_DBT_PASSWORD"
  run_sql <<'SQL'
CREATE SCHEMA IF NOT EXISTS marts AUTHORIZATION dbt_runner;
ALTER SCHEMA marts OWNER TO dbt_runner;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO dbt_runner;
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public GRANT SELECT ON TABLES TO dbt_runner', :'owner') \gexec
-- dbt may add its own schemas (staging, custom schemas) next to marts, but never write to public.
SELECT format('GRANT CREATE ON DATABASE %I TO dbt_runner', :'db') \gexec
SQL
  if [ -n "${POSTGRES_API_PASSWORD:-}" ]; then
    run_sql <<'SQL'
GRANT USAGE ON SCHEMA marts TO api_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE dbt_runner IN SCHEMA marts GRANT SELECT ON TABLES TO api_reader;
SQL
  fi
  echo "00-roles: role dbt_runner ready, schema marts owned by it"
fi
