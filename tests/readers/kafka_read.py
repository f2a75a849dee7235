"""Reads topics from the beginning with confluent-kafka (librdkafka's
Python client, independent of storesim) and prints one JSON line per
message: {"topic", "key" (null for none), "timestamp" (ms), "fields" (the
value's field names, in order), "value" (the raw text)}.

    python kafka_read.py BROKERS COUNT TOPIC [TOPIC ...]

Stops after COUNT messages, or after 20 s without one."""
import json
import sys
import time
import uuid

from confluent_kafka import Consumer

brokers, count, topics = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
consumer = Consumer(
    {
        "bootstrap.servers": brokers,
        "group.id": f"storesim-test-{uuid.uuid4()}",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
    }
)
consumer.subscribe(topics)
seen, idle_since = 0, time.monotonic()
while seen < count and time.monotonic() - idle_since < 20:
    m = consumer.poll(1.0)
    if m is None:
        continue
    if m.error():
        raise SystemExit(f"kafka_read: {m.error()}")
    idle_since = time.monotonic()
    key = m.key()
    print(
        json.dumps(
            {
                "topic": m.topic(),
                "key": None if key is None else key.decode(),
                "timestamp": m.timestamp()[1],
                "fields": list(json.loads(m.value())),
                "value": m.value().decode(),
            }
        )
    )
    seen += 1
consumer.close()
