#!/usr/bin/env bash
# End-to-end benchmark: fixed chain runs to each sink, with events/s, wall
# time, CPU utilisation, CPU seconds (user + system) and peak memory (GNU
# time).
#
#   bash benches/e2e.sh                          # the Thanksgiving week (1000 stores x 7 days) to null and zstd files
#   RUNS=3 bash benches/e2e.sh                   # three runs of each (report the median)
#   STORES=10000 DAYS=1 START=2026-11-24 SINKS=null bash benches/e2e.sh   # 10,000 stores x 1 day
#   DAYS=1 START=2026-11-24 SINKS="kafka postgres" bash benches/e2e.sh   # one day into the services
#   RUNS=2 DAYS=1 START=2026-11-24 SINKS="kafka kafka-avro" bash benches/e2e.sh   # JSON against Avro
#   RUNS=5 DAYS=1 SINKS=null SERVE="off on" bash benches/e2e.sh           # the live view's cost, interleaved
#   KEEP=1 OUT=/tmp/lake SINKS="zstd parquet" bash benches/e2e.sh        # the week as zstd JSON and Parquet, kept
#
# SERVE is any of: off on (default off). `on` adds `--serve 0` and scrapes
# /metrics and /api/status once a second while the run lasts, as a
# dashboard would; the view stays up after the run, so the script stops it
# with SIGINT once the summary is out (wall_s is the summary's, CPU and
# memory the whole process's).
#
# SINKS is any of: null zstd parquet kafka kafka-avro kafka-protobuf
# kafka-json_schema postgres. With KEEP=1 the files sinks' trees stay in
# $OUT/KIND (the last run's), for benches/lake_query.py. `kafka*` and `postgres` start the project's
# broker (and, for the schema formats, its registry) and database
# (scripts/kafka.sh, scripts/registry.sh, scripts/postgres.sh)
# and leave them running; the broker keeps messages in memory, so each
# Kafka run restarts it first (a week, ~213 M messages, would not fit).
# Each PostgreSQL run writes into a fresh schema `e2e`.
#
# Needs GNU time (/usr/bin/time, Debian package `time`); installs it if absent.
set -euo pipefail
cd "$(dirname "$0")/.."
STORES=${STORES:-1000}
DAYS=${DAYS:-7}
START=${START:-2026-11-23}
RUNS=${RUNS:-1}
SINKS=${SINKS:-null zstd}
OUT=${OUT:-$(mktemp -d)}
if [ ! -x /usr/bin/time ]; then
  apt-get update -qq && apt-get install -y -qq time >/dev/null
fi
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/storesim
pg_url="$(bash scripts/postgres.sh url 2>/dev/null || echo postgres://storesim:storesim@127.0.0.1:5432/storesim)?schema=e2e"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(date -u +%Y-%m-%dT%H:%MZ); $(git rev-parse --short HEAD)"
echo "command: $bin run --seed 42 --start $START --days $DAYS --stores $STORES --sink SINK"
# Interleaved: run 1 of every sink, then run 2, so a noisy minute of the
# shared machine falls on both sides of a comparison.
for run in $(seq 1 "$RUNS"); do
  for kind in $SINKS; do
    for serve in ${SERVE:-off}; do
      case $kind in
        null) sink=null ;;
        zstd) sink="files:$OUT/e2e?compression=zstd" ;;
        parquet) sink="files:$OUT/e2e?format=parquet" ;;
        kafka | kafka-avro | kafka-protobuf | kafka-json_schema)
          bash scripts/kafka.sh down >/dev/null 2>&1 || true
          bash scripts/kafka.sh up >/dev/null
          sink="kafka://127.0.0.1:9092?topic_prefix=e2e$run."
          if [ "$kind" != kafka ]; then
            bash scripts/registry.sh up >/dev/null
            sink="$sink&format=${kind#kafka-}&schema_registry=$(bash scripts/registry.sh url)"
          fi
          ;;
        postgres)
          bash scripts/postgres.sh up >/dev/null
          "$bin" db init "$pg_url" --drop >/dev/null
          sink=$pg_url
          ;;
        *) echo "e2e.sh: unknown sink kind '$kind' (null, zstd, parquet, kafka, kafka-avro, kafka-protobuf, kafka-json_schema, postgres)" >&2; exit 2 ;;
      esac
      log=$(mktemp)
      extra=()
      case $serve in
        off) ;;
        on) extra=(--serve 0) ;;
        *) echo "e2e.sh: unknown SERVE '$serve' (off, on)" >&2; exit 2 ;;
      esac
      /usr/bin/time -f "peak_rss_kb=%M cpu=%P elapsed=%e user=%U sys=%S" \
        "$bin" run --seed 42 --start "$START" --days "$DAYS" --stores "$STORES" \
        --sink "$sink" --overwrite "${extra[@]}" 2>"$log" >/dev/null &
      timed=$!
      if [ "$serve" = on ]; then
        # Scrape like a dashboard until the summary is out, then stop the view.
        until grep -q "live view stays up" "$log" || ! kill -0 "$timed" 2>/dev/null; do
          addr=$(sed -n 's|.*live view at http://\([^/]*\)/.*|\1|p' "$log" | head -1)
          if [ -n "$addr" ]; then
            curl -sf "http://$addr/metrics" >/dev/null || true
            curl -sf "http://$addr/api/status" >/dev/null || true
          fi
          sleep 1
        done
        pkill -INT -P "$timed" 2>/dev/null || true
      fi
      wait "$timed" || { cat "$log" >&2; exit 1; }
      events=$(sed -n 's/^events: .*(\([0-9]*\) total)$/\1/p' "$log")
      wall=$(sed -n 's/^wall: *\([0-9.]*\) s.*/\1/p' "$log")
      rss=$(sed -n 's/.*peak_rss_kb=\([0-9]*\).*/\1/p' "$log")
      cpu=$(sed -n 's/.*cpu=\([0-9]*\)%.*/\1/p' "$log")
      cpu_s=$(sed -n 's/.*user=\([0-9.]*\) sys=\([0-9.]*\).*/\1 \2/p' "$log" | awk '{printf "%.2f", $1 + $2}')
      rate=$(awk -v e="$events" -v w="$wall" 'BEGIN{printf "%.0f", e/w}')
      bytes=$(sed -n 's/^sink: .*, \([0-9]*\) bytes$/\1/p' "$log")
      printf 'sink=%-8s serve=%-3s run=%s events=%s wall_s=%s events_per_s=%s cpu=%s%% cpu_s=%s peak_rss_mib=%s%s\n' \
        "$kind" "$serve" "$run" "$events" "$wall" "$rate" "$cpu" "$cpu_s" "$((rss / 1024))" \
        "${bytes:+ bytes=$bytes}"
      rm -f "$log"
      if [ -n "${KEEP:-}" ] && [ -d "$OUT/e2e" ]; then
        rm -rf "${OUT:?}/$kind"
        mv "$OUT/e2e" "$OUT/$kind"
      fi
      rm -rf "$OUT/e2e"
    done
  done
done
