-- storesim verify: the widget retailer's aggregates from its PostgreSQL
-- landing tables (one text column per field, dirty values as written).

-- name: counts
SELECT 'ecom_customer' AS kind, count(*) AS records FROM ecom_customer
UNION ALL SELECT 'ecom_order', count(*) FROM ecom_order
UNION ALL SELECT 'ecom_order_line', count(*) FROM ecom_order_line
UNION ALL SELECT 'pos_store', count(*) FROM pos_store
UNION ALL SELECT 'pos_sale', count(*) FROM pos_sale
UNION ALL SELECT 'inv_product', count(*) FROM inv_product
UNION ALL SELECT 'inv_supplier', count(*) FROM inv_supplier
UNION ALL SELECT 'inv_movement', count(*) FROM inv_movement
UNION ALL SELECT 'dirty_label', count(*) FROM dirty_label;

-- name: dirty_records
SELECT system, record_kind, defect, count(*) AS records FROM dirty_label GROUP BY 1, 2, 3;

-- name: ecom_orders
SELECT left(ts, 10) AS day, coalesce(status, '') AS status, count(*) AS orders
FROM ecom_order GROUP BY 1, 2;

-- name: pos_sales
SELECT coalesce(store_code, '') AS store_code, count(*) AS sales FROM pos_sale GROUP BY 1;
