#!/usr/bin/env bash
# Lighthouse 12.2.3 (end2end/package.json) on the demo visitor site, mobile (Lighthouse's default:
# Moto G Power emulation, simulated slow 4G), the four categories: performance, accessibility,
# best practices, SEO. Run it on a release build:
#   bash scripts/lighthouse.sh                         # release build, then measure
#   LIGHTHOUSE_SKIP_BUILD=1 bash scripts/lighthouse.sh # measure the current target/release
#   LIGHTHOUSE_RUNS=5 bash scripts/lighthouse.sh       # runs (default 3; the median is reported)
#   LIGHTHOUSE_PATH=/about bash scripts/lighthouse.sh  # another page of the demo site
# Starts the server on a fresh `<prefix>_lighthouse` database (SITEPILOT_TEST_DB_PREFIX, default
# sitepilot; the server seeds and publishes the demo site), runs Lighthouse against
# http://demo.localhost:<port>/ with Debian's Chromium, keeps the reports in
# target/lighthouse/ and prints each category's median score and every audit that did not pass.
# Method and recorded numbers: end2end/bench/BENCHMARKS.md, section "Lighthouse".
set -euo pipefail
SP_LOG_NAME=lighthouse
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SP_ROOT"

trap 'stop_background_server' EXIT
DB="${SITEPILOT_TEST_DB_PREFIX:-sitepilot}_lighthouse"
RUNS="${LIGHTHOUSE_RUNS:-3}"
PAGE_PATH="${LIGHTHOUSE_PATH:-/}"
OUT="$SP_ROOT/target/lighthouse"

[[ -x "$SP_ROOT/end2end/node_modules/.bin/lighthouse" ]] ||
  phase_must "npm ci (end2end)" bash -c 'cd "$1/end2end" && npm ci --no-audit --no-fund' _ "$SP_ROOT"
phase_must "database" bash -c '"$1/db.sh" start && "$1/db.sh" recreate-db "$2"' _ "$SP_SCRIPTS" "$DB"
if [[ "${LIGHTHOUSE_SKIP_BUILD:-}" != 1 ]]; then
  phase_must "cargo leptos build --release" build_release
fi
phase_begin "start server"
start_background_server "$DB" "$SP_ROOT/target/lighthouse-server.log"
phase_end 0

url="http://demo.localhost:$SP_BG_SERVER_PORT$PAGE_PATH"
[[ "$(http_status "$url")" == 200 ]] || die "$url does not answer 200"
rm -rf "$OUT" && mkdir -p "$OUT"
for i in $(seq 1 "$RUNS"); do
  log "run $i of $RUNS: $url"
  CHROME_PATH=/usr/bin/chromium "$SP_ROOT/end2end/node_modules/.bin/lighthouse" "$url" \
    --quiet --output=json --output-path="$OUT/run-$i.json" \
    --only-categories=performance,accessibility,best-practices,seo \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-background-networking --disable-component-update --disable-sync --no-first-run" \
    >"$OUT/run-$i.log" 2>&1 || {
    tail -n 30 "$OUT/run-$i.log" >&2
    die "lighthouse run $i failed"
  }
done

node -e '
const fs = require("fs");
const [dir, runs] = process.argv.slice(1);
const reports = Array.from({ length: Number(runs) }, (_, i) => JSON.parse(fs.readFileSync(`${dir}/run-${i + 1}.json`, "utf8")));
const med = (xs) => { const a = [...xs].sort((x, y) => x - y); const m = a.length >> 1; return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2; };
const cats = ["performance", "accessibility", "best-practices", "seo"];
const scores = Object.fromEntries(cats.map((c) => [c, reports.map((r) => Math.round(r.categories[c].score * 100))]));
const metrics = ["first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift", "speed-index"];
const summary = {
  url: reports[0].finalDisplayedUrl, lighthouse: reports[0].lighthouseVersion, form_factor: reports[0].configSettings.formFactor,
  throttling: reports[0].configSettings.throttlingMethod,
  median: Object.fromEntries(cats.map((c) => [c, med(scores[c])])), runs: scores,
  metrics_median: Object.fromEntries(metrics.map((m) => [m, reports[0].audits[m] && med(reports.map((r) => r.audits[m].numericValue))])),
  // Audits that did not pass in any run (scored below 1, not informative or not applicable).
  not_passed: [...new Set(reports.flatMap((r) => Object.values(r.audits)
    .filter((a) => a.score !== null && a.score < 1 && !["informative", "notApplicable", "manual"].includes(a.scoreDisplayMode))
    .map((a) => `${a.id} (${a.score}): ${a.title}${a.displayValue ? " — " + a.displayValue : ""}`)))],
};
console.log(JSON.stringify(summary, null, 2));
console.error("Lighthouse " + summary.lighthouse + " on " + summary.url + " (" + summary.form_factor + ", median of " + runs + "): " +
  cats.map((c) => `${c} ${summary.median[c]}`).join(", "));
' "$OUT" "$RUNS" | tee "$OUT/summary.json"
