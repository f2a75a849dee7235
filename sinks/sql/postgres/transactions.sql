-- Facts: appended with binary COPY, one transaction per batch, and never
-- updated. They carry the same ids as the other sinks' events (a scan's
-- event_id is transaction_id || '-' || lpad(line::text, 3, '0')), but no
-- primary keys: a B-tree updated row by row costs about two thirds of the
-- COPY rate on a 2-core machine. The batch ledger keeps them free of
-- duplicates instead; `storesim db init --keys` adds the primary keys and
-- the per-store index for whoever prefers enforced keys to speed. BRIN
-- indexes on the event time cost nearly nothing, since rows arrive in time
-- order. No foreign keys to the dimensions: an item deleted from the item
-- master keeps its history of scans. The batch ledger is in schema.sql.
CREATE TABLE IF NOT EXISTS transactions (
    transaction_id  text NOT NULL,
    ts              timestamptz NOT NULL,
    store_id        integer NOT NULL,
    register        smallint NOT NULL,
    customer_id     bigint,
    start_ts        timestamptz NOT NULL,
    end_ts          timestamptz NOT NULL,
    line_count      integer NOT NULL,
    item_count      integer NOT NULL,
    subtotal        numeric(12,2) NOT NULL,
    discount        numeric(12,2) NOT NULL,
    tax             numeric(12,2) NOT NULL,
    total           numeric(12,2) NOT NULL,
    payment_method  text NOT NULL,
    queue_wait_ms   integer NOT NULL
);
CREATE INDEX IF NOT EXISTS transactions_ts ON transactions USING brin (ts);

