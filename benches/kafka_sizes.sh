#!/usr/bin/env bash
# Bytes per Kafka message in each value format: one seeded hour of 20
# stores to the project's broker in json, avro, protobuf and json_schema
# (keys in the same format, or text for json), then every message read
# back with confluent-kafka and its key and value lengths averaged per
# topic (the Confluent wire format's 5-byte header included).
#
#   bash benches/kafka_sizes.sh
#
# Starts the broker, the registry and the Python readers (scripts/*.sh)
# and leaves them running.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/storesim
bash scripts/kafka.sh up >/dev/null
bash scripts/registry.sh up >/dev/null
bash scripts/python.sh up >/dev/null 2>&1
py=$(bash scripts/python.sh bin)
registry=$(bash scripts/registry.sh url)
tag=sizes$(date +%s)
echo "machine: $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ); $(git rev-parse --short HEAD)"
for format in json avro protobuf json_schema; do
  sink="kafka://127.0.0.1:9092?topic_prefix=$tag$format."
  if [ "$format" != json ]; then
    sink="$sink&format=$format&key_format=$format&schema_registry=$registry"
  fi
  "$bin" run --seed 42 --stores 20 --start 2026-11-27T15:00:00Z --until 2026-11-27T16:00:00Z \
    -q --sink "$sink"
  "$py" - "$tag$format." "$format" <<'PY'
import sys, uuid
from confluent_kafka import Consumer
prefix, fmt = sys.argv[1], sys.argv[2]
topics = [prefix + t for t in ("scans", "transactions", "item_changes")]
c = Consumer({"bootstrap.servers": "127.0.0.1:9092", "group.id": str(uuid.uuid4()),
              "auto.offset.reset": "earliest", "enable.auto.commit": False})
c.subscribe(topics)
sizes, idle = {}, 0
while idle < 10:
    m = c.poll(1.0)
    if m is None:
        idle += 1
        continue
    idle = 0
    n, k, v = sizes.get(m.topic(), (0, 0, 0))
    sizes[m.topic()] = (n + 1, k + len(m.key() or b""), v + len(m.value() or b""))
c.close()
for t in topics:
    n, k, v = sizes.get(t, (0, 0, 0))
    if n:
        print(f"format={fmt:<11} topic={t[len(prefix):]:<13} messages={n:<6} key_bytes={k / n:.1f} value_bytes={v / n:.1f}")
PY
done
