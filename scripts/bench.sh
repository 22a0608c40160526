#!/usr/bin/env bash
# Builder benchmark (issue 3): a page with 1,000 blocks, measured in Chromium and over loopback.
#   bash scripts/bench.sh            # BENCH_BLOCKS / BENCH_SAMPLES override the defaults (1000 / 60)
#   BENCH_SKIP_BUILD=1 bash scripts/bench.sh   # measure the current release build
# Builds the release site, starts the server on a fresh `sitepilot_bench` database, runs
# end2end/bench/builder-bench.mjs, prints its JSON and the builder's gzipped JS+WASM size.
# Method and recorded numbers: end2end/bench/BENCHMARKS.md.
set -euo pipefail
SP_LOG_NAME=bench
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SP_ROOT"

trap 'stop_background_server' EXIT

phase_must "setup tools" bash "$SP_SCRIPTS/setup-tools.sh"
phase_must "database" bash -c '"$1/db.sh" start && "$1/db.sh" recreate-db sitepilot_bench' _ "$SP_SCRIPTS"
if [[ "${BENCH_SKIP_BUILD:-}" != 1 ]]; then
  phase_must "cargo leptos build --release" build_release
fi
phase_begin "start server"
start_background_server sitepilot_bench "$SP_ROOT/target/bench-server.log"
phase_end 0

# The main module and its JS (content-hashed names in release builds, plain ones otherwise);
# what the builder route really sends is scripts/bundle-size.sh's to measure.
pkg="$SP_ROOT/target/site/pkg"
main_wasm=$(find "$pkg" -maxdepth 1 -name 'sitepilot*.wasm' | head -n1)
main_js=$(find "$pkg" -maxdepth 1 -name 'sitepilot*.js' | head -n1)
wasm_gz=$(gzip -9 -c "$main_wasm" | wc -c)
js_gz=$(gzip -9 -c "$main_js" | wc -c)
log "main module, gzip -9: wasm $((wasm_gz / 1024)) KiB + js $((js_gz / 1024)) KiB = $(((wasm_gz + js_gz) / 1024)) KiB"

cd "$SP_ROOT/end2end"
SITEPILOT_BASE_URL="http://127.0.0.1:$SP_BG_SERVER_PORT" node bench/builder-bench.mjs
