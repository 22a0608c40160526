#!/usr/bin/env bash
# Backup benchmark (issue 20): one release server instance imports a website of 50 pages × 40
# blocks as a new website and exports it again, 5 times; medians of each.
#   bash scripts/bench-backup.sh
# Knobs: BENCH_RUNS (5), BENCH_SKIP_BUILD=1 to reuse target/release/server.
# Method and numbers: end2end/bench/BENCHMARKS.md ("Backups").
set -euo pipefail
SP_LOG_NAME=bench-backup
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SP_ROOT"

DB=sitepilot_bkbench
trap 'stop_background_server' EXIT

phase_must "database" bash -c '"$1/db.sh" start && "$1/db.sh" recreate-db "$2"' _ "$SP_SCRIPTS" "$DB"
if [[ "${BENCH_SKIP_BUILD:-}" == 1 && -x "$SP_SERVER_BIN" ]]; then
  phase_skip "cargo leptos build --release" "BENCH_SKIP_BUILD=1"
else
  phase_must "cargo leptos build --release" build_release
fi
export RUST_LOG="${RUST_LOG:-warn}"
phase_begin "start server"
start_background_server "$DB" "$SP_ROOT/target/bench-backup-server.log"
phase_end 0

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
(cd end2end && SITEPILOT_BASE_URL="http://127.0.0.1:$SP_BG_SERVER_PORT" node bench/backup.mjs)
log "load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
