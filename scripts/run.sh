#!/usr/bin/env bash
# Runs SitePilot locally: installs missing tools, starts the project PostgreSQL, builds the release
# site and runs the server in the foreground (Ctrl-C stops it; the database keeps running, stop it
# with `scripts/db.sh stop`). Address: SITEPILOT_ADDR (default 127.0.0.1:3000).
set -euo pipefail
SP_LOG_NAME=run
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SP_ROOT"

ADDR="${SITEPILOT_ADDR:-127.0.0.1:3000}"
PORT="${ADDR##*:}"
[[ "$PORT" =~ ^[0-9]+$ && "$ADDR" == *:* ]] || die "SITEPILOT_ADDR must look like HOST:PORT (got '$ADDR')"
HOST="${ADDR%:*}"
# The address to probe: a wildcard bind is reachable on loopback.
PROBE_HOST="$HOST"
[[ "$HOST" == 0.0.0.0 || "$HOST" == "[::]" ]] && PROBE_HOST=127.0.0.1

if tcp_port_open "$PROBE_HOST" "$PORT"; then
  die "$ADDR is already in use: stop whatever listens there or set SITEPILOT_ADDR=127.0.0.1:<free port>"
fi

phase_must "setup tools" bash "$SP_SCRIPTS/setup-tools.sh"
phase_must "database" bash -c '"$1/db.sh" start && "$1/db.sh" ensure-db sitepilot' _ "$SP_SCRIPTS"
db_env_lines="$("$SP_SCRIPTS/db.sh" env sitepilot)"
eval "$db_env_lines"
export DATABASE_URL APP_DATABASE_URL

phase_must "cargo leptos build --release" build_release
[[ -x "$SP_SERVER_BIN" ]] || die "$SP_SERVER_BIN was not built (is bin-package = \"server\" in Cargo.toml?)"
phase_summary

export_server_env "$ADDR"

# Announces the URLs once the server answers /healthz. After `exec` below the server keeps this
# script's PID, so the waiter stops when the server goes away.
server_pid=$$
(
  for _ in $(seq 1 600); do
    kill -0 "$server_pid" 2>/dev/null || exit 0
    if [[ "$(http_status "http://$PROBE_HOST:$PORT/healthz")" == 200 ]]; then
      cat >&2 <<EOF

[run] SitePilot is up:
[run]   app            http://$PROBE_HOST:$PORT/
[run]   demo site      http://demo.localhost:$PORT/   (also http://$PROBE_HOST:$PORT/sites/demo/)
[run]   demo login     demo@sitepilot.test / sitepilot-demo
[run]   database       $("$SP_SCRIPTS/db.sh" status 2>&1 | sed 's/^\[db [^]]*\] //')
[run] Ctrl-C stops the server.

EOF
      exit 0
    fi
    sleep 0.5
  done
  SP_LOG_NAME=run warn "the server did not answer http://$PROBE_HOST:$PORT/healthz within 300 s"
) &

log "starting $SP_SERVER_BIN on $ADDR"
exec "$SP_SERVER_BIN"
