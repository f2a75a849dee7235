"""Reads topics in a schema registry's wire format from the beginning with
confluent-kafka's consumer and its schema-registry deserializers
(independent of storesim): AvroDeserializer (fastavro), ProtobufDeserializer
(over classes protoc compiles from the schema the registry holds) or
JSONDeserializer (which validates each document against its JSON Schema).
Prints one JSON line per message: {"topic", "key", "schema_id" (from the
wire format's header; null for a tombstone), "value" (the decoded record:
decimals as text, times as ISO 8601 text, absent optional fields as null;
null for a tombstone)}. With --key-format, keys are decoded the same way
(and "key_schema_id" printed); else they are text.

    python registry_read.py [--key-format FORMAT] FORMAT BROKERS REGISTRY COUNT TOPIC [TOPIC ...]

Stops after COUNT messages, or after 20 s without one."""
import datetime
import importlib
import io
import json
import os
import struct
import subprocess
import sys
import tempfile

from consume import messages
from plain import plain
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.schema_registry.json_schema import JSONDeserializer
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext

args = sys.argv[1:]
key_fmt = None
if args[0] == "--key-format":
    key_fmt, args = args[1], args[2:]
fmt, brokers, registry = args[0], args[1], args[2]
count, topics = int(args[3]), args[4:]
client = SchemaRegistryClient({"url": registry})




# Protobuf: one module per schema id, compiled by protoc (grpcio-tools).
PROTO_DIR = tempfile.mkdtemp(prefix="registry_read_")
sys.path.insert(0, PROTO_DIR)
modules = {}


def proto_module(schema_id):
    if schema_id not in modules:
        from grpc_tools import protoc
        import grpc_tools
        name = f"s{schema_id}"
        with open(os.path.join(PROTO_DIR, name + ".proto"), "w") as f:
            f.write(client.get_schema(schema_id).schema_str)
        include = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
        rc = protoc.main(["protoc", f"-I{PROTO_DIR}", f"-I{include}",
                          f"--python_out={PROTO_DIR}", name + ".proto"])
        if rc != 0:
            raise SystemExit(f"registry_read: protoc failed on schema {schema_id}")
        modules[schema_id] = importlib.import_module(name + "_pb2")
    return modules[schema_id]


def varint(buf):
    shift, out = 0, 0
    while True:
        b = buf.read(1)[0]
        out |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return (out >> 1) ^ -(out & 1)  # zig-zag


def proto_plain(msg):
    out = {}
    for field in msg.DESCRIPTOR.fields:
        value = getattr(msg, field.name)
        if field.message_type is not None:
            if not msg.HasField(field.name):
                out[field.name] = None
            elif field.message_type.full_name == "google.protobuf.Timestamp":
                out[field.name] = value.ToDatetime(tzinfo=datetime.timezone.utc).isoformat()
            else:
                out[field.name] = proto_plain(value)
        elif field.has_presence and not msg.HasField(field.name):
            out[field.name] = None
        else:
            out[field.name] = value
    return out


avro = AvroDeserializer(client)
jsons = JSONDeserializer(None, schema_registry_client=client)
protos = {}



def decode(fmt, raw, ctx):
    """The schema id and the decoded record of a message's key or value."""
    magic, schema_id = struct.unpack(">bI", raw[:5])
    if magic != 0:
        raise SystemExit(f"registry_read: magic byte {magic}")
    if fmt == "avro":
        return schema_id, plain(avro(raw, ctx))
    if fmt == "json_schema":
        return schema_id, jsons(raw, ctx)
    if fmt == "protobuf":
        buf = io.BytesIO(raw[5:])
        n = varint(buf)
        indexes = [varint(buf) for _ in range(n)] if n else [0]
        module = proto_module(schema_id)
        cls = list(module.DESCRIPTOR.message_types_by_name.values())[indexes[0]]
        key = (schema_id, indexes[0])
        if key not in protos:
            protos[key] = ProtobufDeserializer(getattr(module, cls.name),
                                               {"use.deprecated.format": False})
        return schema_id, proto_plain(protos[key](raw, ctx))
    raise SystemExit(f"registry_read: unknown format {fmt}")


for m in messages(brokers, count, topics):
    raw = m.value()
    schema_id, value = None, None
    if raw is not None:
        schema_id, value = decode(fmt, raw, SerializationContext(m.topic(), MessageField.VALUE))
    line = {"topic": m.topic(), "schema_id": schema_id, "value": value}
    key = m.key()
    if key is None or key_fmt is None:
        line["key"] = None if key is None else key.decode()
    else:
        line["key_schema_id"], line["key"] = decode(
            key_fmt, key, SerializationContext(m.topic(), MessageField.KEY))
    print(json.dumps(line))
