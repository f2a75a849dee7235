-- Scans in storesim's schema (a scenario that does not map them). A void
-- repeats its line's (transaction_id, line) with quantity 0 at a later ts.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_schema = current_schema() AND table_name = 'scans'
                 AND column_name = 'scan_id') THEN
        RAISE EXCEPTION 'the scans table in schema "%" has the Apex layout; use another ?schema= or recreate it with: storesim db init --drop', current_schema();
    END IF;
END
$$;
CREATE TABLE IF NOT EXISTS scans (
    transaction_id  text NOT NULL,
    line            smallint NOT NULL,
    ts              timestamptz NOT NULL,
    store_id        integer NOT NULL,
    register        smallint NOT NULL,
    sku             integer NOT NULL,
    category        integer NOT NULL,
    quantity        integer NOT NULL,
    unit_price      numeric(12,2) NOT NULL,
    discount        numeric(12,2) NOT NULL
);
CREATE INDEX IF NOT EXISTS scans_ts ON scans USING brin (ts);
