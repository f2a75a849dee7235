"""Runs SQL in DuckDB (an in-memory database) and prints each result row
as a JSON array; `DESCRIBE` gives column names and types.

    python duck.py 'SQL' ['SQL' ...]

Each statement's rows follow a line `-- N` (its position)."""
import json
import sys

import duckdb

con = duckdb.connect()
for i, sql in enumerate(sys.argv[1:]):
    print(f"-- {i}")
    for row in con.execute(sql).fetchall():
        print(json.dumps([v if isinstance(v, (int, float, str, bool, type(None))) else str(v) for v in row]))
