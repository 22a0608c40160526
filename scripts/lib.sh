# shellcheck shell=bash
# Shared helpers for the SitePilot scripts: logging with timings, phase bookkeeping, command checks,
# privileged/apt helpers and the environment the server runs with. Source it; it sets no shell options.

if [[ -n "${SP_LIB_LOADED:-}" ]]; then
  return 0
fi
SP_LIB_LOADED=1

# Repository root: the parent of this scripts/ directory (no git needed, works in any checkout).
SP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
# shellcheck disable=SC2034 # used by the scripts that source this file
SP_SCRIPTS="$SP_ROOT/scripts"
# Name shown in every log line; each script sets SP_LOG_NAME before sourcing, default: caller's file name.
SP_LOG_NAME="${SP_LOG_NAME:-$(basename "${BASH_SOURCE[1]:-$0}" .sh)}"

# Microseconds since the epoch (bash 5 EPOCHREALTIME; the separator depends on the locale).
sp_now_us() { local t="${EPOCHREALTIME//[.,]/}"; printf '%s\n' "$t"; }
SP_START_US="$(sp_now_us)"

# Formats a duration in microseconds as "4.2s" or "3m07s".
sp_fmt_us() {
  local us=$1 s tenths
  s=$((us / 1000000))
  if ((s >= 60)); then
    printf '%dm%02ds' $((s / 60)) $((s % 60))
  else
    tenths=$(((us % 1000000) / 100000))
    printf '%d.%ds' "$s" "$tenths"
  fi
}

# Log lines go to stderr so stdout stays usable for data (e.g. `db.sh env`).
log() {
  printf '[%s +%s] %s\n' "$SP_LOG_NAME" "$(sp_fmt_us $(($(sp_now_us) - SP_START_US)))" "$*" >&2
}
warn() { log "WARNING: $*"; }
die() {
  log "ERROR: $*"
  exit 1
}

have_cmd() { command -v "$1" >/dev/null 2>&1; }

# need_cmd NAME [HINT]: fail with a clear message when NAME is not on PATH.
need_cmd() {
  have_cmd "$1" || die "required command '$1' not found${2:+ — $2}"
}

is_root() { [[ "$(id -u)" == 0 ]]; }

# Runs a command as root (directly when root, else through passwordless sudo).
as_root() {
  if is_root; then
    "$@"
  elif have_cmd sudo && sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    die "need root to run: $* (run as root or configure passwordless sudo)"
  fi
}

