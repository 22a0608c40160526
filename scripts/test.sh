#!/usr/bin/env bash
# shellcheck disable=SC2317 # functions below are called indirectly (trap, phase_run)
# The whole test suite, as CI runs it (`bash .ci/run` calls this):
#   tools -> database -> fresh test databases -> fmt + clippy -> Rust tests (app, server) -> release build ->
#   server on a free port -> Playwright (chromium + no-js) -> summary of phase durations.
# Exits non-zero when any phase failed. With DATABASE_URL (and APP_DATABASE_URL) set by the caller
# it uses that PostgreSQL instead of starting the project-local cluster.
#
# For parallel work trees sharing one cluster (SITEPILOT_DATA_DIR=<main>/.data):
#   SITEPILOT_TEST_DB_PREFIX=name  databases name_test and name_e2e instead of sitepilot_*
#   SITEPILOT_SKIP_RUST_TESTS=1    skip the cargo test phases
#   SITEPILOT_SKIP_LINT=1          skip the fmt and clippy phases
#   arguments                      passed to `playwright test` (e.g. a spec file name)
set -euo pipefail
SP_LOG_NAME="test"
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SP_ROOT"

# Nothing here may wait for a person: no prompts from npm/npx, Playwright or cargo.
export CI="${CI:-}"
if [[ "$CI" == true ]]; then
  log "CI=true: non-interactive run"
fi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm_config_yes=false npm_config_fund=false npm_config_audit=false

E2E_LOG="$SP_ROOT/target/e2e-server.log"
E2E_NO_AI_LOG="$SP_ROOT/target/e2e-server-no-ai.log"
# Where the e2e server's emails arrive (the SMTP sink); Playwright reads them there.
E2E_MAIL_DIR="$SP_ROOT/target/e2e-mail"
DNS_LOG="$SP_ROOT/target/e2e-dns.log"
AI_LOG="$SP_ROOT/target/e2e-ai.log"
db_started_here=""
# The local stand-in servers (server/examples) the e2e server talks to.
example_pids=()
# The second e2e server, without an AI provider (ai-off.spec.ts).
NO_AI_PID=""
NO_AI_PORT=""

cleanup() {
  local rc=$?
  stop_background_server
  if [[ -n "$NO_AI_PID" ]]; then
    kill "$NO_AI_PID" 2>/dev/null || true
  fi
  if [[ -n "$s3_started_here" ]]; then
    "$SP_SCRIPTS/s3-local.sh" stop || true
  fi
  stop_smtp_sink
  local pid
  for pid in "${example_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  if [[ -n "$db_started_here" ]]; then
    "$SP_SCRIPTS/db.sh" stop || true
  fi
  exit "$rc"
}
s3_started_here=""
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- a. tools and database ---------------------------------------------------------------------
phase_must "setup tools" bash "$SP_SCRIPTS/setup-tools.sh"

# Leave the cluster as we found it: stop it at the end only when this run started it.
set +e
"$SP_SCRIPTS/db.sh" status >/dev/null 2>&1
db_status_rc=$?
set -e
phase_must "database start" "$SP_SCRIPTS/db.sh" start
if [[ "$db_status_rc" != 0 && -z "${DATABASE_URL:-}" ]]; then
  db_started_here=1
fi

# --- b. fresh databases --------------------------------------------------------------------------
DB_PREFIX="${SITEPILOT_TEST_DB_PREFIX:-sitepilot}"
TEST_DB="${DB_PREFIX}_test"
E2E_DB="${DB_PREFIX}_e2e"
phase_must "recreate test databases" bash -c \
  '"$1/db.sh" recreate-db "$2" && "$1/db.sh" recreate-db "$3"' _ "$SP_SCRIPTS" "$TEST_DB" "$E2E_DB"

use_sqlx_offline_data

# --- c. format and lints (fast, before the slow phases) ------------------------------------------
# clippy per package with explicit features: the server side (ssr) and the browser side
# (hydrate, wasm32). Warnings fail the phase.
if [[ "${SITEPILOT_SKIP_LINT:-}" == 1 ]]; then
  phase_skip "cargo fmt / clippy" "SITEPILOT_SKIP_LINT=1"
