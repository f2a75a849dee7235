"""Reads a files sink's Avro tree with fastavro (independent of storesim):
every `part-*.avro` under DIR, in path order, and prints one JSON line per
record: {"kind" (from the kind=K directory), "codec" (the file's), "value"
(the record: decimals as text, times as ISO 8601 text)}. Hidden
(in-progress) files are left out.

    python avro_files.py DIR"""
import json
import os
import sys

import fastavro
from plain import plain

root = sys.argv[1]
paths = []
for d, _, files in os.walk(root):
    paths += [os.path.join(d, f) for f in files if f.startswith("part-") and f.endswith(".avro")]
for path in sorted(paths):
    kind = next(p[5:] for p in path.split(os.sep) if p.startswith("kind="))
    with open(path, "rb") as f:
        reader = fastavro.reader(f)
        for record in reader:
            print(json.dumps({"kind": kind, "codec": reader.codec, "value": plain(record)}))
