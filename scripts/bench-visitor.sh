#!/usr/bin/env bash
# Visitor-path benchmark (issue 4): a realistic 10-30 KB published page served by SitePilot, and in
# the same run the identical bytes served from disk by nginx. Both get the same wrk load
# (keep-alive) in alternating rounds, then the same fixed-rate load for latency.
#   bash scripts/bench-visitor.sh
# Knobs: BENCH_ROUNDS (3), BENCH_SECONDS per wrk round (15), BENCH_CONNECTIONS (50),
# BENCH_RATE for the fixed-rate run (1000 req/s), BENCH_RATE_SECONDS (20), BENCH_PAGE_BYTES (20000),
# BENCH_WARMUP_SECONDS per target before the rounds (5), BENCH_SKIP_BUILD=1 to reuse
# target/release/server, BENCH_SERVER_BIN=path to measure another server binary (e.g. an older
# build kept for a before/after comparison; it must accept the same environment),
# BENCH_ENCODING: the Accept-Encoding both servers are asked for (default gzip; SitePilot answers
# from its compressed cache, nginx with gzip_static from the same gzip bytes saved next to the
# page; `identity` measures uncompressed pages as before).
# BENCH_DB: the database to (re)create (default sitepilot_vbench; name another one when sharing a
# PostgreSQL cluster with other checkouts).
# BENCH_SHOP_GRID=1: the page is a product grid of 48 live products (storefront blocks, read from
# the catalogue and cached until it changes) instead of the starter blocks; its target is >= 0.5x.
# Quiet-machine rerun: BENCH_SKIP_BUILD=1 bash scripts/bench-visitor.sh
# Method and recorded numbers: end2end/bench/BENCHMARKS.md.
set -euo pipefail
SP_LOG_NAME=bench-visitor
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SP_ROOT"

ROUNDS="${BENCH_ROUNDS:-3}"
SECONDS_PER_ROUND="${BENCH_SECONDS:-15}"
CONNECTIONS="${BENCH_CONNECTIONS:-50}"
RATE="${BENCH_RATE:-1000}"
RATE_SECONDS="${BENCH_RATE_SECONDS:-20}"
WARMUP_SECONDS="${BENCH_WARMUP_SECONDS:-5}"
ENCODING="${BENCH_ENCODING:-gzip}"
SHOP_GRID="${BENCH_SHOP_GRID:-}"
TARGET_RATIO=0.8
SETUP_SCRIPT=bench/visitor-setup.mjs
if [[ "$SHOP_GRID" == 1 ]]; then
  TARGET_RATIO=0.5
  SETUP_SCRIPT=bench/visitor-shop-setup.mjs
fi
WORK="$SP_ROOT/target/bench-visitor"
if [[ -n "${BENCH_SERVER_BIN:-}" ]]; then
  SP_SERVER_BIN="$(realpath "$BENCH_SERVER_BIN")"
  export BENCH_SKIP_BUILD=1
fi
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
NGINX_PID=""

stop_nginx() {
  if [[ -n "$NGINX_PID" ]] && kill -0 "$NGINX_PID" 2>/dev/null; then
    kill "$NGINX_PID" 2>/dev/null || true
    wait "$NGINX_PID" 2>/dev/null || true
  fi
  NGINX_PID=""
}
trap 'stop_background_server; stop_nginx; stop_smtp_sink' EXIT

phase_must "setup tools" bash "$SP_SCRIPTS/setup-tools.sh"
missing=()
have_cmd nginx || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
have_cmd wrk || missing+=(wrk)
phase_must "nginx and wrk" apt_install "${missing[@]}"
NGINX_BIN="$(command -v nginx || echo /usr/sbin/nginx)"

BENCH_DB="${BENCH_DB:-sitepilot_vbench}"
phase_must "database" bash -c '"$1/db.sh" start && "$1/db.sh" recreate-db "$2"' _ "$SP_SCRIPTS" "$BENCH_DB"
if [[ "${BENCH_SKIP_BUILD:-}" == 1 && -x "$SP_SERVER_BIN" ]]; then
  phase_skip "cargo leptos build --release" "BENCH_SKIP_BUILD=1"
