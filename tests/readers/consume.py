"""The readers' Kafka consumer (confluent-kafka, librdkafka's Python
client, independent of storesim): the messages of TOPICS from the
beginning, until COUNT of them or 20 s without one."""
import time
import uuid

from confluent_kafka import Consumer


def messages(brokers, count, topics):
    consumer = Consumer({
        "bootstrap.servers": brokers,
        "group.id": f"storesim-test-{uuid.uuid4()}",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
    })
    consumer.subscribe(topics)
    seen, idle_since = 0, time.monotonic()
    try:
        while seen < count and time.monotonic() - idle_since < 20:
            m = consumer.poll(1.0)
            if m is None:
                continue
            if m.error():
                raise SystemExit(f"consume: {m.error()}")
            idle_since = time.monotonic()
            seen += 1
            yield m
    finally:
        consumer.close()
