"""Reads a files sink's Parquet tree with DuckDB (independent of storesim):
every `part-*.parquet` under DIR, in path order, each file's rows in
order, and prints one JSON line per row: {"kind" (from the kind=K
directory), "value" (the row: decimals as text, times as ISO 8601 text,
structs as objects)}. Hidden (in-progress) files are left out.

    python parquet_rows.py DIR"""
import json
import os
import sys

import duckdb
from plain import plain

root = sys.argv[1]
paths = []
for d, _, files in os.walk(root):
    paths += [os.path.join(d, f) for f in files if f.startswith("part-") and f.endswith(".parquet")]
con = duckdb.connect()
for path in sorted(paths):
    kind = next(p[5:] for p in path.split(os.sep) if p.startswith("kind="))
    cur = con.execute("SELECT * FROM read_parquet(?, hive_partitioning = false)", [path])
    names = [c[0] for c in cur.description]
    for row in cur.fetchall():
        print(json.dumps({"kind": kind, "value": plain(dict(zip(names, row)))}))
