"""Checks Protobuf files with protoc (grpcio-tools) and JSON Schemas with
jsonschema's draft-07 meta-schema (both independent of storesim), and
prints, per file, one JSON line: {"name", "fields": {name: type}} where a
Protobuf type is protoc's (`int64`, `optional string`, `message
google.protobuf.Timestamp`) and a JSON Schema's is its `type` (or
`null|T` for a oneOf with null).

    python proto_json_schema.py protobuf|json_schema FILE [FILE ...]"""
import importlib
import json
import os
import sys

fmt, paths = sys.argv[1], sys.argv[2:]

TYPES = {1: "double", 3: "int64", 5: "int32", 8: "bool", 9: "string", 11: "message"}


def proto(path):
    from grpc_tools import protoc
    import grpc_tools
    folder, name = os.path.split(os.path.abspath(path))
    include = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    if protoc.main(["protoc", f"-I{folder}", f"-I{include}", f"--python_out={folder}", name]) != 0:
        raise SystemExit(f"protoc failed on {path}")
    sys.path.insert(0, folder)
    module = importlib.import_module(name[:-len(".proto")] + "_pb2")
    first = list(module.DESCRIPTOR.message_types_by_name.values())[0]
    fields = {}
    for f in first.fields:
        t = TYPES.get(f.type, str(f.type))
        if f.message_type is not None:
            t = f"message {f.message_type.full_name}"
        elif f.has_presence:
            t = f"optional {t}"
        fields[f.name] = t
    return {"name": first.full_name, "fields": fields}


def json_schema(path):
    import jsonschema
    with open(path) as f:
        schema = json.load(f)
    jsonschema.Draft7Validator.check_schema(schema)

    def describe(p):
        if "oneOf" in p:
            return "|".join(describe(x) for x in p["oneOf"])
        return p["type"]
    return {"name": schema["title"],
            "fields": {k: describe(v) for k, v in schema["properties"].items()},
            "required": schema["required"]}


for path in paths:
    print(json.dumps(proto(path) if fmt == "protobuf" else json_schema(path)))
