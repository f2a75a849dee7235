#!/usr/bin/env bash
# The tests' schema registry (scripts/registry.py, the REST subset of
# Confluent's Schema Registry that producers and clients use), on
# 127.0.0.1:8081, in memory.
#
#   bash scripts/registry.sh up      # start it if it is not answering
#   bash scripts/registry.sh down    # stop it if this script started it
#   bash scripts/registry.sh url     # the URL the tests use
#
# Idempotent: `up` reuses a registry already answering on the port.
set -euo pipefail
CACHE=${STORESIM_CACHE:-$HOME/.cache/storesim}
PORT=${STORESIM_REGISTRY_PORT:-8081}
PIDFILE=$CACHE/registry.pid
URL=http://127.0.0.1:$PORT
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$CACHE"

answering() { python3 - "$URL" <<'PY'
import sys, urllib.request
try:
    urllib.request.urlopen(sys.argv[1] + "/subjects", timeout=1)
except Exception:
    sys.exit(1)
PY
}

up() {
  if answering; then
    echo "registry.sh: already answering at $URL" >&2
    return
  fi
  nohup python3 "$HERE/registry.py" --port "$PORT" >"$CACHE/registry.log" 2>&1 &
  echo $! >"$PIDFILE"
  for _ in $(seq 50); do
    if answering; then
      echo "registry.sh: ready at $URL" >&2
      return
    fi
    sleep 0.1
  done
  echo "registry.sh: did not answer at $URL (see $CACHE/registry.log)" >&2
  exit 1
}

down() {
  if [ -f "$PIDFILE" ]; then
    kill "$(cat "$PIDFILE")" 2>/dev/null || true
    rm -f "$PIDFILE"
    echo "registry.sh: stopped" >&2
  fi
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  url) echo "$URL" ;;
  *) echo "usage: $0 up|down|url" >&2; exit 2 ;;
esac
