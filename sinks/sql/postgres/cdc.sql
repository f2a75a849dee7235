-- `storesim db init --cdc`: full before-images of item_master rows in the
-- WAL, and a publication for pgoutput consumers (Debezium, Fivetran, ...).
-- The server needs wal_level = logical (scripts/postgres.sh sets it).
-- `{{schema}}` is replaced by the target schema.
ALTER TABLE item_master REPLICA IDENTITY FULL;
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_publication WHERE pubname = '{{schema}}_item_master') THEN
        CREATE PUBLICATION {{schema}}_item_master FOR TABLE item_master;
    END IF;
END $$;
