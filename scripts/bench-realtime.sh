#!/usr/bin/env bash
# Realtime benchmark (issue 21): one release server instance, 200 Server-Sent Event streams on
# one builder page, and block saves fanned out to all of them; p99 delivery latency and the
# server's memory per open stream.
#   bash scripts/bench-realtime.sh
# Knobs: BENCH_CLIENTS (200), BENCH_EDITS (30), BENCH_SKIP_BUILD=1 to reuse target/release/server.
# Method and numbers: end2end/bench/BENCHMARKS.md ("Realtime").
set -euo pipefail
SP_LOG_NAME=bench-realtime
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SP_ROOT"

DB=sitepilot_rtbench
trap 'stop_background_server' EXIT

phase_must "database" bash -c '"$1/db.sh" start && "$1/db.sh" recreate-db "$2"' _ "$SP_SCRIPTS" "$DB"
if [[ "${BENCH_SKIP_BUILD:-}" == 1 && -x "$SP_SERVER_BIN" ]]; then
  phase_skip "cargo leptos build --release" "BENCH_SKIP_BUILD=1"
else
  phase_must "cargo leptos build --release" build_release
fi
export RUST_LOG="${RUST_LOG:-warn}"
phase_begin "start server"
start_background_server "$DB" "$SP_ROOT/target/bench-realtime-server.log"
phase_end 0

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
(cd end2end && SITEPILOT_BASE_URL="http://127.0.0.1:$SP_BG_SERVER_PORT" \
  BENCH_SERVER_PID="$SP_BG_SERVER_PID" node bench/realtime.mjs)
log "load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
