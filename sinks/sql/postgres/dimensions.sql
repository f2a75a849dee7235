-- The dimensions of a model with an item master (see schema.sql).

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

