#!/usr/bin/env bash
# The Kafka-protocol broker for tests and demos: tansu (crates.io, Apache-2.0).
#
#   bash scripts/kafka.sh up      # install once (cached, ~15 min on 2 cores), start on 127.0.0.1:9092
#   bash scripts/kafka.sh down    # stop the broker this script started
#   bash scripts/kafka.sh status
#   bash scripts/kafka.sh bin     # install if needed, print the broker binary's path
#
# Idempotent: `up` reuses a broker already listening on the port and `down`
# only stops the one it started. Storage is in memory: it grows without
# bound and is lost on restart (restart it between large benchmarks).
set -euo pipefail
VERSION=0.6.0
CACHE=${STORESIM_CACHE:-$HOME/.cache/storesim}
ROOT=$CACHE/tansu-$VERSION
BIN=$ROOT/bin/tansu
PORT=${STORESIM_KAFKA_PORT:-9092}
PIDFILE=$CACHE/tansu-$PORT.pid
LOG=$CACHE/tansu-$PORT.log
mkdir -p "$CACHE"

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

install() {
  if [ ! -x "$BIN" ]; then
    echo "kafka.sh: building tansu $VERSION into $ROOT (once; about 15 minutes)" >&2
    cargo install tansu --version "$VERSION" --locked --no-default-features \
      --features dynostore --root "$ROOT" --quiet
  fi
}

up() {
  if listening; then
    echo "kafka.sh: a broker is already listening on 127.0.0.1:$PORT" >&2
    return 0
  fi
  install
  nohup "$BIN" broker \
    --listener-url "tcp://127.0.0.1:$PORT" \
    --advertised-listener-url "tcp://127.0.0.1:$PORT" \
    --storage-engine memory://tansu/ >"$LOG" 2>&1 &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 100); do
    if listening; then
      echo "kafka.sh: tansu listening on 127.0.0.1:$PORT (pid $(cat "$PIDFILE"), log $LOG)" >&2
      return 0
    fi
    sleep 0.1
  done
  echo "kafka.sh: tansu did not start; see $LOG" >&2
  tail -5 "$LOG" >&2 || true
  return 1
}

down() {
  if [ -f "$PIDFILE" ]; then
    kill "$(cat "$PIDFILE")" 2>/dev/null || true
    rm -f "$PIDFILE"
    echo "kafka.sh: stopped tansu on 127.0.0.1:$PORT" >&2
  fi
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  install) install ;;
  bin) install; echo "$BIN" ;;
  status) if listening; then echo "listening on 127.0.0.1:$PORT"; else echo "not running"; exit 1; fi ;;
  *) echo "usage: $0 up|down|install|status|bin" >&2; exit 2 ;;
esac