# apt_install PKG...: one `apt-get update` per process, then a non-interactive install.
SP_APT_UPDATED=""
apt_install() {
  (($# > 0)) || return 0
  need_cmd apt-get "this script installs missing tools with apt (Debian/Ubuntu)"
  if [[ -z "$SP_APT_UPDATED" ]]; then
    log "apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
    SP_APT_UPDATED=1
  fi
  log "apt-get install -y $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2
}

# ---------------------------------------------------------------------------------------------
# Phases: each one is logged when it starts and ends, with its duration, and kept for a summary.
SP_PHASE_NAMES=()
SP_PHASE_RESULTS=()
SP_PHASE_TIMES=()
SP_PHASE_CUR=""
SP_PHASE_CUR_START=0

phase_begin() {
  SP_PHASE_CUR="$1"
  SP_PHASE_CUR_START="$(sp_now_us)"
  log "==> $1"
}

# phase_end [EXIT_CODE]: closes the current phase as ok (0) or failed.
phase_end() {
  local rc="${1:-0}" took
  took=$(($(sp_now_us) - SP_PHASE_CUR_START))
  SP_PHASE_NAMES+=("$SP_PHASE_CUR")
  SP_PHASE_TIMES+=("$(sp_fmt_us "$took")")
  if [[ "$rc" == 0 ]]; then
    SP_PHASE_RESULTS+=("ok")
    log "<== $SP_PHASE_CUR: ok ($(sp_fmt_us "$took"))"
  else
    SP_PHASE_RESULTS+=("FAILED (exit $rc)")
    log "<== $SP_PHASE_CUR: FAILED with exit code $rc ($(sp_fmt_us "$took"))"
  fi
  SP_PHASE_CUR=""
}

phase_skip() {
  SP_PHASE_NAMES+=("$1")
  SP_PHASE_TIMES+=("-")
  SP_PHASE_RESULTS+=("skipped${2:+ ($2)}")
  log "--- $1: skipped${2:+ ($2)}"
}

# phase_run NAME CMD...: runs CMD in a subshell with errexit on and records the result. It always
# returns 0 and leaves CMD's exit code in SP_PHASE_RC: calling it from `if` or `||` would switch
# errexit off inside CMD. State changes inside CMD (exports, cd) do not reach the caller.
SP_PHASE_RC=0
phase_run() {
  local name=$1
  shift
  phase_begin "$name"
  set +e
  (
    set -e
    "$@"
  )
  SP_PHASE_RC=$?
  set -e
  phase_end "$SP_PHASE_RC"
}

# phase_must NAME CMD...: like phase_run, but a failure ends the script (after the summary).
phase_must() {
  phase_run "$@"
  if [[ "$SP_PHASE_RC" != 0 ]]; then
    phase_summary
    die "$1 failed"
  fi
}

phase_summary() {
  local i width=5
  for i in "${!SP_PHASE_NAMES[@]}"; do
    ((${#SP_PHASE_NAMES[$i]} > width)) && width=${#SP_PHASE_NAMES[$i]}
  done
  log "summary (total $(sp_fmt_us $(($(sp_now_us) - SP_START_US)))):"
  for i in "${!SP_PHASE_NAMES[@]}"; do
    log "$(printf "  %-${width}s  %8s  %s" "${SP_PHASE_NAMES[$i]}" "${SP_PHASE_TIMES[$i]}" "${SP_PHASE_RESULTS[$i]}")"
  done
}

# True when every recorded phase passed or was skipped.
phases_all_ok() {
  local r
  for r in "${SP_PHASE_RESULTS[@]}"; do
    [[ "$r" == FAILED* ]] && return 1
  done
  return 0
}

# ---------------------------------------------------------------------------------------------
# Networking helpers.

# True when something accepts TCP connections on HOST:PORT.
tcp_port_open() {
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

# Prints a TCP port on 127.0.0.1 that is free right now.
free_tcp_port() {
  if have_cmd python3; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
    return
  fi
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 30000))
    if ! tcp_port_open 127.0.0.1 "$port"; then
      printf '%s\n' "$port"
      return
    fi
  done
  die "could not find a free TCP port on 127.0.0.1"
}

# HTTP status of URL ("000" when nothing answers).
http_status() {
  curl -s -o /dev/null -m 5 -w '%{http_code}' "$1" 2>/dev/null || true
}

# ---------------------------------------------------------------------------------------------
# The environment the server binary runs with (run.sh and the e2e phase of test.sh share it).
# export_server_env ADDR: expects DATABASE_URL and APP_DATABASE_URL to be exported already. It runs
# `server migrate` with the owner role's DATABASE_URL, then unsets it: the serving process gets only
# APP_DATABASE_URL.
export_server_env() {
  [[ -n "${DATABASE_URL:-}" && -n "${APP_DATABASE_URL:-}" ]] ||
    die "DATABASE_URL and APP_DATABASE_URL must be set before starting the server"
  [[ -x "$SP_SERVER_BIN" ]] || die "$SP_SERVER_BIN was not built"
  SITEPILOT_ENV=dev "$SP_SERVER_BIN" migrate || die "server migrate failed"
  unset DATABASE_URL
  export LEPTOS_SITE_ADDR="$1"
  # The app's own origin: state-changing requests from any other are refused. Browsers (and
  # Playwright's baseURL) must open the app at exactly this address.
  export SITEPILOT_PUBLIC_URL="http://$1"
  export LEPTOS_SITE_ROOT="target/site"
  export LEPTOS_SITE_PKG_DIR="pkg"
  export LEPTOS_OUTPUT_NAME="sitepilot"
  # The release build names its static files by content hash (Cargo.toml `hash-files`).
  export LEPTOS_HASH_FILES="true"
  export SITEPILOT_SITES_DOMAIN="localhost"
  export SITEPILOT_SEED_DEMO="1"
  export SITEPILOT_ENV="dev"
  export RUST_LOG="${RUST_LOG:-info}"
}

# start_background_server DB LOG: runs the release server on a free loopback port against database
# DB, logging to LOG, and waits for /healthz. Sets SP_BG_SERVER_PID and SP_BG_SERVER_PORT; call it in
# the script's own shell (not a phase subshell) so an EXIT trap can call stop_background_server.
SP_BG_SERVER_PID=""
# shellcheck disable=SC2034 # read by the scripts that source this file
SP_BG_SERVER_PORT=""
start_background_server() {
  local db="$1" log_file="$2" env_lines port
  [[ -x "$SP_SERVER_BIN" ]] || die "$SP_SERVER_BIN was not built"
  port="$(free_tcp_port)" || return 1
  env_lines="$("$SP_SCRIPTS/db.sh" env "$db")" || return 1
  mkdir -p "$(dirname "$log_file")"
  (
    eval "$env_lines"
    export DATABASE_URL APP_DATABASE_URL
    export_server_env "127.0.0.1:$port"
    # Every browser test and benchmark client is 127.0.0.1: the per-address sign-up and failed
    # log-in limits (app/src/db/throttle.rs) would otherwise stop the suite; the per-account
    # limit stays at its default, so the throttle spec still trips it.
    export SITEPILOT_SIGNUPS_PER_IP="${SITEPILOT_SIGNUPS_PER_IP:-100000}"
    export SITEPILOT_LOGIN_FAILURES_PER_IP="${SITEPILOT_LOGIN_FAILURES_PER_IP:-100000}"
    exec "$SP_SERVER_BIN"
  ) >"$log_file" 2>&1 &
  SP_BG_SERVER_PID=$!
  SP_BG_SERVER_PORT="$port"
  log "server pid $SP_BG_SERVER_PID on 127.0.0.1:$port (log: $log_file)"
  local deadline=$((SECONDS + 120))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$SP_BG_SERVER_PID" 2>/dev/null; then
      log "the server exited before answering /healthz; last lines of $log_file:"
      tail -n 40 "$log_file" >&2 || true
      return 1
    fi
    if [[ "$(http_status "http://127.0.0.1:$port/healthz")" == 200 ]]; then
      log "http://127.0.0.1:$port/healthz answered 200"
      return 0
    fi
    sleep 0.5
  done
  log "no 200 from http://127.0.0.1:$port/healthz within 120 s; last lines of $log_file:"
  tail -n 40 "$log_file" >&2 || true
  return 1
}

# start_smtp_sink DIR: the tests' SMTP server (scripts/tools/smtp_sink.py, aiosmtpd from the venv
# scripts/setup-tools.sh makes) on a free loopback port, writing every message it accepts into DIR
# (emptied first) as .eml + decoded .json. Sets SP_SMTP_PID and SP_SMTP_PORT; it also exits by
# itself when this shell does.
SP_SMTP_PID=""
# shellcheck disable=SC2034 # read by the scripts that source this file
SP_SMTP_PORT=""
start_smtp_sink() {
  local dir="$1" python="$SP_ROOT/scripts/tools/smtp-venv/bin/python" port_file
  [[ -x "$python" ]] || die "$python missing: run scripts/setup-tools.sh (it installs aiosmtpd)"
  rm -rf "$dir"
  mkdir -p "$dir"
  port_file="$dir/.port"
  "$python" "$SP_ROOT/scripts/tools/smtp_sink.py" --dir "$dir" --port-file "$port_file" \
    --parent-pid "$$" >"$dir/.log" 2>&1 &
  SP_SMTP_PID=$!
  local deadline=$((SECONDS + 20))
  while ((SECONDS < deadline)); do
    if [[ -s "$port_file" ]]; then
      SP_SMTP_PORT="$(cat "$port_file")"
      log "SMTP sink pid $SP_SMTP_PID on 127.0.0.1:$SP_SMTP_PORT, writing to $dir"
      return 0
    fi
    kill -0 "$SP_SMTP_PID" 2>/dev/null || break
    sleep 0.2
  done
  log "the SMTP sink did not start; its log:"
  cat "$dir/.log" >&2 || true
  return 1
}

stop_smtp_sink() {
  if [[ -n "$SP_SMTP_PID" ]] && kill -0 "$SP_SMTP_PID" 2>/dev/null; then
    kill "$SP_SMTP_PID" 2>/dev/null || true
  fi
  SP_SMTP_PID=""
}

# Stops the server start_background_server started, if it still runs.
stop_background_server() {
  local pid="$SP_BG_SERVER_PID"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    log "stopping the server (pid $pid)"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -9 "$pid" 2>/dev/null || true
  fi
  SP_BG_SERVER_PID=""
}

# The release server binary cargo-leptos builds.
# shellcheck disable=SC2034 # used by the scripts that source this file
SP_SERVER_BIN="$SP_ROOT/target/release/server"

# When the workspace carries sqlx's offline query data (.sqlx/), compile against it instead of
# asking a live database; the test databases are empty until the migrations have run.
use_sqlx_offline_data() {
  if [[ -d "$SP_ROOT/.sqlx" && -z "${SQLX_OFFLINE:-}" ]]; then
    export SQLX_OFFLINE=true
    log "found .sqlx/: compiling with SQLX_OFFLINE=true"
  fi
}

# cargo-leptos runs the first wasm-opt on PATH for release builds. Put binaryen's from scripts/tools/
# (npm, pinned) first: Debian 12's wasm-opt 108 writes wasm-bindgen's externref table as anyref
# and the page's WASM then fails in Chromium ("WebAssembly.Table.set(): Argument 1 is invalid").
use_pinned_wasm_opt() {
  local bin="$SP_ROOT/scripts/tools/node_modules/.bin" version
  [[ -x "$bin/wasm-opt" ]] || die "scripts/tools/node_modules/.bin/wasm-opt missing: run scripts/setup-tools.sh"
  export PATH="$bin:$PATH"
  version="$(wasm-opt --version | awk '{print $3}')"
  ((version >= 116)) || die "wasm-opt on PATH is version $version; need binaryen 116 or newer"
  log "using wasm-opt $version ($(command -v wasm-opt))"
}

# The release build of the whole site (server binary + WASM/JS/CSS in target/site). `--split`
# puts each lazy route (app/src/ui/lazy_routes.rs) into its own WASM chunk, loaded only on that
# route, so the builder route does not download the other pages' code. `--precompress` writes a
# brotli (.br, quality 11) and a gzip (.gz) copy of every file, which the server sends to browsers
# that accept them; see tune_precompressed for the gzip copies.
build_release() {
  use_sqlx_offline_data
  use_pinned_wasm_opt
  (cd "$SP_ROOT" && cargo leptos build --release --split --precompress)
  tune_precompressed "$SP_ROOT/target/site"
}

# cargo-leptos' gzip copies come from libflate at its default level (the main WASM: 575 KB
# against 494 KB with gzip -9): rewrite each with gzip -9. Then remove every .br/.gz copy that is
# not at least 5 % smaller than its file (images, tiny files): the plain file is served instead.
tune_precompressed() {
  local f orig
  while IFS= read -r -d '' f; do
    orig="${f%.*}"
    [[ -f "$orig" ]] || continue
    if [[ "$f" == *.gz ]]; then
      gzip -9 -n -c "$orig" >"$f.tmp" && mv "$f.tmp" "$f"
    fi
    if (($(wc -c <"$f") * 100 > $(wc -c <"$orig") * 95)); then
      rm -f "$f"
    fi
  done < <(find "$1" -type f \( -name '*.br' -o -name '*.gz' \) -print0)
}
