-- storesim's PostgreSQL schema. Idempotent: every statement creates only
-- what is missing. `storesim db init` runs it with search_path set to the
-- target schema (default `storesim`); so does every run of the sink.

-- Tables of an older storesim (text event ids as keys, numbered batches)
-- are not changed in place: say so instead of failing at the first COPY.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_schema = current_schema()
                 AND table_name = 'storesim_batches' AND column_name = 'batch') THEN
        RAISE EXCEPTION 'the tables in schema "%" were created by an older storesim; recreate them with: storesim db init --drop', current_schema();
    END IF;
END
$$;

-- Dimensions: loaded once per run (upserted from the scenario's catalog).
CREATE TABLE IF NOT EXISTS stores (
    store_id        integer PRIMARY KEY,
    address         text NOT NULL,
    city            text NOT NULL,
    state           char(2) NOT NULL,
    zipcode         text NOT NULL,
    latitude        double precision NOT NULL,
    longitude       double precision NOT NULL,
    time_zone       text NOT NULL,
    size_class      text NOT NULL,
    registers       smallint NOT NULL,
    self_checkouts  smallint NOT NULL,
    tax_rate        numeric(6,4) NOT NULL
);

CREATE TABLE IF NOT EXISTS item_categories (
    category_code         integer PRIMARY KEY,
    category_name         text NOT NULL,
    category_description  text NOT NULL,
    taxable               boolean NOT NULL
);

CREATE TABLE IF NOT EXISTS item_master (
    item_id        integer PRIMARY KEY,
    item_upc       bigint NOT NULL UNIQUE,
    category_code  integer NOT NULL REFERENCES item_categories (category_code),
    item_name      text NOT NULL,
    brand          text NOT NULL,
    item_price     numeric(12,2) NOT NULL CHECK (item_price >= 0),
    item_cost      numeric(12,2) NOT NULL CHECK (item_cost >= 0),
    repl_qty       integer NOT NULL,
    popularity     smallint NOT NULL,
    member_price   boolean NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS item_master_category ON item_master (category_code);

-- Facts: appended with binary COPY, one transaction per batch, and never
-- updated. They carry the same ids as the other sinks' events (a scan's
-- event_id is transaction_id || '-' || lpad(line::text, 3, '0')), but no
-- primary keys: a B-tree updated row by row costs about two thirds of the
-- COPY rate on a 2-core machine. The batch ledger below keeps them free of
-- duplicates instead; `storesim db init --keys` adds the primary keys and
-- the per-store index for whoever prefers enforced keys to speed. BRIN
-- indexes on the event time cost nearly nothing, since rows arrive in time
-- order. No foreign keys to the dimensions: an item deleted from the item
-- master keeps its history of scans. The scans table comes from
-- scans.sql (storesim's schema) or scans_apex.sql (the Apex demo's).
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

-- The batches written. `stream` names what determines the events (the
-- scenario's digest, seed, stores, items and span), so a batch retried
-- after a lost connection (its commit may or may not have landed) and a
-- rerun of the same seed skip the spans of virtual time already written.
CREATE TABLE IF NOT EXISTS storesim_batches (
    stream        text NOT NULL,
    window_start  timestamptz NOT NULL,
    window_end    timestamptz NOT NULL,
    run_id        text NOT NULL,
    events        bigint NOT NULL,
    written_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (stream, window_start, window_end)
);
