"""Reads Avro topics from the beginning with confluent-kafka's consumer and
its schema-registry AvroDeserializer (fastavro underneath; independent of
storesim), and prints one JSON line per message: {"topic", "key",
"schema_id" (from the wire format's header), "value" (the decoded record,
decimals as text, times as ISO 8601 text)}.

    python avro_read.py BROKERS REGISTRY COUNT TOPIC [TOPIC ...]

Stops after COUNT messages, or after 20 s without one."""
import datetime
import decimal
import json
import struct
import sys

from consume import messages
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext

brokers, registry, count, topics = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
deserializer = AvroDeserializer(SchemaRegistryClient({"url": registry}))


def plain(v):
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, decimal.Decimal):
        return str(v)
    if isinstance(v, (datetime.datetime, datetime.date)):
        return v.isoformat()
    return v


for m in messages(brokers, count, topics):
    raw = m.value()
    magic, schema_id = struct.unpack(">bI", raw[:5])
    if magic != 0:
        raise SystemExit(f"avro_read: magic byte {magic}")
    value = deserializer(raw, SerializationContext(m.topic(), MessageField.VALUE))
    key = m.key()
    print(json.dumps({
        "topic": m.topic(),
        "key": None if key is None else key.decode(),
        "schema_id": schema_id,
        "value": plain(value),
    }))
