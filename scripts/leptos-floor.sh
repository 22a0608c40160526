#!/usr/bin/env bash
# The size floor under any Leptos 0.8 builder route: builds end2end/bench/leptos-floor (a minimal
# hydrated app with the router, signals, a keyed list, events, a resource and server function
# calls) the way cargo-leptos builds ours (wasm-release profile, --cfg erase_components,
# wasm-bindgen --target=web, wasm-opt -Oz) and prints its JS and WASM sizes, gzip -9.
#   bash scripts/leptos-floor.sh                       # the app above
#   LEPTOS_FLOOR_FEATURES=counter bash scripts/leptos-floor.sh     # only a hydrated counter
#   LEPTOS_FLOOR_FEATURES=no-router bash scripts/leptos-floor.sh   # the app without the router
# Numbers and method: end2end/bench/BENCHMARKS.md, "Bundle size".
set -euo pipefail
SP_LOG_NAME=leptos-floor
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
use_pinned_wasm_opt
crate="$SP_ROOT/end2end/bench/leptos-floor"
target="$SP_ROOT/target/leptos-floor"
out="$target/pkg"

phase_must "cargo build (wasm-release)" bash -c \
  'cd "$1" && RUSTFLAGS="--cfg erase_components" cargo build --locked --lib --features="$3" --target wasm32-unknown-unknown --profile wasm-release --target-dir "$2"' \
  _ "$crate" "$target" "${LEPTOS_FLOOR_FEATURES:-}"
rm -rf "$out" && mkdir -p "$out"
phase_must "wasm-bindgen" wasm-bindgen --target=web --out-name=floor --out-dir="$out" \
  "$target/wasm32-unknown-unknown/wasm-release/leptos_floor.wasm"
phase_must "wasm-opt -Oz" wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
  "$out/floor_bg.wasm" -o "$out/floor_bg.wasm"

total=0
for f in "$out/floor.js" "$out/floor_bg.wasm"; do
  gz=$(gzip -9 -c "$f" | wc -c)
  total=$((total + gz))
  log "$(printf '%-16s %9d bytes, gzip -9 %8d' "$(basename "$f")" "$(wc -c <"$f")" "$gz")"
done
log "leptos floor: $total bytes gzip -9 ($(awk -v t="$total" 'BEGIN { printf "%.1f", t / 1024 }') KiB)"