else
  phase_must "cargo leptos build --release" build_release
fi
phase_begin "start server"
# Publishing needs a verified address: the sign-up email goes to the tests' SMTP sink, and the
# setup script follows its link.
BENCH_MAIL_DIR="$SP_ROOT/target/bench-visitor-mail"
start_smtp_sink "$BENCH_MAIL_DIR" || die "the SMTP sink did not start"
export SITEPILOT_SMTP_URL="smtp://127.0.0.1:$SP_SMTP_PORT"
export SITEPILOT_MAIL_FROM="SitePilot <no-reply@sitepilot.test>"
start_background_server "$BENCH_DB" "$SP_ROOT/target/bench-visitor-server.log"
phase_end 0
app="http://127.0.0.1:$SP_BG_SERVER_PORT"

# 1. The page: published through the app's own server functions, fetched by its site host.
setup="$(cd end2end && BENCH_MAIL_DIR="$BENCH_MAIL_DIR" SITEPILOT_BASE_URL="$app" node "$SETUP_SCRIPT")"
subdomain="$(node -e 'process.stdout.write(JSON.parse(process.argv[1]).subdomain)' "$setup")"
host="$subdomain.localhost"
rm -rf "$WORK" && mkdir -p "$WORK/www" "$WORK/nginx"
curl -sf -H "Host: $host" "$app/" -o "$WORK/www/index.html"
bytes="$(wc -c <"$WORK/www/index.html")"
log "page: http://$host/ ($bytes bytes)"
if [[ "$SHOP_GRID" != 1 ]]; then
  ((bytes >= 10000 && bytes <= 30000)) || die "the page is $bytes bytes, outside 10-30 KB"
fi
# The compressed form both servers send: SitePilot's own bytes, saved for nginx's gzip_static.
wire_bytes="$bytes"
if [[ "$ENCODING" == gzip ]]; then
  curl -sf -H "Host: $host" -H "Accept-Encoding: gzip" "$app/" -o "$WORK/www/index.html.gz"
  gzip -dc "$WORK/www/index.html.gz" | cmp -s - "$WORK/www/index.html" ||
    die "the server's gzip answer does not decompress to the page"
  wire_bytes="$(wc -c <"$WORK/www/index.html.gz")"
  log "page gzip: $wire_bytes bytes on the wire"
elif [[ "$ENCODING" != identity ]]; then
  die "BENCH_ENCODING must be gzip or identity (nginx can serve only gzip precompressed)"
fi

