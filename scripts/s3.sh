#!/usr/bin/env bash
# The tests' S3-compatible object store: moto's server mode (from the
# readers' venv, scripts/python.sh), on 127.0.0.1:5055, in memory. It
# takes any credentials; nothing leaves the machine.
#
#   bash scripts/s3.sh up      # start it if it is not answering
#   bash scripts/s3.sh down    # stop it if this script started it
#   bash scripts/s3.sh url     # the endpoint the tests use
#
# Idempotent: `up` reuses a server already answering on the port.
set -euo pipefail
CACHE=${STORESIM_CACHE:-$HOME/.cache/storesim}
PORT=${STORESIM_S3_PORT:-5055}
PIDFILE=$CACHE/s3.pid
URL=http://127.0.0.1:$PORT
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$CACHE"

answering() { python3 - "$URL" <<'PY'
import sys, urllib.request
try:
    urllib.request.urlopen(sys.argv[1] + "/moto-api/", timeout=1)
except Exception:
    sys.exit(1)
PY
}

up() {
  if answering; then
    echo "s3.sh: already answering at $URL" >&2
    return
  fi
  bash "$HERE/python.sh" up
  local bin
  bin=$(dirname "$(bash "$HERE/python.sh" bin)")
  nohup "$bin/moto_server" -H 127.0.0.1 -p "$PORT" >"$CACHE/s3.log" 2>&1 &
  echo $! >"$PIDFILE"
  for _ in $(seq 100); do
    if answering; then
      echo "s3.sh: ready at $URL" >&2
      return
    fi
    sleep 0.1
  done
  echo "s3.sh: did not answer at $URL (see $CACHE/s3.log)" >&2
  exit 1
}

down() {
  if [ -f "$PIDFILE" ]; then
    kill "$(cat "$PIDFILE")" 2>/dev/null || true
    rm -f "$PIDFILE"
    echo "s3.sh: stopped" >&2
  fi
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  url) echo "$URL" ;;
  *) echo "usage: $0 up|down|url" >&2; exit 2 ;;
esac
