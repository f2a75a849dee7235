-- `storesim db init --drop`: removes storesim's tables (and the CDC
-- publication) from the target schema before creating them again.
-- `{{schema}}` is replaced by the target schema.
DROP PUBLICATION IF EXISTS {{schema}}_item_master;
DROP TABLE IF EXISTS scans, transactions, item_master, item_categories, stores, storesim_batches CASCADE;
