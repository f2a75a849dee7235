-- storesim's PostgreSQL schema. Idempotent: every statement creates only
-- what is missing. `storesim db init` runs it with search_path set to the
-- target schema (default `storesim`); so does every run of the sink. The
-- tables of a scenario's kinds come after it: dimensions.sql for a model
-- with an item master, transactions.sql and scans.sql for the chain's
-- typed facts, and a landing table per other kind (or mapped kind).

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
