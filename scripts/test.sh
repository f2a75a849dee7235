#!/usr/bin/env bash
# The whole test suite: formatting, lints, the dependency rule, and every
# unit, integration and end-to-end test. Run from anywhere; CI runs it too.
# It needs only the Rust toolchain (cargo, rustfmt, clippy); later sinks'
# tests install and start their services from scripts/ here.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "dependency direction: sim depends on no async runtime or actors"
if cargo tree -p storesim-sim -e normal --locked | grep -E '\b(tokio|actix|rdkafka|tokio-postgres)\b'; then
  echo "storesim-sim must not depend on tokio, actix or sink clients" >&2
  exit 1
fi

step "cargo test"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --workspace --doc --locked 2>&1 | tee "$log"
cargo test --workspace --all-targets --locked 2>&1 | tee -a "$log"

# One closing line for the whole suite (cargo prints one per test binary).
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed;?$/) p += $(i-1); if ($(i) ~ /^failed;?$/) f += $(i-1) } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
