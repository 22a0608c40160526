#!/usr/bin/env bash
# A local S3-compatible server for the storage tests: moto's server mode from PyPI, pinned,
# installed into a project-local virtualenv ($SITEPILOT_DATA_DIR/s3-venv, default .data).
#   scripts/s3-local.sh start   install if missing, start on a free port, create the test bucket,
#                               print `export SITEPILOT_TEST_S3_ENDPOINT=…` lines for eval
#   scripts/s3-local.sh stop    stop the server this script started
set -euo pipefail
SP_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$SP_SCRIPTS/lib.sh"

MOTO_VERSION="5.1.22"
DATA_DIR="${SITEPILOT_DATA_DIR:-$SP_SCRIPTS/../.data}"
VENV="$DATA_DIR/s3-venv"
PID_FILE="$DATA_DIR/s3-local.pid"
PORT_FILE="$DATA_DIR/s3-local.port"
BUCKET="${SITEPILOT_TEST_S3_BUCKET:-sitepilot-test}"

install() {
  if [[ -x "$VENV/bin/moto_server" ]] && "$VENV/bin/python" -c "import moto, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
    return
  fi
  mkdir -p "$DATA_DIR"
  if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    apt_install python3-venv
  fi
  python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION" >&2
}

start() {
  install
  if [[ -f "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
    port="$(cat "$PORT_FILE")"
  else
    port="$(free_tcp_port)"
    nohup "$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >"$DATA_DIR/s3-local.log" 2>&1 &
    echo $! >"$PID_FILE"
    echo "$port" >"$PORT_FILE"
    for _ in $(seq 1 100); do
      tcp_port_open 127.0.0.1 "$port" && break
      sleep 0.1
    done
    tcp_port_open 127.0.0.1 "$port" || die "moto did not start (see $DATA_DIR/s3-local.log)"
  fi
  # Path-style bucket creation; moto accepts any credentials.
  curl -fsS -X PUT "http://127.0.0.1:$port/$BUCKET" -o /dev/null || true
  echo "export SITEPILOT_TEST_S3_ENDPOINT=http://127.0.0.1:$port SITEPILOT_TEST_S3_BUCKET=$BUCKET"
}

stop() {
  if [[ -f "$PID_FILE" ]]; then
    kill "$(cat "$PID_FILE")" 2>/dev/null || true
    rm -f "$PID_FILE" "$PORT_FILE"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) die "usage: scripts/s3-local.sh start|stop" ;;
esac
