-- syncguard, version 2: a bucket's hash is the 64-bit wrapped sum of its rows' canonical hashes, each mixed first
-- (h XOR hashint8extended(h, 0), see RowHashes). Version 1 summed the row hashes as they were; since a row hash
-- combines its columns linearly, that sum could not tell two rows of one bucket that swapped a column's values.
--
-- Catalogs computed under version 1 hold the old sums: forgetting every sweep makes the worker sweep each table
-- again, and verify reports the tables as not swept until it has.

DELETE FROM syncguard.sweep_state;
