#!/usr/bin/env bash
# Media benchmark (issue 17), against the release server on this machine:
#   1. a 50 MB upload: the server's resident memory growth while it streams (VmRSS sampled every
#      20 ms from /proc), target < 20 MB;
#   2. listing a library of 1,000 assets (`/api/assets/list`, newest first): time to first byte
#      on loopback over BENCH_LIST_CALLS calls (default 200), target p95 <= 20 ms;
#   3. a 12-megapixel JPEG (4000x3000, made with Pillow in a bench virtualenv): time from the
#      upload's answer until the 480 px variant is listed (the job worker's poll included),
#      target <= 2 s; BENCH_JPEG_RUNS runs (default 5), median reported.
#   bash scripts/bench-assets.sh            (BENCH_SKIP_BUILD=1 reuses target/release/server)
# Method and recorded numbers: end2end/bench/BENCHMARKS.md, section "Media".
set -euo pipefail
SP_LOG_NAME=bench-assets
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SP_ROOT"

LIST_CALLS="${BENCH_LIST_CALLS:-200}"
JPEG_RUNS="${BENCH_JPEG_RUNS:-5}"
WORK="$SP_ROOT/target/bench-assets"
DATA_DIR="${SITEPILOT_DATA_DIR:-$SP_ROOT/.data}"
mkdir -p "$WORK"
trap 'stop_background_server' EXIT

phase_must "database" bash -c '"$1/db.sh" start && "$1/db.sh" recreate-db sitepilot_abench' _ "$SP_SCRIPTS"
if [[ "${BENCH_SKIP_BUILD:-}" == 1 && -x "$SP_SERVER_BIN" ]]; then
  phase_skip "cargo leptos build --release" "BENCH_SKIP_BUILD=1"
else
  phase_must "cargo leptos build --release" build_release
fi
export SITEPILOT_ASSETS_DIR="$WORK/store"
rm -rf "$SITEPILOT_ASSETS_DIR"
phase_begin "start server"
start_background_server sitepilot_abench "$WORK/server.log"
phase_end $?
BASE="http://127.0.0.1:$SP_BG_SERVER_PORT"
eval "$("$SP_SCRIPTS/db.sh" env sitepilot_abench)"

# Pillow for the 12-MP JPEG, pinned, in its own virtualenv.
VENV="$DATA_DIR/bench-venv"
if [[ ! -x "$VENV/bin/python" ]]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "pillow==11.3.0"
fi

# A Pro tenant (200 MB per file, 2 GB of storage).
JAR="$WORK/cookies.txt"
rm -f "$JAR"
email="bench-$(date +%s)@sitepilot.test"
curl -fsS -c "$JAR" -o /dev/null -H "Accept: application/json" \
  --data-urlencode "full_name=Bench Owner" --data-urlencode "org_name=Bench Media $RANDOM" \
  --data-urlencode "email=$email" --data-urlencode "password=correct-horse-7" "$BASE/api/signup"
tenant="$(psql "$DATABASE_URL" -Atc "SELECT tenant_id FROM users WHERE email = '$email'")"
psql "$DATABASE_URL" -qc "UPDATE tenants SET plan_id = '00000000-0000-0000-0000-000000000003' WHERE id = '$tenant'"
upload() { # FILE -> prints "status seconds"
  curl -sS -b "$JAR" -H "Origin: $BASE" -o "$WORK/upload.json" -w '%{http_code} %{time_total}\n' \
    -F "file=@$1" "$BASE/media/upload"
}
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$SP_BG_SERVER_PID/status"; }

# 1. 50 MB upload, memory.
phase_begin "50 MB upload"
{ printf '%%PDF-1.4\n'; head -c $((50 * 1024 * 1024)) /dev/urandom; } >"$WORK/big.pdf"
upload "$WORK/big.pdf" >/dev/null # warm-up (first multipart parse, spool folder)
before="$(rss_kb)"
peak="$before"
( while true; do rss_kb; sleep 0.02; done ) >"$WORK/rss.txt" 2>/dev/null &
sampler=$!
result="$(upload "$WORK/big.pdf")"
kill "$sampler" 2>/dev/null || true
wait "$sampler" 2>/dev/null || true
peak="$(sort -n "$WORK/rss.txt" | tail -1)"
growth_mb="$(awk -v a="$before" -v b="$peak" 'BEGIN { printf "%.1f", (b - a) / 1024 }')"
log "50 MB upload: $result; RSS before $((before / 1024)) MB, peak $((peak / 1024)) MB, growth $growth_mb MB (target < 20)"
phase_end 0

# 2. Listing 1,000 assets.
phase_begin "list 1,000 assets"
psql "$DATABASE_URL" -qc "
  INSERT INTO assets (tenant_id, original_filename, cloudinary_public_id, cloudinary_url, secure_url,
                      asset_type, format, size_bytes, width, height, tags, created_at)
  SELECT '$tenant', 'photo-' || g || '.jpg', 'bench/' || gen_random_uuid(), '', '', 'image', 'jpg',
         100000 + g, 1600, 1200, ARRAY['bench'], now() - g * interval '1 minute'
    FROM generate_series(1, 1000) g"
for _ in $(seq 1 10); do
  curl -sS -b "$JAR" -H "Origin: $BASE" -H 'Content-Type: application/json' -o /dev/null \
    -d '{"query":{}}' "$BASE/api/assets/list"
done
for _ in $(seq 1 "$LIST_CALLS"); do
  curl -sS -b "$JAR" -H "Origin: $BASE" -H 'Content-Type: application/json' -o /dev/null \
    -w '%{time_starttransfer}\n' -d '{"query":{}}' "$BASE/api/assets/list"
done | sort -n >"$WORK/list.txt"
p50="$(awk '{a[NR]=$1} END {printf "%.1f", a[int(NR*0.5)]*1000}' "$WORK/list.txt")"
p95="$(awk '{a[NR]=$1} END {printf "%.1f", a[int(NR*0.95)]*1000}' "$WORK/list.txt")"
log "list 1,000 assets: median $p50 ms, p95 $p95 ms over $LIST_CALLS calls (target p95 <= 20 ms)"
phase_end 0

# 3. 12-MP JPEG thumbnails.
phase_begin "12-MP JPEG variants"
"$VENV/bin/python" - "$WORK/photo.jpg" <<'PY'
import sys, random
from PIL import Image
w, h = 4000, 3000
img = Image.radial_gradient("L").resize((w, h)).convert("RGB")
noise = Image.effect_noise((w, h), 40).convert("RGB")
Image.blend(img, noise, 0.35).save(sys.argv[1], quality=90)
PY
times=()
for _ in $(seq 1 "$JPEG_RUNS"); do
  result="$(upload "$WORK/photo.jpg")"
  start="$(sp_now_us)"
  id="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$WORK/upload.json")"
  while ! psql "$DATABASE_URL" -Atc "SELECT 480 = ANY(variant_widths) FROM assets WHERE id = '$id'" | grep -q t; do
    sleep 0.05
  done
  took=$(( ($(sp_now_us) - start) / 1000 ))
  log "12-MP upload: $result; variants ready $took ms after the answer"
  times+=("$took")
done
median="$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
log "12-MP JPEG: variants (480/960/1600/2400) median $median ms after the upload answered (target <= 2000)"
phase_end 0
phase_summary