else
  phase_run "cargo fmt --check" cargo fmt --all --check
  phase_run "cargo clippy (ssr)" \
    cargo clippy -p app -p server --features app/ssr --all-targets -- -D warnings
  # The browser side lints its libraries only: the test targets' dev-dependencies (tokio with
  # sockets) do not build for wasm32, and the tests run natively in the ssr phase above.
  phase_run "cargo clippy (hydrate)" \
    cargo clippy -p frontend -p app --features app/hydrate --target wasm32-unknown-unknown \
    -- -D warnings
fi

# --- d. Rust tests -------------------------------------------------------------------------------
rust_tests() {
  local env_lines
  env_lines="$("$SP_SCRIPTS/db.sh" env "$TEST_DB")"
  eval "$env_lines"
  export DATABASE_URL APP_DATABASE_URL
  "$@"
}
if [[ "${SITEPILOT_SKIP_RUST_TESTS:-}" == 1 ]]; then
  phase_skip "cargo test" "SITEPILOT_SKIP_RUST_TESTS=1"
else
  # The storage suite runs against the local disk and against a local S3-compatible server
  # (moto from PyPI, pinned, in a project-local virtualenv; scripts/s3-local.sh).
  phase_begin "start local S3 server"
  if s3_env="$("$SP_SCRIPTS/s3-local.sh" start)"; then
    eval "$s3_env"
    export SITEPILOT_TEST_S3_ENDPOINT SITEPILOT_TEST_S3_BUCKET
    s3_started_here=1
    phase_end 0
  else
    phase_end 1
  fi
  phase_run "cargo test -p app --features ssr" rust_tests cargo test -p app --features ssr
  phase_run "cargo test -p server" rust_tests cargo test -p server
fi

# --- e. release build ----------------------------------------------------------------------------
phase_run "cargo leptos build --release" build_release
build_rc=$SP_PHASE_RC

