#!/usr/bin/env bash
# Project-local PostgreSQL 15 for development and tests.
#
#   scripts/db.sh start | stop | status
#   scripts/db.sh ensure-db NAME      create database NAME (owner sitepilot_owner) unless it exists
#   scripts/db.sh recreate-db NAME    drop and create NAME (a clean database for a test run)
#   scripts/db.sh env NAME            print `export DATABASE_URL=... APP_DATABASE_URL=...` for NAME
#
# Sourcing it (`source scripts/db.sh`) defines the db_* functions; `source scripts/db.sh env NAME`
# exports the two URLs into the current shell.
#
# Without DATABASE_URL in the environment it runs its own cluster: data in .data/pg (survives
# restarts), socket in .data/sock, TCP on 127.0.0.1:${SITEPILOT_PG_PORT:-54329} only, log in
# .data/pg.log, password (scram-sha-256) logins for two roles:
#   sitepilot_owner  owns the databases and runs the migrations (BYPASSRLS, CREATEDB for sqlx::test)
#   sitepilot_app    the server's request role: no superuser, no BYPASSRLS, owns nothing
# With DATABASE_URL set (an existing PostgreSQL) it starts nothing and hands out DATABASE_URL and
# APP_DATABASE_URL as given (a DATABASE_URL that points at this project's own cluster is ignored).

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DB_PG_BIN="${SITEPILOT_PG_BIN:-/usr/lib/postgresql/15/bin}"
DB_PORT="${SITEPILOT_PG_PORT:-54329}"
DB_DATA_ROOT="${SITEPILOT_DATA_DIR:-$SP_ROOT/.data}"
DB_PGDATA="$DB_DATA_ROOT/pg"
DB_SOCK="$DB_DATA_ROOT/sock"
DB_LOG="$DB_DATA_ROOT/pg.log"
DB_OS_USER="postgres" # the OS user that owns and runs the cluster when we are root
DB_OWNER_ROLE="sitepilot_owner"
DB_OWNER_PASSWORD="sitepilot_owner_dev"
DB_APP_ROLE="sitepilot_app"
DB_APP_PASSWORD="sitepilot_app_dev"

db_log() { SP_LOG_NAME=db log "$@"; }
db_die() { SP_LOG_NAME=db die "$@"; }

# An existing PostgreSQL was handed to us through DATABASE_URL. A URL for this project's own cluster
# (say, left in the shell by `eval "$(scripts/db.sh env sitepilot)"`) does not count.
db_external() {
  [[ -n "${DATABASE_URL:-}" && "$DATABASE_URL" != "postgres://$DB_OWNER_ROLE:$DB_OWNER_PASSWORD@127.0.0.1:$DB_PORT/"* ]]
}

db_require_app_url() {
  [[ -n "${APP_DATABASE_URL:-}" ]] ||
    db_die "DATABASE_URL is set (existing PostgreSQL) but APP_DATABASE_URL is not: set APP_DATABASE_URL to a URL for a login role that is not the owner, not a superuser and has no BYPASSRLS (or unset DATABASE_URL to use the project-local cluster)"
}

db_check_name() {
  [[ "${1:-}" =~ ^[a-z_][a-z0-9_]{0,62}$ ]] ||
    db_die "database name '${1:-}' is not valid: use lower-case letters, digits and underscores"
}

