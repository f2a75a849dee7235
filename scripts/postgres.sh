#!/usr/bin/env bash
# PostgreSQL for tests and demos: Debian's server, the cluster on port 5432.
#
#   bash scripts/postgres.sh up      # install if missing, start, create role and database
#   bash scripts/postgres.sh down    # stop the server if this script started it
#   bash scripts/postgres.sh status
#   bash scripts/postgres.sh url     # the URL the tests use
#   bash scripts/postgres.sh bin     # the server's program directory (initdb, pg_ctl)
#
# Idempotent: `up` reuses a running server (restarting it once if logical
# decoding is off, which the CDC tests need) and `down` only stops a server
# that `up` started. The role `storesim` (password `storesim`, REPLICATION
# for the CDC tests) owns the database `storesim`.
set -euo pipefail
CACHE=${STORESIM_CACHE:-$HOME/.cache/storesim}
MARK=$CACHE/postgres.started-by-us
URL=postgres://storesim:storesim@127.0.0.1:5432/storesim
mkdir -p "$CACHE"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
as_postgres() { as_root su postgres -c "$*"; }

install() {
  if ! command -v pg_lsclusters >/dev/null 2>&1 || [ -z "$(pg_lsclusters -h 2>/dev/null)" ]; then
    echo "postgres.sh: installing PostgreSQL (apt-get)" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
}

cluster() { pg_lsclusters -h | awk 'NR == 1 { print $1, $2 }'; }
online() { pg_lsclusters -h | awk 'NR == 1 { print $4 }' | grep -q online; }

up() {
  install
  read -r version name < <(cluster)
  conf=/etc/postgresql/$version/$name/conf.d/storesim.conf
  if [ ! -f "$conf" ]; then
    # Logical decoding for the CDC tests (a replication slot on item_master).
    printf 'wal_level = logical\nmax_replication_slots = 10\nmax_wal_senders = 10\n' | as_root tee "$conf" >/dev/null
  fi
  if online; then
    if [ "$(as_postgres "psql -tAc 'show wal_level'")" != logical ]; then
      echo "postgres.sh: restarting PostgreSQL $version/$name for wal_level=logical" >&2
      as_root pg_ctlcluster "$version" "$name" restart
    else
      echo "postgres.sh: PostgreSQL $version/$name already running" >&2
    fi
  else
    as_root pg_ctlcluster "$version" "$name" start
    touch "$MARK"
    echo "postgres.sh: started PostgreSQL $version/$name" >&2
  fi
  as_postgres "psql -q -v ON_ERROR_STOP=1" <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'storesim') THEN
    CREATE ROLE storesim LOGIN REPLICATION PASSWORD 'storesim';
  END IF;
END $$;
SQL
  if [ -z "$(as_postgres "psql -tAc \"SELECT 1 FROM pg_database WHERE datname = 'storesim'\"")" ]; then
    as_postgres "createdb -O storesim storesim"
  fi
  echo "postgres.sh: ready at $URL" >&2
}

down() {
  if [ -f "$MARK" ]; then
    read -r version name < <(cluster)
    as_root pg_ctlcluster "$version" "$name" stop -m fast || true
    rm -f "$MARK"
    echo "postgres.sh: stopped PostgreSQL $version/$name" >&2
  fi
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  url) echo "$URL" ;;
  bin) install; read -r version _ < <(cluster); echo "/usr/lib/postgresql/$version/bin" ;;
  status) if command -v pg_lsclusters >/dev/null && online; then echo "running"; else echo "not running"; exit 1; fi ;;
  *) echo "usage: $0 up|down|status|url|bin" >&2; exit 2 ;;
esac
