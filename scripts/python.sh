#!/usr/bin/env bash
# Python readers for the tests: a venv with DuckDB (reads the files sinks'
# trees, runs the demos' SQL), confluent-kafka (a Kafka consumer that
# is not storesim's, and its schema-registry client over requests) and
# fastavro (an Avro reader), protobuf with grpcio-tools (protoc, which
# compiles the registry's Protobuf schemas) and jsonschema (which the JSON
# Schema deserializer validates with), backports.zstd (fastavro's zstandard
# codec, for the Avro files), pytz (DuckDB's time zones, for the Parquet
# files) and moto's S3-compatible server with boto3 (the object storage
# tests: scripts/s3.sh), from PyPI, pinned.
#
#   bash scripts/python.sh up       # create the venv if missing, install the pins
#   bash scripts/python.sh bin      # the venv's python
#
# Idempotent: `up` reinstalls only when the pins change. Nothing to stop.
set -euo pipefail
CACHE=${STORESIM_CACHE:-$HOME/.cache/storesim}
VENV=$CACHE/venv
PINS="duckdb==1.1.3 confluent-kafka==2.6.1 fastavro==1.13.1 requests==2.34.2 protobuf==4.25.8 grpcio==1.62.3 grpcio-tools==1.62.3 jsonschema==4.23.0 backports.zstd==1.8.0 pytz==2025.2 moto[server]==5.1.18 boto3==1.44.8"
mkdir -p "$CACHE"

up() {
  if [ "$(cat "$VENV/.pins" 2>/dev/null)" = "$PINS" ]; then
    echo "python.sh: readers already installed ($PINS)" >&2
    return
  fi
  echo "python.sh: installing $PINS into $VENV" >&2
  python3 -m venv "$VENV"
  # shellcheck disable=SC2086
  "$VENV/bin/pip" install -q --disable-pip-version-check $PINS
  echo "$PINS" > "$VENV/.pins"
}

case "${1:-}" in
  up) up ;;
  bin) echo "$VENV/bin/python" ;;
  *) echo "usage: $0 up|bin" >&2; exit 2 ;;
esac