# Unix socket paths are limited to ~107 bytes; fall back to a short directory for deep checkouts.
db_resolve_sock() {
  if ((${#DB_SOCK} + 16 > 100)); then
    DB_SOCK="${TMPDIR:-/tmp}/sitepilot-sock-$(printf '%s' "$DB_PGDATA" | cksum | cut -d' ' -f1)"
    db_log "repository path is long: using socket directory $DB_SOCK"
  fi
}
db_resolve_sock

# Runs a command as the cluster's OS user (postgres when we are root; initdb and postgres refuse
# to run as root), from / so an unreadable working directory does not matter.
db_as_owner() {
  if is_root; then
    (cd / && runuser -u "$DB_OS_USER" -- "$@")
  else
    (cd / && "$@")
  fi
}

# psql as the cluster superuser over the unix socket.
db_psql_super() {
  db_as_owner "$DB_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$DB_SOCK" -p "$DB_PORT" -U postgres "$@"
}

db_need_binaries() {
  local b
  for b in initdb pg_ctl postgres psql; do
    [[ -x "$DB_PG_BIN/$b" ]] ||
      db_die "$DB_PG_BIN/$b not found: run scripts/setup-tools.sh (apt-get install -y postgresql-15)"
  done
  if is_root; then
    id -u "$DB_OS_USER" >/dev/null 2>&1 ||
      db_die "OS user '$DB_OS_USER' missing (it comes with the postgresql-15 package)"
  fi
}

# Lets the cluster's OS user reach DIR when we are root: every ancestor needs the search (x) bit.
db_make_traversable() {
  local dir="" part
  local -a parts
  IFS=/ read -r -a parts <<<"${1#/}"
  # From / downwards, so each check only fails for the directory that really blocks the way.
  for part in "${parts[@]}"; do
    dir="$dir/$part"
    if ! runuser -u "$DB_OS_USER" -- test -x "$dir" 2>/dev/null; then
      db_log "granting others search permission on $dir so the $DB_OS_USER user can reach the data directory"
      chmod o+x "$dir"
    fi
  done
}

db_prepare_dirs() {
  mkdir -p "$DB_DATA_ROOT" "$DB_PGDATA" "$DB_SOCK"
  if is_root; then
    db_make_traversable "$(dirname "$DB_DATA_ROOT")"
    chown "$DB_OS_USER:" "$DB_DATA_ROOT" "$DB_SOCK"
    [[ "$(stat -c %U "$DB_PGDATA")" == "$DB_OS_USER" ]] || chown -R "$DB_OS_USER:" "$DB_PGDATA"
    touch "$DB_LOG"
    chown "$DB_OS_USER:" "$DB_LOG"
    runuser -u "$DB_OS_USER" -- test -w "$DB_DATA_ROOT" ||
      db_die "the $DB_OS_USER user cannot write $DB_DATA_ROOT; fix its permissions or set SITEPILOT_DATA_DIR"
  fi
  chmod 0750 "$DB_DATA_ROOT"
  chmod 0700 "$DB_PGDATA" "$DB_SOCK"
}

db_initdb() {
  [[ -f "$DB_PGDATA/PG_VERSION" ]] && return 0
  db_log "initdb: new cluster in $DB_PGDATA"
  db_as_owner "$DB_PG_BIN/initdb" -D "$DB_PGDATA" -U postgres -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >>"$DB_LOG" 2>&1 ||
    db_die "initdb failed; see $DB_LOG"
}

# Rewrites the settings we manage on every start, so a changed SITEPILOT_PG_PORT or an edited
# file is corrected. Written through the cluster user so ownership stays right.
db_write_config() {
  db_as_owner sh -c 'cat >"$1"' _ "$DB_PGDATA/sitepilot.conf" <<EOF
# Managed by scripts/db.sh; rewritten on every start.
listen_addresses = '127.0.0.1'
port = $DB_PORT
unix_socket_directories = '$DB_SOCK'
unix_socket_permissions = 0700
password_encryption = 'scram-sha-256'
max_connections = 200
synchronous_commit = off
log_line_prefix = '%m [%p] %q%u@%d '
EOF
  db_as_owner sh -c 'cat >"$1"' _ "$DB_PGDATA/pg_hba.conf" <<'EOF'
# Managed by scripts/db.sh; rewritten on every start.
# The socket directory is 0700 and owned by the cluster's OS user, so only that user reaches it.
# TYPE  DATABASE  USER  ADDRESS        METHOD
local   all       all                  trust
host    all       all   127.0.0.1/32   scram-sha-256
EOF
  if ! grep -q "^include_if_exists = 'sitepilot.conf'" "$DB_PGDATA/postgresql.conf"; then
    db_as_owner sh -c 'printf "\n%s\n" "include_if_exists = '"'"'sitepilot.conf'"'"'" >>"$1"' _ "$DB_PGDATA/postgresql.conf"
  fi
}

# True when our cluster's postmaster is alive.
db_running() {
  [[ -f "$DB_PGDATA/PG_VERSION" ]] || return 1
  db_as_owner "$DB_PG_BIN/pg_ctl" -D "$DB_PGDATA" status >/dev/null 2>&1
}

# The port the running cluster listens on (4th line of postmaster.pid).
db_running_port() {
  sed -n 4p "$DB_PGDATA/postmaster.pid" 2>/dev/null || true
}

db_ensure_roles() {
  db_psql_super -d postgres >/dev/null <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$DB_OWNER_ROLE') THEN
    CREATE ROLE $DB_OWNER_ROLE;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$DB_APP_ROLE') THEN
    CREATE ROLE $DB_APP_ROLE;
  END IF;
  -- Visitor-only role: EXECUTE on the host lookups (granted in migration 0017), no tables.
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sitepilot_visitor') THEN
    CREATE ROLE sitepilot_visitor;
  END IF;
  -- Test fixture: a login role with no privileges of its own that is a member of the owner role.
  -- The server must refuse it as APP_DATABASE_URL (server/tests/it/startup.rs).
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sitepilot_escalated_test') THEN
    CREATE ROLE sitepilot_escalated_test;
  END IF;
END
\$\$;
ALTER ROLE $DB_OWNER_ROLE WITH LOGIN NOSUPERUSER BYPASSRLS CREATEDB NOCREATEROLE PASSWORD '$DB_OWNER_PASSWORD';
ALTER ROLE $DB_APP_ROLE WITH LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD '$DB_APP_PASSWORD';
ALTER ROLE sitepilot_visitor WITH LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD 'sitepilot_visitor_dev';
ALTER ROLE sitepilot_escalated_test WITH LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD 'sitepilot_escalated_dev';
GRANT $DB_OWNER_ROLE TO sitepilot_escalated_test;
SQL
}

db_start() {
  if db_external; then
    db_require_app_url
    db_log "DATABASE_URL is set: using that PostgreSQL, starting nothing"
    return 0
  fi
  db_need_binaries
  if db_running; then
    local port
    port="$(db_running_port)"
    if [[ "$port" != "$DB_PORT" ]]; then
      db_die "the project cluster is running on port $port but SITEPILOT_PG_PORT asks for $DB_PORT: run 'scripts/db.sh stop' (with SITEPILOT_PG_PORT=$port) first"
    fi
    db_log "already running on 127.0.0.1:$DB_PORT (data $DB_PGDATA)"
  else
    if tcp_port_open 127.0.0.1 "$DB_PORT"; then
      db_die "port $DB_PORT on 127.0.0.1 is taken by another process (not this project's cluster): set SITEPILOT_PG_PORT to a free port, e.g. SITEPILOT_PG_PORT=$((DB_PORT + 1))"
    fi
    db_prepare_dirs
    db_initdb
    db_write_config
    db_log "starting PostgreSQL on 127.0.0.1:$DB_PORT (data $DB_PGDATA, log $DB_LOG)"
    if ! db_as_owner "$DB_PG_BIN/pg_ctl" -D "$DB_PGDATA" -l "$DB_LOG" -w -t 60 start >/dev/null; then
      tail -n 30 "$DB_LOG" >&2 || true
      db_die "PostgreSQL did not start; log above (full log: $DB_LOG)"
    fi
  fi
  db_ensure_roles
  db_log "roles $DB_OWNER_ROLE and $DB_APP_ROLE ready"
}

db_stop() {
  if db_external; then
    db_log "DATABASE_URL is set: nothing to stop"
    return 0
  fi
  if db_running; then
    db_log "stopping PostgreSQL (data $DB_PGDATA)"
    db_as_owner "$DB_PG_BIN/pg_ctl" -D "$DB_PGDATA" -m fast -w -t 60 stop >/dev/null
    db_log "stopped"
  else
    db_log "not running"
  fi
}

# Exit 0 when the database is reachable, 3 when it is not (like pg_ctl status).
db_status() {
  if db_external; then
    if "$DB_PG_BIN/psql" -X -q -At "$DATABASE_URL" -c 'select 1' >/dev/null 2>&1; then
      db_log "DATABASE_URL is set: reachable"
      return 0
    fi
    db_log "DATABASE_URL is set: NOT reachable"
    return 3
  fi
  if db_running; then
    db_log "running on 127.0.0.1:$(db_running_port) (pid $(head -n 1 "$DB_PGDATA/postmaster.pid"), data $DB_PGDATA, log $DB_LOG)"
    return 0
  fi
  db_log "not running (data $DB_PGDATA)"
  return 3
}

db_require_running() {
  db_running || db_die "the project cluster is not running: run 'scripts/db.sh start' first"
}

db_ensure_db() {
  local name=${1:-}
  db_check_name "$name"
  if db_external; then
    db_require_app_url
    "$DB_PG_BIN/psql" -X -q -At "$DATABASE_URL" -c 'select 1' >/dev/null ||
      db_die "cannot connect with DATABASE_URL"
    db_log "DATABASE_URL is set: using its database as given (not creating '$name')"
    return 0
  fi
  db_require_running
  if [[ "$(db_psql_super -d postgres -At -c "SELECT 1 FROM pg_database WHERE datname = '$name'")" == 1 ]]; then
    db_log "database $name: exists"
  else
    db_psql_super -d postgres -c "CREATE DATABASE \"$name\" OWNER $DB_OWNER_ROLE" >/dev/null
    db_log "database $name: created (owner $DB_OWNER_ROLE)"
  fi
  db_psql_super -d postgres -c "GRANT CONNECT ON DATABASE \"$name\" TO $DB_APP_ROLE, sitepilot_escalated_test" >/dev/null
}

db_recreate_db() {
  local name=${1:-}
  db_check_name "$name"
  if db_external; then
    db_log "DATABASE_URL is set: not dropping anything in an existing PostgreSQL"
    db_ensure_db "$name"
    return 0
  fi
  db_require_running
  db_psql_super -d postgres -c "SET client_min_messages = warning" \
    -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" >/dev/null
  db_log "database $name: dropped"
  db_ensure_db "$name"
}

# Prints shell export lines for database NAME.
db_env() {
  local name=${1:-}
  db_check_name "$name"
  if db_external; then
    db_require_app_url
    printf 'export DATABASE_URL=%q\n' "$DATABASE_URL"
    printf 'export APP_DATABASE_URL=%q\n' "$APP_DATABASE_URL"
    return 0
  fi
  printf 'export DATABASE_URL=%s\n' "postgres://$DB_OWNER_ROLE:$DB_OWNER_PASSWORD@127.0.0.1:$DB_PORT/$name"
  printf 'export APP_DATABASE_URL=%s\n' "postgres://$DB_APP_ROLE:$DB_APP_PASSWORD@127.0.0.1:$DB_PORT/$name"
}

db_usage() {
  sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
}

db_main() {
  local cmd=${1:-}
  (($# > 0)) && shift
  case "$cmd" in
    start) db_start ;;
    stop) db_stop ;;
    status) db_status ;;
    ensure-db) db_ensure_db "$@" ;;
    recreate-db) db_recreate_db "$@" ;;
    env) db_env "$@" ;;
    -h | --help | help)
      db_usage
      ;;
    *)
      db_usage
      db_die "unknown command '${cmd}'"
      ;;
  esac
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  SP_LOG_NAME=db
  db_main "$@"
elif (($# > 0)); then
  # Sourced with a command: `env` exports into the caller's shell, anything else just runs.
  if [[ "$1" == env ]]; then
    eval "$(db_env "${@:2}")"
  else
    (
      set -euo pipefail
      db_main "$@"
    )
  fi
fi
