#!/usr/bin/env bash
# Builder route bundle size: what the browser downloads to open the builder (gzip -9 of each file,
# and the bytes really sent with brotli, cold and warm, at three network profiles).
#   bash scripts/bundle-size.sh                  # release build (scripts/lib.sh build_release), then measure
#   BUNDLE_SKIP_BUILD=1 bash scripts/bundle-size.sh   # measure the current target/site
#   BUNDLE_ROUTE=dashboard bash scripts/bundle-size.sh  # another route, e.g. to see its chunk load
#   BUNDLE_RUNS=5 bash scripts/bundle-size.sh        # cold visits per network profile (default 3)
# Starts the server on a fresh `<prefix>_bundle` database (SITEPILOT_TEST_DB_PREFIX, default
# sitepilot), runs end2end/bench/bundle-size.mjs in Chromium (it records the .js/.wasm responses
# of the route and recompresses each with gzip -9; end2end/bench/wire.mjs then measures bytes on
# the wire and time to hydrated per network profile), and lists every file in target/site/pkg.
# The JSON report is kept in target/bundle-size.json.
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

cd "$SP_ROOT/end2end"
out="$SP_ROOT/target/bundle-size.json"
SITEPILOT_BASE_URL="http://127.0.0.1:$SP_BG_SERVER_PORT" BUNDLE_SITE_PKG="$SP_ROOT/target/site/pkg" \
  node bench/bundle-size.mjs | tee "$out"

# Every file the build produced, for reference (a route downloads only some of them): raw,
# gzip -9, brotli-11, and the precompressed copies the server sends (.br, .gz).
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
for (const f of r.built_files || []) {
  console.error(`${f.file.padEnd(56)} ${String(f.bytes).padStart(9)} B  gzip-9 ${String(f.gzip9).padStart(8)}  br-11 ${String(f.brotli11).padStart(8)}  served .br ${String(f.served_br ?? "-").padStart(8)} .gz ${String(f.served_gz ?? "-").padStart(8)}`);
}
if (r.wire) {
  for (const p of r.wire.profiles) {
    console.error(`${p.profile.padEnd(24)} opening ${p.opening_bytes_median} B on the wire, hydrated after ${p.hydrated_ms_median} ms (runs: ${p.hydrated_ms.join(", ")})` +
      (p.editor_ms_median === null ? "" : `, editor in after ${p.editor_ms_median} ms (runs: ${p.editor_ms.join(", ")}); background ${p.background_bytes_median} B`));
  }
  const s = r.wire.second_visit;
  console.error(`second visit: ${s.bytes_on_wire} B on the wire, ${s.js_wasm_from_cache} .js/.wasm from the cache, ${s.js_wasm_from_network.length} from the network, hydrated after ${s.hydrated_ms} ms`);
}' "$out"
