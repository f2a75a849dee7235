"""Parses Avro schemas with fastavro (independent of storesim) and prints,
per file, one JSON line: {"name", "fields": [[name, type], ...]} where a
type is fastavro's parsed form (a logical type as "long/timestamp-millis").

    python avro_schema.py FILE [FILE ...]"""
import json
import sys

import fastavro


def describe(t):
    if isinstance(t, list):
        return [describe(x) for x in t]
    if isinstance(t, dict):
        if "logicalType" in t:
            return f'{t["type"]}/{t["logicalType"]}'
        if t.get("type") == "record":
            return "record"
        return describe(t["type"])
    return t


for path in sys.argv[1:]:
    with open(path) as f:
        parsed = fastavro.parse_schema(json.load(f))
    print(json.dumps({
        "name": parsed["name"],
        "fields": [[fl["name"], describe(fl["type"])] for fl in parsed["fields"]],
    }))
