#!/usr/bin/env bash
# Installs what building, running and testing SitePilot needs, and only what is missing:
# Debian packages (chromium, PostgreSQL 15, curl), the wasm32 Rust target, cargo-leptos,
# wasm-bindgen-cli at the version Cargo.lock pins, and the npm packages of scripts/tools/ (wasm-opt from
# binaryen) and end2end/ (Playwright).
# Safe to re-run: a second run finds everything in place and changes nothing.
set -euo pipefail
SP_LOG_NAME=setup-tools
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CARGO_LEPTOS_VERSION="0.3.10"
PG_BIN="${SITEPILOT_PG_BIN:-/usr/lib/postgresql/15/bin}"
CHROMIUM="/usr/bin/chromium"
export CI="${CI:-}"

# Only one setup at a time on this machine (run.sh and test.sh may start together).
lock_dir="${XDG_CACHE_HOME:-$HOME/.cache}/sitepilot"
mkdir -p "$lock_dir"
exec {lock_fd}>"$lock_dir/setup-tools.lock"
if ! flock -n "$lock_fd"; then
  log "another setup-tools run holds $lock_dir/setup-tools.lock; waiting for it"
  flock "$lock_fd"
fi

apt_packages() {
  local missing=()
  [[ -x "$PG_BIN/initdb" && -x "$PG_BIN/pg_ctl" && -x "$PG_BIN/postgres" && -x "$PG_BIN/psql" ]] ||
    missing+=(postgresql-15)
  [[ -x "$CHROMIUM" ]] || missing+=(chromium)
  have_cmd curl || missing+=(curl)
  have_cmd flock || missing+=(util-linux)
  # The tests' SMTP server (aiosmtpd) runs in a project-local venv.
  if ! have_cmd python3 || ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    missing+=(python3 python3-venv)
  fi
  if ! have_cmd node || ! have_cmd npm; then
    warn "node/npm not found: installing Debian's nodejs and npm (Playwright needs Node.js 18 or newer)"
    missing+=(nodejs npm)
  fi
  if ((${#missing[@]} == 0)); then
    log "Debian packages: all present (PostgreSQL 15, chromium, curl, node)"
    return 0
  fi
  apt_install "${missing[@]}"
}

rust_target() {
  need_cmd rustup "install the Rust toolchain with rustup first"
  if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "rust target wasm32-unknown-unknown: present"
  else
    log "rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown >&2
  fi
}

# Waits while some other process is already running `cargo install <crate>` (two installs of the same
# crate would just build it twice).
wait_for_other_install() {
  local crate=$1 waited=0
  have_cmd pgrep || return 0
  while pgrep -f "cargo install .*$crate" >/dev/null 2>&1; do
    ((waited % 60 == 0)) && log "another 'cargo install $crate' is running; waiting for it to finish"
    sleep 5
    waited=$((waited + 5))
  done
}

cargo_leptos_version() {
  cargo leptos --version 2>/dev/null | awk '{print $NF}' || true
}

cargo_leptos() {
  need_cmd cargo "install the Rust toolchain with rustup first"
  local have
  have="$(cargo_leptos_version)"
  if [[ "$have" == "$CARGO_LEPTOS_VERSION" ]]; then
    log "cargo-leptos $have: present"
    return 0
  fi
  wait_for_other_install cargo-leptos
  have="$(cargo_leptos_version)"
  if [[ "$have" == "$CARGO_LEPTOS_VERSION" ]]; then
    log "cargo-leptos $have: present"
    return 0
  fi
  log "installing cargo-leptos $CARGO_LEPTOS_VERSION (found: ${have:-none}); this compiles for ~15-20 minutes"
  cargo install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION" >&2
  have="$(cargo_leptos_version)"
  [[ "$have" == "$CARGO_LEPTOS_VERSION" ]] ||
    die "cargo leptos --version reports '${have:-nothing}' after installing $CARGO_LEPTOS_VERSION (another cargo-leptos earlier on PATH?)"
}

# Prints the version of the wasm-bindgen package that Cargo.lock pins (nothing when it pins none).
locked_wasm_bindgen_version() {
  local versions
  versions="$(awk '
    /^\[\[package\]\]/ { name = "" }
    /^name = / { name = $3 }
    /^version = / && name == "\"wasm-bindgen\"" { gsub(/"/, "", $3); print $3 }
  ' "$SP_ROOT/Cargo.lock" | sort -u)"
  if (($(printf '%s' "$versions" | grep -c .) > 1)); then
    die "Cargo.lock pins several wasm-bindgen versions ($(echo "$versions" | tr '\n' ' ')); cargo-leptos needs exactly one"
  fi
  printf '%s' "$versions"
}

wasm_bindgen_cli() {
  if [[ ! -f "$SP_ROOT/Cargo.lock" ]]; then
    if [[ ! -f "$SP_ROOT/Cargo.toml" ]]; then
      warn "no Cargo.toml yet: cannot tell which wasm-bindgen-cli to install; skipping"
      return 0
    fi
    log "no Cargo.lock yet: cargo generate-lockfile"
    (cd "$SP_ROOT" && cargo generate-lockfile >&2)
  fi
  local want have
  want="$(locked_wasm_bindgen_version)"
  if [[ -z "$want" ]]; then
    warn "Cargo.lock has no wasm-bindgen package; skipping wasm-bindgen-cli"
    return 0
  fi
  have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
  if [[ "$have" == "$want" ]]; then
    log "wasm-bindgen-cli $have: present (matches Cargo.lock)"
    return 0
  fi
  wait_for_other_install wasm-bindgen-cli
  log "installing wasm-bindgen-cli $want (found: ${have:-none})"
  # No --locked: the lock file published with some versions names a crate version the registry lacks.
  cargo install wasm-bindgen-cli --version "$want" >&2
  have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
  [[ "$have" == "$want" ]] ||
    die "wasm-bindgen --version reports '${have:-nothing}' after installing $want (another wasm-bindgen earlier on PATH: $(command -v wasm-bindgen || echo none))"
}

# npm_deps DIR: `npm ci` in DIR (relative to the repo) when node_modules is missing or older than
# package-lock.json / package.json.
npm_deps() {
  local dir="$SP_ROOT/$1"
  [[ -f "$dir/package-lock.json" ]] || die "$1/package-lock.json is missing"
  need_cmd npm
  if [[ -f "$dir/node_modules/.package-lock.json" &&
    ! "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" &&
    ! "$dir/package.json" -nt "$dir/node_modules/.package-lock.json" ]]; then
    log "$1/node_modules: up to date with package-lock.json"
    return 0
  fi
  log "npm ci in $1/"
  # Browsers come from Debian (chromium); Playwright must never try to download its own.
  (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund >&2)
}

# smtp_venv: scripts/tools/smtp-venv with the aiosmtpd version scripts/tools/smtp-requirements.txt
# pins (the tests' SMTP server, scripts/tools/smtp_sink.py).
smtp_venv() {
  local venv="$SP_ROOT/scripts/tools/smtp-venv" req="$SP_ROOT/scripts/tools/smtp-requirements.txt" want
  want="$(sed -n 's/^aiosmtpd==//p' "$req")"
  if [[ -x "$venv/bin/python" ]] &&
    [[ "$("$venv/bin/python" -c 'import aiosmtpd; print(aiosmtpd.__version__)' 2>/dev/null)" == "$want" ]]; then
    log "aiosmtpd $want (scripts/tools/smtp-venv): present"
    return 0
  fi
  log "python3 -m venv scripts/tools/smtp-venv; pip install -r scripts/tools/smtp-requirements.txt"
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req" >&2
}

phase_must "apt packages" apt_packages
phase_must "rust wasm32 target" rust_target
phase_must "cargo-leptos $CARGO_LEPTOS_VERSION" cargo_leptos
phase_must "wasm-bindgen-cli" wasm_bindgen_cli
phase_must "tools npm deps (wasm-opt)" npm_deps scripts/tools

# The scripts put scripts/tools/' wasm-opt first on PATH; a bare `cargo leptos build --release` does not.
system_wasm_opt="$(command -v wasm-opt || true)"
if [[ -n "$system_wasm_opt" ]]; then
  system_wasm_opt_version="$(wasm-opt --version 2>/dev/null | awk '{print $3}' || true)"
  if [[ "$system_wasm_opt_version" =~ ^[0-9]+$ ]] && ((system_wasm_opt_version < 116)); then
    warn "$system_wasm_opt is binaryen $system_wasm_opt_version, which breaks wasm-bindgen output (externref table export). scripts/run.sh and scripts/test.sh use scripts/tools/node_modules/.bin/wasm-opt; for a bare 'cargo leptos build --release' run: export PATH=\"$SP_ROOT/scripts/tools/node_modules/.bin:\$PATH\""
  fi
fi
phase_must "end2end npm deps (playwright)" npm_deps end2end
phase_must "aiosmtpd venv (test SMTP server)" smtp_venv
phase_summary
