#!/usr/bin/env bash
# Abuse benchmark (issue 15): one release server instance takes a flood of beacon events (10,000
# by default, from 250 simulated visitor addresses with a new User-Agent each) and, at the same
# time, 300 concurrent failed log-ins (unknown emails, one address each, so every one costs an
# argon2 verify), while /healthz is asked back to back. Then the server is stopped with SIGTERM
# (its page-view batcher flushes) and the stored events are counted.
#   bash scripts/bench-abuse.sh
# Knobs: BENCH_EVENTS (10000), BENCH_LOGINS (300), BENCH_CONCURRENCY beacon requests in flight
# (64), BENCH_SKIP_BUILD=1 to reuse target/release/server.
# Records: peak server memory (VmHWM), /healthz p50/p99 during the flood, answers by status, and
# events stored versus sent and accepted. Method and numbers: end2end/bench/BENCHMARKS.md.
set -euo pipefail
SP_LOG_NAME=bench-abuse
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SP_ROOT"

EVENTS="${BENCH_EVENTS:-10000}"
LOGINS="${BENCH_LOGINS:-300}"
CONCURRENCY="${BENCH_CONCURRENCY:-64}"
DB=sitepilot_abench
trap 'stop_background_server' EXIT

phase_must "setup tools" bash "$SP_SCRIPTS/setup-tools.sh"
phase_must "database" bash -c '"$1/db.sh" start && "$1/db.sh" recreate-db "$2"' _ "$SP_SCRIPTS" "$DB"
if [[ "${BENCH_SKIP_BUILD:-}" == 1 && -x "$SP_SERVER_BIN" ]]; then
  phase_skip "cargo leptos build --release" "BENCH_SKIP_BUILD=1"
else
  phase_must "cargo leptos build --release" build_release
fi

# The benchmark client is 127.0.0.1 and speaks for many visitors through X-Forwarded-For, as a
# TLS proxy in front of the server would. The log-in limits stay at their defaults (the test
# scripts lift the per-address one; here every attempt comes from its own address anyway).
export SITEPILOT_TRUSTED_PROXIES="127.0.0.1/32"
export SITEPILOT_LOGIN_FAILURES_PER_IP=30
export SITEPILOT_SIGNUPS_PER_IP=20
export RUST_LOG="${RUST_LOG:-warn}"
phase_begin "start server"
start_background_server "$DB" "$SP_ROOT/target/bench-abuse-server.log"
phase_end 0
app="http://127.0.0.1:$SP_BG_SERVER_PORT"
pid="$SP_BG_SERVER_PID"

rss_kib() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status"; }
db_scalar() {
  (eval "$("$SP_SCRIPTS/db.sh" env "$DB")" && psql "$DATABASE_URL" -Atqc "$1")
}
# The seeded demo site (SITEPILOT_SEED_DEMO, set by the scripts) is the flood's target.
subdomain="$(db_scalar "SELECT subdomain FROM websites WHERE status = 'published' ORDER BY created_at LIMIT 1")"
[[ -n "$subdomain" ]] || die "no published site to send page views for"
website="$(db_scalar "SELECT id FROM websites WHERE subdomain = '$subdomain'")"
stored_before="$(db_scalar "SELECT count(*) FROM raw_page_events WHERE website_id = '$website'")"
rss_before="$(rss_kib "$pid" VmRSS)"
log "flood: $EVENTS beacon events for $subdomain, $LOGINS concurrent failed log-ins (server rss ${rss_before} KiB)"

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
result="$(cd end2end && node bench/abuse.mjs "$app" "$subdomain" "$EVENTS" "$LOGINS" "$CONCURRENCY")"
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
peak_kib="$(rss_kib "$pid" VmHWM)"
rss_after="$(rss_kib "$pid" VmRSS)"

# A graceful stop: the batcher writes what it still holds before the process ends.
kill -TERM "$pid"
for _ in $(seq 1 300); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
kill -0 "$pid" 2>/dev/null && die "the server did not stop within 30 s of SIGTERM"
SP_BG_SERVER_PID=""
stored_after="$(db_scalar "SELECT count(*) FROM raw_page_events WHERE website_id = '$website'")"
flushed="$(grep -c 'analytics flushed' "$SP_ROOT/target/bench-abuse-server.log" || true)"

node -e '
const [r, before, after, peak, rssBefore, rssAfter, lb, la, cores, flushed] = process.argv.slice(1);
const res = JSON.parse(r);
const stored = Number(after) - Number(before);
const accepted = res.beacon.statuses["204"] ?? 0;
const out = { ...res,
  events_stored: stored, events_accepted: accepted, events_lost: accepted - stored,
  memory_kib: { rss_before: Number(rssBefore), rss_after: Number(rssAfter), peak_rss: Number(peak) },
  shutdown_flush_logged: Number(flushed) > 0,
  load_average: { before: lb, after: la }, cores: Number(cores) };
console.log(JSON.stringify(out, null, 2));
const mib = (k) => (Number(k) / 1024).toFixed(1);
console.error([
  "",
  "Summary (load average " + lb + " before, " + la + " after, on " + cores + " cores):",
  "  peak server memory " + mib(peak) + " MiB (target < 1024 MiB: " + (Number(peak) < 1048576 ? "met" : "NOT met") + "), " + mib(rssBefore) + " MiB before the flood",
  "  /healthz during the flood: " + res.healthz.requests + " requests, p50 " + res.healthz.ms.median + " ms, p99 " + res.healthz.ms.p99 + " ms, statuses " + JSON.stringify(res.healthz.statuses),
  "  beacon: " + res.beacon.sent + " sent, answers " + JSON.stringify(res.beacon.statuses) + "; " + stored + " stored of " + accepted + " accepted (" + (accepted - stored) + " lost)",
  "  log-ins: " + res.login.sent + " sent, answers " + JSON.stringify(res.login.statuses) + ", p99 " + res.login.ms.p99 + " ms",
].join("\n"));
' "$result" "$stored_before" "$stored_after" "$peak_kib" "$rss_before" "$rss_after" "$load_before" "$load_after" "$(nproc)" "$flushed"
