"""DuckDB's time for the README's Lakehouse query (net sales by date and
store) over a files sink's tree: Parquet or zstd JSON lines. Prints the
rows' count and the median of RUNS timed runs (default 3).

    python benches/lake_query.py DIR parquet|json [RUNS]

DuckDB from the readers' venv: `$(bash scripts/python.sh bin) benches/lake_query.py ...`."""
import statistics
import sys
import time

import duckdb

root, kind = sys.argv[1], sys.argv[2]
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
source = {
    "parquet": f"read_parquet('{root}/kind=scan/*/*.parquet', hive_partitioning = true)",
    "json": f"read_json_auto('{root}/kind=scan/*/*.jsonl.zst', hive_partitioning = true)",
}[kind]
sql = f"""SELECT date, store_id, sum(unit_price * quantity - discount) AS net
FROM {source} GROUP BY ALL ORDER BY ALL"""
con = duckdb.connect()
times = []
for _ in range(runs):
    t = time.perf_counter()
    rows = len(con.execute(sql).fetchall())
    times.append(time.perf_counter() - t)
print(f"{kind}: {rows} rows, median {statistics.median(times):.2f} s of {runs} runs ({', '.join(f'{x:.2f}' for x in times)})")
