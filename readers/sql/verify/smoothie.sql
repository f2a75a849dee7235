-- storesim verify: the smoothie bar's aggregates, recomputed from its
-- PostgreSQL landing tables (one text column per field). Every record
-- counts, duplicates included; `day` is the date of the record's time.
-- See chain.sql for how verify runs these queries.

-- name: counts
SELECT 'product' AS kind, count(*) AS records FROM product
UNION ALL SELECT 'purchase', count(*) FROM purchase
UNION ALL SELECT 'inventory', count(*) FROM inventory
UNION ALL SELECT 'lost_sale', count(*) FROM lost_sale;

-- name: product_days
SELECT left(transaction_time, 10) AS day, product_id, count(*) AS purchases,
       sum(quantity::int) AS units, sum(total_purchase::numeric(12,2)) AS revenue
FROM purchase GROUP BY 1, 2;

-- name: member_days
SELECT left(transaction_time, 10) AS day, is_member, add_supplements, count(*) AS purchases,
       sum(total_purchase::numeric(12,2)) AS revenue
FROM purchase GROUP BY 1, 2, 3;

-- name: restocks
SELECT left(event_time, 10) AS day, product_id, count(*) AS restocks,
       sum(stock_quantity::int) AS units
FROM inventory GROUP BY 1, 2;

-- name: lost_sales
SELECT left(event_time, 10) AS day, product_id, count(*) AS lost_sales,
       sum(quantity::int) AS units
FROM lost_sale GROUP BY 1, 2;
