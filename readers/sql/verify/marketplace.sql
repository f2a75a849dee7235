-- storesim verify: the marketplace's aggregates from its PostgreSQL landing
-- table (one text column per field).

-- name: counts
SELECT 'listing' AS kind, count(*) AS records FROM listing;

-- name: vendor_listings
SELECT vendor_id, stock_status, count(*) AS listings, sum(stock_qty::bigint) AS stock
FROM listing GROUP BY 1, 2;
