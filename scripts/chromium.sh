#!/usr/bin/env bash
# Headless Chromium for the live view's browser test and its screenshot:
# Debian's package (the machine's network has no browser downloads).
#
#   bash scripts/chromium.sh bin     # install if missing, print the browser's path
#
# Idempotent: apt-get runs only when /usr/bin/chromium is missing.
set -euo pipefail
BIN=/usr/bin/chromium

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

install() {
  if [ ! -x "$BIN" ]; then
    echo "chromium.sh: installing Chromium (apt-get)" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
}

case "${1:-}" in
  install) install ;;
  bin) install; echo "$BIN" ;;
  *) echo "usage: $0 install|bin" >&2; exit 2 ;;
esac
