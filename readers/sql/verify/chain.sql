-- storesim verify: the chain scenario's reference aggregates, recomputed
-- from storesim's PostgreSQL tables (`storesim run --sink postgres://...`).
--
-- `storesim verify --manifest FILE --postgres URL` runs these queries with
-- search_path set to the URL's schema and compares their rows with the
-- manifest. To check your own warehouse, copy this file, keep each query's
-- `-- name:` line and output columns, rewrite the FROM clauses for your
-- tables, and pass it with `--query-file`. A query left out is a check
-- skipped. Columns are read by name; money is a numeric (two decimals).
--
-- The semantics, as in the manifest: each scan line counts in its final
-- version (the latest ts for its transaction_id and line; a void, quantity
-- 0, cancels the line), each receipt once; `day` is the store's local
-- business date (the middle of transaction_id), `hour` the local hour of
-- the event in the store's time zone; `scan_rows` and `scan_amount` count
-- every scan row as landed, duplicates included.

-- name: counts
SELECT 'scan' AS kind, count(*) AS records FROM scans
UNION ALL
SELECT 'transaction', count(*) FROM transactions;

-- name: store_days
WITH final AS (
    SELECT DISTINCT ON (transaction_id, line)
           transaction_id, store_id, quantity, quantity * unit_price - discount AS net
    FROM scans
    ORDER BY transaction_id, line, ts DESC
), lines AS (
    SELECT store_id, split_part(transaction_id, '-', 2) AS yyyymmdd,
           count(*) FILTER (WHERE quantity > 0) AS lines, sum(net) AS net_sales
    FROM final GROUP BY 1, 2
), landed AS (
    SELECT store_id, split_part(transaction_id, '-', 2) AS yyyymmdd,
           count(*) AS scan_rows, sum(quantity * unit_price - discount) AS scan_amount
    FROM scans GROUP BY 1, 2
), receipts AS (
    SELECT store_id, split_part(transaction_id, '-', 2) AS yyyymmdd,
           count(DISTINCT transaction_id) AS transactions
    FROM transactions GROUP BY 1, 2
)
SELECT store_id,
       to_char(to_date(yyyymmdd, 'YYYYMMDD'), 'YYYY-MM-DD') AS day,
       coalesce(transactions, 0) AS transactions,
       coalesce(lines, 0) AS lines,
       coalesce(net_sales, 0) AS net_sales,
       coalesce(scan_rows, 0) AS scan_rows,
       coalesce(scan_amount, 0) AS scan_amount
FROM landed FULL JOIN lines USING (store_id, yyyymmdd) FULL JOIN receipts USING (store_id, yyyymmdd);

-- name: hours
WITH final AS (
    SELECT DISTINCT ON (transaction_id, line)
           store_id, ts, quantity * unit_price - discount AS net
    FROM scans
    ORDER BY transaction_id, line, ts DESC
), sales AS (
    SELECT to_char(f.ts AT TIME ZONE s.time_zone, 'YYYY-MM-DD') AS day,
           extract(hour FROM f.ts AT TIME ZONE s.time_zone)::int AS hour,
           sum(f.net) AS net_sales
    FROM final f JOIN stores s USING (store_id) GROUP BY 1, 2
), receipts AS (
    SELECT to_char(r.ts AT TIME ZONE s.time_zone, 'YYYY-MM-DD') AS day,
           extract(hour FROM r.ts AT TIME ZONE s.time_zone)::int AS hour,
           count(*) AS transactions
    FROM (SELECT DISTINCT ON (transaction_id) store_id, ts FROM transactions
          ORDER BY transaction_id) r
    JOIN stores s USING (store_id) GROUP BY 1, 2
)
SELECT day, hour, coalesce(transactions, 0) AS transactions, coalesce(net_sales, 0) AS net_sales
FROM sales FULL JOIN receipts USING (day, hour);

-- name: category_days
WITH final AS (
    SELECT DISTINCT ON (transaction_id, line)
           transaction_id, category, quantity, quantity * unit_price - discount AS net
    FROM scans
    ORDER BY transaction_id, line, ts DESC
)
SELECT to_char(to_date(split_part(transaction_id, '-', 2), 'YYYYMMDD'), 'YYYY-MM-DD') AS day,
       category, sum(quantity) AS units, sum(net) AS net_sales
FROM final GROUP BY 1, 2;

-- name: top_items
WITH final AS (
    SELECT DISTINCT ON (transaction_id, line) transaction_id, sku, quantity
    FROM scans
    ORDER BY transaction_id, line, ts DESC
), units AS (
    SELECT to_char(to_date(split_part(transaction_id, '-', 2), 'YYYYMMDD'), 'YYYY-MM-DD') AS day,
           sku, sum(quantity) AS units
    FROM final GROUP BY 1, 2 HAVING sum(quantity) > 0
)
SELECT day, rank, sku, units
FROM (SELECT day, sku, units,
             row_number() OVER (PARTITION BY day ORDER BY units DESC, sku) AS rank
      FROM units) ranked
WHERE rank <= 10;

-- name: basket_sizes
SELECT item_count AS items, count(*) AS transactions
FROM (SELECT DISTINCT ON (transaction_id) item_count FROM transactions ORDER BY transaction_id) r
GROUP BY 1;

-- name: queue_wait
SELECT queue_wait_ms / 1000 AS seconds, count(*) AS transactions
FROM (SELECT DISTINCT ON (transaction_id) queue_wait_ms FROM transactions ORDER BY transaction_id) r
GROUP BY 1;

-- name: queue_wait_percentiles
SELECT percentile_disc(0.50) WITHIN GROUP (ORDER BY queue_wait_ms / 1000) AS p50,
       percentile_disc(0.90) WITHIN GROUP (ORDER BY queue_wait_ms / 1000) AS p90,
       percentile_disc(0.95) WITHIN GROUP (ORDER BY queue_wait_ms / 1000) AS p95,
       percentile_disc(0.99) WITHIN GROUP (ORDER BY queue_wait_ms / 1000) AS p99,
       max(queue_wait_ms) AS max_ms
FROM (SELECT DISTINCT ON (transaction_id) queue_wait_ms FROM transactions ORDER BY transaction_id) r;

-- name: item_master
SELECT count(*) AS items, coalesce(sum(item_price), 0) AS price_sum FROM item_master;
