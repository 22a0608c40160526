#!/usr/bin/env bash
# Builder route bundle size (issue 3): what the browser downloads to open the builder, gzip -9.
#   bash scripts/bundle-size.sh                  # release build (scripts/lib.sh build_release), then measure
#   BUNDLE_SKIP_BUILD=1 bash scripts/bundle-size.sh   # measure the current target/site
#   BUNDLE_ROUTE=dashboard bash scripts/bundle-size.sh  # another route, e.g. to see its chunk load
# Starts the server on a fresh `<prefix>_bundle` database (SITEPILOT_TEST_DB_PREFIX, default
# sitepilot), runs end2end/bench/bundle-size.mjs in Chromium (it records the .js/.wasm responses
# of the route and recompresses each with gzip -9), and lists every file in target/site/pkg too.
# Method and recorded numbers: end2end/bench/BENCHMARKS.md, section "Bundle size".
set -euo pipefail
SP_LOG_NAME=bundle-size
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SP_ROOT"

trap 'stop_background_server' EXIT
DB="${SITEPILOT_TEST_DB_PREFIX:-sitepilot}_bundle"

phase_must "database" bash -c '"$1/db.sh" start && "$1/db.sh" recreate-db "$2"' _ "$SP_SCRIPTS" "$DB"
if [[ "${BUNDLE_SKIP_BUILD:-}" != 1 ]]; then
  phase_must "cargo leptos build --release" build_release
fi
phase_begin "start server"
start_background_server "$DB" "$SP_ROOT/target/bundle-size-server.log"
phase_end 0

# Every file the build produced, for reference (a route downloads only some of them).
for f in "$SP_ROOT"/target/site/pkg/*.js "$SP_ROOT"/target/site/pkg/*.wasm; do
  [[ -e "$f" ]] || continue
  log "$(printf '%-48s %9d bytes, gzip -9 %8d' "${f#"$SP_ROOT"/}" "$(wc -c <"$f")" "$(gzip -9 -c "$f" | wc -c)")"
done

cd "$SP_ROOT/end2end"
SITEPILOT_BASE_URL="http://127.0.0.1:$SP_BG_SERVER_PORT" node bench/bundle-size.mjs
