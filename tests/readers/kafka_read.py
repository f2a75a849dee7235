"""Reads topics from the beginning with confluent-kafka (librdkafka's
Python client, independent of storesim) and prints one JSON line per
message: {"topic", "key" (null for none), "timestamp" (ms), "fields" (the
value's field names, in order), "value" (the raw text); "fields" and
"value" null for a tombstone}.

    python kafka_read.py BROKERS COUNT TOPIC [TOPIC ...]

Stops after COUNT messages, or after 20 s without one."""
import json
import sys

from consume import messages

brokers, count, topics = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
for m in messages(brokers, count, topics):
    key = m.key()
    print(
        json.dumps(
            {
                "topic": m.topic(),
                "key": None if key is None else key.decode(),
                "timestamp": m.timestamp()[1],
                "fields": None if m.value() is None else list(json.loads(m.value())),
                "value": None if m.value() is None else m.value().decode(),
            }
        )
    )