# --- f. servers for the browser tests --------------------------------------------------------------
# Local servers built from the server crate's dev-dependencies in the debug profile the Rust
# tests share, each printing `listening on ADDR` once it serves; run in this shell so the EXIT
# trap can stop them:
# - a real DNS server (hickory-server, server/examples/test_dns.rs) serving the empty zone
#   `test.`: the app's custom-domain checks ask it (SITEPILOT_DNS_SERVER) and get NXDOMAIN;
# - the AI provider stand-in (server/examples/ai_standin.rs), speaking the Anthropic Messages
#   streaming API with valid tool calls (SITEPILOT_AI_*), since no model is reachable here.
# start_example NAME LOG: sets EXAMPLE_ADDR.
start_example() {
  local name="$1" log_file="$2" pid deadline addr=""
  cargo build -q -p server --example "$name" || return 1
  "$SP_ROOT/target/debug/examples/$name" >"$log_file" 2>&1 &
  pid=$!
  example_pids+=("$pid")
  deadline=$((SECONDS + 30))
  while ((SECONDS < deadline)); do
    addr="$(sed -n 's/^listening on //p' "$log_file" 2>/dev/null)"
    [[ -n "$addr" ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  [[ -n "$addr" ]] || { log "$name did not start; see $log_file"; return 1; }
  EXAMPLE_ADDR="$addr"
  log "$name pid $pid on $addr"
}
start_stand_ins() {
  start_example test_dns "$DNS_LOG" || return 1
  export SITEPILOT_DNS_SERVER="$EXAMPLE_ADDR"
  # The site generator's calls wait 1 s, so the progress page shows each step (ai-build.spec.ts).
  export AI_STANDIN_SITE_DELAY_MS=1000
  start_example ai_standin "$AI_LOG" || return 1
  export SITEPILOT_AI_PROVIDER=anthropic SITEPILOT_AI_BASE_URL="http://$EXAMPLE_ADDR"
  export SITEPILOT_AI_API_KEY=sk-ant-e2e-standin SITEPILOT_AI_MODEL=claude-sonnet-4-5
}
# A second instance on the same database with no AI provider configured and no job worker
# (a generation job must not land on an instance that cannot run it): ai-off.spec.ts checks that
# every AI entry point explains how to turn AI on. Sets NO_AI_PID and NO_AI_PORT.
start_no_ai_server() {
  local first_pid="$SP_BG_SERVER_PID" first_port="$SP_BG_SERVER_PORT" rc=0
  local ai_vars=(SITEPILOT_AI_PROVIDER SITEPILOT_AI_BASE_URL SITEPILOT_AI_API_KEY SITEPILOT_AI_MODEL)
  local saved=() v
  for v in "${ai_vars[@]}"; do saved+=("${!v:-}"); done
  unset "${ai_vars[@]}"
  export SITEPILOT_JOBS_WORKER=false
  start_background_server "$E2E_DB" "$E2E_NO_AI_LOG" || rc=$?
  unset SITEPILOT_JOBS_WORKER
  local i
  for i in "${!ai_vars[@]}"; do
    [[ -n "${saved[$i]}" ]] && export "${ai_vars[$i]}=${saved[$i]}"
  done
  NO_AI_PID="$SP_BG_SERVER_PID"
  NO_AI_PORT="$SP_BG_SERVER_PORT"
  SP_BG_SERVER_PID="$first_pid"
  SP_BG_SERVER_PORT="$first_port"
  return "$rc"
}
E2E_PORT=""
dns_rc=1
if [[ "$build_rc" == 0 ]]; then
  phase_begin "start test DNS and AI stand-in"
  dns_rc=0
  start_stand_ins || dns_rc=$?
  phase_end "$dns_rc"
fi
if [[ "$build_rc" == 0 && "$dns_rc" == 0 ]]; then
  # Runs in this shell (not phase_run's subshell) so the trap knows the server's pid.
  phase_begin "start e2e server"
  server_rc=0
  # A real SMTP server for the e2e server's emails (invitations, password resets, …).
  start_smtp_sink "$E2E_MAIL_DIR" || server_rc=$?
  export SITEPILOT_SMTP_URL="smtp://127.0.0.1:$SP_SMTP_PORT"
  export SITEPILOT_MAIL_FROM="SitePilot <no-reply@sitepilot.test>"
  # The webhooks spec's receiver listens on 127.0.0.1 (a dev-only switch; refused in prod).
  export SITEPILOT_WEBHOOKS_ALLOW_PRIVATE=1
  [[ "$server_rc" == 0 ]] && { start_background_server "$E2E_DB" "$E2E_LOG" || server_rc=$?; }
  E2E_PORT="$SP_BG_SERVER_PORT"
  [[ "$server_rc" == 0 ]] && { start_no_ai_server || server_rc=$?; }
  phase_end "$server_rc"
else
  server_rc=1
  phase_skip "start e2e server" "release build or a stand-in server failed"
fi

# --- g. Playwright -------------------------------------------------------------------------------
playwright() {
  # The staff spec creates its staff account with `server staff create`, as the owner role of
  # the e2e database (the command an operator runs).
  local owner_url
  owner_url="$(eval "$("$SP_SCRIPTS/db.sh" env "$E2E_DB")" && printf '%s' "$DATABASE_URL")"
  cd "$SP_ROOT/end2end"
  SITEPILOT_SERVER_BIN="$SP_SERVER_BIN" SITEPILOT_E2E_OWNER_DATABASE_URL="$owner_url" \
    SITEPILOT_BASE_URL="http://127.0.0.1:$E2E_PORT" SITEPILOT_PORT="$E2E_PORT" \
    SITEPILOT_NO_AI_URL="http://127.0.0.1:$NO_AI_PORT" \
    SITEPILOT_E2E_MAIL_DIR="$E2E_MAIL_DIR" \
    npx --no -- playwright test "${PLAYWRIGHT_ARGS[@]}"
}
PLAYWRIGHT_ARGS=("$@")
if [[ "$server_rc" == 0 ]]; then
  phase_run "playwright test" playwright
else
  phase_skip "playwright test" "no server"
fi

# --- h. summary ----------------------------------------------------------------------------------
phase_summary
if phases_all_ok && [[ "$server_rc" == 0 ]]; then
  log "all phases passed"
  exit 0
fi
log "some phases FAILED (see above)"
exit 1