# 2. nginx on the same bytes: the stock static-file setup (sendfile, keep-alive, no access log),
# one worker per core like the server's runtime.
nginx_port="$(free_tcp_port)"
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  types { text/html html; }
  # The .gz file next to the page, sent as it is to clients that accept gzip (no compression per
  # request, like SitePilot's cache).
  gzip_static on;
  gzip_vary on;
  server {
    listen 127.0.0.1:$nginx_port;
    root $WORK/www;
    index index.html;
  }
}
EOF
"$NGINX_BIN" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" &
NGINX_PID=$!
for _ in $(seq 1 50); do
  [[ "$(http_status "http://127.0.0.1:$nginx_port/")" == 200 ]] && break
  sleep 0.1
done
nginx_url="http://127.0.0.1:$nginx_port/"
served="$WORK/www/index.html"
[[ "$ENCODING" == gzip ]] && served="$WORK/www/index.html.gz"
curl -sf -H "Accept-Encoding: $ENCODING" "$nginx_url" | cmp -s - "$served" || die "nginx does not serve the page's bytes"
curl -sf -H "Host: $host" -H "Accept-Encoding: $ENCODING" "$app/" | cmp -s - "$served" || die "the server's page changed between requests"

# 3. Throughput: wrk, alternating server and nginx each round so drift affects both alike. Same
# wrk threads, connections and duration for both; each first gets an unmeasured warm-up.
wrk_rps() { # URL HOST [SECONDS] -> requests/s
  wrk -t2 -c"$CONNECTIONS" -d"${3:-$SECONDS_PER_ROUND}s" -H "Host: $2" -H "Accept-Encoding: $ENCODING" "$1" |
    awk '/^Requests\/sec:/ {print $2}'
}
log "warm-up: ${WARMUP_SECONDS}s of wrk on each"
wrk_rps "$app/" "$host" "$WARMUP_SECONDS" >/dev/null
wrk_rps "$nginx_url" "$host" "$WARMUP_SECONDS" >/dev/null
server_head="$(curl -sf -D - -o /dev/null -H "Host: $host" -H "Accept-Encoding: $ENCODING" "$app/" | wc -c)"
nginx_head="$(curl -sf -D - -o /dev/null -H "Accept-Encoding: $ENCODING" "$nginx_url" | wc -c)"
server_rps=()
nginx_rps=()
for round in $(seq 1 "$ROUNDS"); do
  server_rps+=("$(wrk_rps "$app/" "$host")")
  nginx_rps+=("$(wrk_rps "$nginx_url" "$host")")
  log "round $round: server ${server_rps[-1]} req/s, nginx ${nginx_rps[-1]} req/s"
done

# 4. Latency at a fixed rate.
server_fixed="$(cd end2end && node bench/fixed-rate.mjs "$app/" "$host" "$RATE" "$RATE_SECONDS" "$ENCODING")"
nginx_fixed="$(cd end2end && node bench/fixed-rate.mjs "$nginx_url" "$host" "$RATE" "$RATE_SECONDS" "$ENCODING")"

load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

node -e '
const [bytes, s, n, sf, nf, cores, sh, nh, lb, la, conns, secs, enc, wire, target, mode] = process.argv.slice(1);
const med = (xs) => { const a = xs.split(" ").map(Number).sort((x, y) => x - y); const m = a.length >> 1; return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2; };
const server = med(s), nginx = med(n);
const ratio = +(server / nginx).toFixed(3);
const fs = JSON.parse(sf), fn = JSON.parse(nf);
console.log(JSON.stringify({
  mode, page_bytes: Number(bytes), accept_encoding: enc, page_bytes_on_wire: Number(wire), response_header_bytes: { server: Number(sh), nginx: Number(nh) }, cores: Number(cores),
  load_average: { before: lb, after: la },
  wrk: { threads: 2, connections: Number(conns), seconds: Number(secs),
         server_rps_rounds: s.split(" ").map(Number), nginx_rps_rounds: n.split(" ").map(Number),
         server_rps_median: server, nginx_rps_median: nginx, ratio, target_ratio: Number(target) },
  fixed_rate: { server: fs, nginx: fn, target_p99_ms: 5 },
}, null, 2));
const p99 = (x) => x.p99_ms ?? x.p99;
console.error([
  "",
  "Summary (medians of " + s.split(" ").length + " alternating wrk rounds; load average " + lb + " before, " + la + " after, on " + cores + " cores):",
  "  throughput  SitePilot " + server + " req/s, nginx " + nginx + " req/s, ratio " + ratio + " (target >= " + target + ": " + (ratio >= Number(target) ? "met" : "NOT met") + ")",
  "  p99 at the fixed rate  SitePilot " + p99(fs) + " ms, nginx " + p99(fn) + " ms (target <= 5 ms: " + (p99(fs) <= 5 ? "met" : "NOT met") + ")",
  "  A load average well above 0 means other work shared the cores: compare ratios, not absolute numbers.",
].join("\n"));
' "$bytes" "${server_rps[*]}" "${nginx_rps[*]}" "$server_fixed" "$nginx_fixed" "$(nproc)" "$server_head" "$nginx_head" "$load_before" "$load_after" "$CONNECTIONS" "$SECONDS_PER_ROUND" "$ENCODING" "$wire_bytes" "$TARGET_RATIO" "${SHOP_GRID:+shop-grid}"
