-- syncguard, version 3: a row's hash is the XOR of each column's own extended hash function, seeded with the
-- column's position by name, instead of hash_record_extended over ROW(...) of the columns, and row hashes are
-- summed without version 2's mixing, which XOR-combined column hashes do not need (see RowHashes). The worker
-- builds that expression itself, so syncguard.row_hash_expression goes. Bucket layouts (which bucket a key
-- falls in) do not change, so registrations and triggers stay as they are.
--
-- Catalogs computed under version 2 hold the old sums: forgetting every sweep makes the worker sweep each table
-- again, and verify reports the tables as not swept until it has.

DROP FUNCTION IF EXISTS syncguard.row_hash_expression(regclass, text);
DELETE FROM syncguard.sweep_state;
