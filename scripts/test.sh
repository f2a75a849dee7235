#!/usr/bin/env bash
# The whole test suite: formatting, lints, the dependency rule, and every
# unit, integration and end-to-end test. Run from anywhere; CI runs it too.
# It needs the Rust toolchain (cargo, rustfmt, clippy); the Kafka sink's
# tests talk to a real broker, which scripts/kafka.sh builds once (cached,
# ~15 min on 2 cores), starts here, and stops at the end.
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

step "services: Kafka-protocol broker"
bash scripts/kafka.sh up
export STORESIM_KAFKA_BROKERS=127.0.0.1:${STORESIM_KAFKA_PORT:-9092}
export STORESIM_REQUIRE_SERVICES=1
# The connection-cut test starts a broker of its own behind a pausable proxy.
STORESIM_TANSU=$(bash scripts/kafka.sh bin)
export STORESIM_TANSU

step "services: PostgreSQL"
trap 'bash scripts/kafka.sh down; bash scripts/postgres.sh down; bash scripts/registry.sh down; bash scripts/s3.sh down' EXIT
bash scripts/postgres.sh up
STORESIM_POSTGRES_URL=$(bash scripts/postgres.sh url)
# The crash test starts a server of its own (initdb, pg_ctl from here).
STORESIM_PG_BIN=$(bash scripts/postgres.sh bin)
export STORESIM_POSTGRES_URL STORESIM_PG_BIN

step "readers: DuckDB, confluent-kafka and fastavro in a venv (the demo and Avro tests)"
bash scripts/python.sh up
STORESIM_PYTHON=$(bash scripts/python.sh bin)
export STORESIM_PYTHON

step "services: the schema registry (scripts/registry.py)"
bash scripts/registry.sh up
STORESIM_REGISTRY_URL=$(bash scripts/registry.sh url)
export STORESIM_REGISTRY_URL

step "services: an S3-compatible object store (moto's server, scripts/s3.sh)"
bash scripts/s3.sh up
STORESIM_S3_ENDPOINT=$(bash scripts/s3.sh url)
export STORESIM_S3_ENDPOINT

step "browser: headless Chromium (the live view's page test)"
STORESIM_CHROMIUM=$(bash scripts/chromium.sh bin)
export STORESIM_CHROMIUM

step "cargo test"
log=$(mktemp)
trap 'rm -f "$log"; bash scripts/kafka.sh down; bash scripts/postgres.sh down; bash scripts/registry.sh down; bash scripts/s3.sh down' EXIT
cargo test --workspace --doc --locked 2>&1 | tee "$log"
cargo test --workspace --all-targets --locked 2>&1 | tee -a "$log"

# One closing line for the whole suite (cargo prints one per test binary).
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed;?$/) p += $(i-1); if ($(i) ~ /^failed;?$/) f += $(i-1) } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
