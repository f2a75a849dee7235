-- `storesim db init --keys` on storesim's scans (see keys.sql). A void
-- repeats its line's id at a later time.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint
                   WHERE conrelid = 'scans'::regclass AND contype = 'p') THEN
        ALTER TABLE scans ADD PRIMARY KEY (transaction_id, line, ts);
    END IF;
END
$$;
