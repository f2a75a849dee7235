-- `storesim db init --keys`: enforced keys on the facts, and the index for
-- per-store queries. Idempotent. Each row then costs a B-tree insert per
-- index: the COPY path runs at about a third of its rate without them.
-- This part is for transactions; keys_scans.sql for scans.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint
                   WHERE conrelid = 'transactions'::regclass AND contype = 'p') THEN
        ALTER TABLE transactions ADD PRIMARY KEY (transaction_id);
    END IF;
END
$$;
CREATE INDEX IF NOT EXISTS transactions_store_ts ON transactions (store_id, ts);
