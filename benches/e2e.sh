#!/usr/bin/env bash
# End-to-end benchmark: the chain's Thanksgiving week (1000 stores x 7 days)
# to the null sink and to zstd files, with wall time, CPU and peak memory.
#
#   bash benches/e2e.sh            # both runs, 1000 stores, 7 days
#   STORES=100 DAYS=1 bash benches/e2e.sh   # a quick check
#   RUNS=3 bash benches/e2e.sh     # several runs of each (report the median)
#
# Needs GNU time (/usr/bin/time, Debian package `time`); installs it if absent.
set -euo pipefail
cd "$(dirname "$0")/.."
STORES=${STORES:-1000}
DAYS=${DAYS:-7}
RUNS=${RUNS:-1}
OUT=${OUT:-$(mktemp -d)}
if [ ! -x /usr/bin/time ]; then
  apt-get update -qq && apt-get install -y -qq time >/dev/null
fi
cargo build --release --quiet
bin=target/release/storesim
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(date -u +%Y-%m-%d)"
echo "command: $bin run --seed 42 --start 2026-11-23 --days $DAYS --stores $STORES --sink SINK"
for sink in null "files:$OUT/week?compression=zstd"; do
  for run in $(seq 1 "$RUNS"); do
    log=$(mktemp)
    /usr/bin/time -f "peak_rss_kb=%M cpu=%P elapsed=%e" \
      "$bin" run --seed 42 --start 2026-11-23 --days "$DAYS" --stores "$STORES" \
      --sink "$sink" --overwrite 2>"$log" >/dev/null
    events=$(sed -n 's/^events: .*(\([0-9]*\) total)$/\1/p' "$log")
    wall=$(sed -n 's/^wall: *\([0-9.]*\) s.*/\1/p' "$log")
    rss=$(sed -n 's/.*peak_rss_kb=\([0-9]*\).*/\1/p' "$log")
    cpu=$(sed -n 's/.*cpu=\([0-9]*\)%.*/\1/p' "$log")
    rate=$(awk -v e="$events" -v w="$wall" 'BEGIN{printf "%.0f", e/w}')
    bytes=$(sed -n 's/^sink: .*, \([0-9]*\) bytes$/\1/p' "$log")
    printf 'sink=%-8s run=%s events=%s wall_s=%s events_per_s=%s cpu=%s%% peak_rss_mib=%s%s\n' \
      "${sink%%:*}" "$run" "$events" "$wall" "$rate" "$cpu" "$((rss / 1024))" \
      "${bytes:+ bytes=$bytes}"
    rm -f "$log"
  done
done
rm -rf "$OUT/week"
