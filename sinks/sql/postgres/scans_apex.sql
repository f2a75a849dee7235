-- Scans in the Apex demo's schema (`storesim run --schema apex`). A void
-- repeats its scan_id with unit_qty 0 at a later scan_datetime.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_schema = current_schema() AND table_name = 'scans'
                 AND column_name = 'transaction_id') THEN
        RAISE EXCEPTION 'the scans table in schema "%" has the storesim layout; use another ?schema= or recreate it with: storesim db init --drop --schema apex', current_schema();
    END IF;
END
$$;
CREATE TABLE IF NOT EXISTS scans (
    scan_id         text NOT NULL,
    store_id        integer NOT NULL,
    scan_datetime   timestamptz NOT NULL,
    item_upc        bigint NOT NULL,
    unit_qty        integer NOT NULL,
    unit_price      numeric(12,2) NOT NULL
);
CREATE INDEX IF NOT EXISTS scans_scan_datetime ON scans USING brin (scan_datetime);
