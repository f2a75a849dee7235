-- storesim's PostgreSQL schema. Idempotent: every statement creates only
-- what is missing. `storesim db init` runs it with search_path set to the
-- target schema (default `storesim`); so does every run of the sink.

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

-- Facts: appended with binary COPY, one transaction per batch. Their ids
-- are derived (store, local business date, sequence), so the primary keys
-- also reject a batch written twice. No foreign keys to the dimensions:
-- an item deleted from the item master keeps its history of scans.
CREATE TABLE IF NOT EXISTS transactions (
    transaction_id  text PRIMARY KEY,
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
CREATE INDEX IF NOT EXISTS transactions_store_ts ON transactions (store_id, ts);

CREATE TABLE IF NOT EXISTS scans (
    event_id        text PRIMARY KEY,
    ts              timestamptz NOT NULL,
    store_id        integer NOT NULL,
    register        smallint NOT NULL,
    transaction_id  text NOT NULL,
    line            integer NOT NULL,
    sku             integer NOT NULL,
    category        integer NOT NULL,
    quantity        integer NOT NULL,
    unit_price      numeric(12,2) NOT NULL,
    discount        numeric(12,2) NOT NULL
);
CREATE INDEX IF NOT EXISTS scans_ts ON scans (ts);

-- The batches written, so a batch retried after a lost connection (its
-- commit may or may not have landed) is written exactly once.
CREATE TABLE IF NOT EXISTS storesim_batches (
    run_id      text NOT NULL,
    batch       bigint NOT NULL,
    first_ts    timestamptz,
    last_ts     timestamptz,
    events      bigint NOT NULL,
    written_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, batch)
);
