-- storesim verify: the web shop's aggregates from its PostgreSQL landing
-- tables (one text column per field). Every record counts, duplicates
-- included. `requests_by_device` needs the scenario's user-agent table;
-- add a query for it to a copy of this file to check it.

-- name: counts
SELECT 'web_purchase' AS kind, count(*) AS records FROM web_purchase
UNION ALL SELECT 'request', count(*) FROM request;

-- name: sales_days
SELECT left(ts, 10) AS day, count(*) AS purchases, sum(items::int) AS items,
       sum(amount::numeric(12,2)) AS amount
FROM web_purchase GROUP BY 1;

-- name: requests_by_status
SELECT left(ts, 10) AS day, status, count(*) AS requests FROM request GROUP BY 1, 2;
