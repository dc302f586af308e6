-- syncguard, version 1: the catalog of registered tables, the bucket catalog, the dirty-bucket log and the
-- registration functions. Run by GuardSchema in one transaction, after it created the schema and
-- syncguard.guard_version.
--
-- Invariants the worker and verify rely on:
--  * A bucket's catalog row (bucket_catalog) is the row count and the 64-bit wrapped sum of the canonical row
--    hashes of the rows in that bucket, as of last_computed_at; an empty bucket has no row.
--  * Every committed change to a registered table leaves at least one dirty_buckets row for each bucket it
--    touched, until a worker has recomputed that bucket from a snapshot that sees the change. dirty_buckets is an
--    append-only log (no unique key): a writer never updates or waits on another writer's row, and the oldest row
--    of a bucket keeps its age until the bucket is recomputed.
--  * bucket_catalog, dirty_buckets and sweep_state are UNLOGGED: a crash empties all three together, and a table
--    without a sweep_state row is swept again from scratch, so the catalog is rebuilt rather than trusted.

CREATE TABLE syncguard.monitored_tables (
    table_id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    relid oid NOT NULL UNIQUE,
    schema_name text NOT NULL,
    table_name text NOT NULL,
    key_columns text[] NOT NULL,
    -- 'range': a single integer key, bucket = floor(key / bucket_size); 'hash': any other key, bucket =
    -- hash(key) mod bucket_count. Exactly one of bucket_size and bucket_count is set.
    bucket_mode text NOT NULL CHECK (bucket_mode IN ('range', 'hash')),
    bucket_size bigint CHECK (bucket_size > 0),
    bucket_count integer CHECK (bucket_count > 0),
    registered_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (schema_name, table_name),
    CHECK ((bucket_mode = 'range') = (bucket_size IS NOT NULL)),
    CHECK ((bucket_mode = 'hash') = (bucket_count IS NOT NULL))
);

CREATE UNLOGGED TABLE syncguard.bucket_catalog (
    table_id integer NOT NULL,
    bucket_id bigint NOT NULL,
    row_count bigint NOT NULL,
    bucket_hash bigint NOT NULL,
    last_computed_at timestamptz NOT NULL,
    PRIMARY KEY (table_id, bucket_id)
);

CREATE UNLOGGED TABLE syncguard.dirty_buckets (
    table_id integer NOT NULL,
    bucket_id bigint NOT NULL,
    dirty_since timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dirty_buckets_bucket ON syncguard.dirty_buckets (table_id, bucket_id);

-- A table's row here means its catalog is complete as of swept_at for the columns in column_fingerprint; the
-- worker sweeps a table again when the row is missing (new registration, crash) or the columns changed.
CREATE UNLOGGED TABLE syncguard.sweep_state (
    table_id integer PRIMARY KEY,
    column_fingerprint text NOT NULL,
    column_names text[] NOT NULL,
    swept_at timestamptz NOT NULL
);

CREATE UNLOGGED TABLE syncguard.worker_state (
    worker_id text PRIMARY KEY,
    pid integer NOT NULL,
    started_at timestamptz NOT NULL,
    heartbeat_at timestamptz NOT NULL,
    buckets_recomputed bigint NOT NULL DEFAULT 0
);

-- Catalog rows with their dirty state, as verify reads them.
CREATE VIEW syncguard.buckets AS
SELECT m.schema_name, m.table_name, c.bucket_id, c.row_count, c.bucket_hash, c.last_computed_at,
       d.dirty_since IS NOT NULL AS dirty, d.dirty_since
FROM syncguard.monitored_tables m
JOIN syncguard.bucket_catalog c USING (table_id)
LEFT JOIN (SELECT table_id, bucket_id, min(dirty_since) AS dirty_since
           FROM syncguard.dirty_buckets GROUP BY table_id, bucket_id) d USING (table_id, bucket_id);

-- The low 64 bits of an integer as a signed bigint: sums of 64-bit row hashes wrap like unsigned machine
-- arithmetic, so equal multisets of rows give equal sums whatever the order.
CREATE FUNCTION syncguard.wrap64(n numeric) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT (m - CASE WHEN m >= 9223372036854775808 THEN 18446744073709551616 ELSE 0 END)::bigint
    FROM (SELECT mod(mod(n, 18446744073709551616) + 18446744073709551616, 18446744073709551616) AS m) s
$$;

-- Types whose hash function depends on the value alone, never on a setting or a collation (deterministic
-- collations only): bool, bytea, "char", name, int8, int2, int4, text, oid, float4, float8, bpchar, varchar, date,
-- time, timestamp, timestamptz, interval, timetz, numeric, uuid, jsonb, inet, cidr, macaddr. Values of these types
-- are hashed in binary; the integer widths hash alike, as do text and varchar, and equal numerics whatever their
-- scale. Any other type (json, arrays, domains, enums, ...) is hashed through its text form, which depends on
-- settings (TimeZone, DateStyle, IntervalStyle, extra_float_digits, bytea_output, lc_monetary): every session
-- that hashes pins them first.
CREATE FUNCTION syncguard.binary_hashable(type oid) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT type = ANY ('{16,17,18,19,20,21,23,25,26,700,701,1042,1043,1082,1083,1114,1184,1186,1266,1700,2950,3802,869,650,829}'::oid[])
$$;

-- The column of a row as the hash takes it: the value, or its text form (see binary_hashable).
CREATE FUNCTION syncguard.hash_input(alias text, col name, type oid) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT quote_ident(alias) || '.' || quote_ident(col)
           || CASE WHEN syncguard.binary_hashable(type) THEN '' ELSE '::text' END
$$;

-- The 64-bit canonical hash of a row, as an SQL expression over alias: every live column, ordered by name (byte
-- order), combined by hash_record_extended (PostgreSQL 14 and later), so that column order and settings do not
-- change it.
CREATE FUNCTION syncguard.row_hash_expression(rel regclass, alias text) RETURNS text
LANGUAGE sql STABLE STRICT
AS $$
    SELECT 'pg_catalog.hash_record_extended(ROW('
           || string_agg(syncguard.hash_input(alias, a.attname, a.atttypid), ', ' ORDER BY a.attname COLLATE "C")
           || '), 0)'
    FROM pg_catalog.pg_attribute a
    WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped
$$;

-- Names and types of the hashed columns; a change means every bucket of the table must be recomputed.
CREATE FUNCTION syncguard.column_fingerprint(rel regclass) RETURNS text
LANGUAGE sql STABLE STRICT
AS $$
    SELECT md5(string_agg(a.attname || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod), ','
                          ORDER BY a.attname COLLATE "C"))
    FROM pg_catalog.pg_attribute a
    WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped
$$;

CREATE FUNCTION syncguard.column_names(rel regclass) RETURNS text[]
LANGUAGE sql STABLE STRICT
AS $$
    SELECT array_agg(a.attname::text ORDER BY a.attname COLLATE "C")
    FROM pg_catalog.pg_attribute a
    WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped
$$;

-- The primary key's columns of a table, in key order.
CREATE FUNCTION syncguard.primary_key(rel regclass) RETURNS text[]
LANGUAGE sql STABLE STRICT
AS $$
    SELECT array_agg(a.attname::text ORDER BY k.ord)
    FROM pg_catalog.pg_index i
    CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
    WHERE i.indrelid = rel AND i.indisprimary
$$;

-- The bucket of a row, as an SQL expression over alias. Range buckets use floor division, so that -1 is in bucket
-- -1 and not in bucket 0 with the keys 0..size-1. Hash buckets hash the key like a row (row_hash_expression's
-- rules, in key order). Operators and functions are schema-qualified: the expression runs inside SECURITY DEFINER
-- trigger functions, which must not resolve anything through the writer's search_path.
CREATE FUNCTION syncguard.bucket_expression(id integer, alias text) RETURNS text
LANGUAGE plpgsql STABLE STRICT
AS $$
DECLARE
    t syncguard.monitored_tables;
    k text;
BEGIN
    SELECT * INTO t FROM syncguard.monitored_tables WHERE table_id = id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'syncguard: no registered table with id %', id;
    END IF;
    IF t.bucket_mode = 'range' THEN
        k := quote_ident(alias) || '.' || quote_ident(t.key_columns[1]) || '::bigint';
        RETURN format('(CASE WHEN (%1$s OPERATOR(pg_catalog.>=) 0) THEN (%1$s OPERATOR(pg_catalog./) %2$s)'
                      ' ELSE (((%1$s OPERATOR(pg_catalog.+) 1) OPERATOR(pg_catalog./) %2$s) OPERATOR(pg_catalog.-) 1)'
                      ' END)', k, t.bucket_size);
    END IF;
    SELECT string_agg(syncguard.hash_input(alias, a.attname, a.atttypid), ', ' ORDER BY u.o)
    INTO k
    FROM unnest(t.key_columns) WITH ORDINALITY AS u(c, o)
    JOIN pg_catalog.pg_attribute a ON a.attrelid = t.relid AND a.attname = u.c;
    RETURN format('(((pg_catalog.hash_record_extended(ROW(%1$s), 0) OPERATOR(pg_catalog.%%) %2$s)'
                  ' OPERATOR(pg_catalog.+) %2$s) OPERATOR(pg_catalog.%%) %2$s)', k, t.bucket_count);
END
$$;

-- Whether the bucket of the table's rows depends on session settings: a hash layout over a key column hashed in
-- its text form. The trigger function then pins the settings, at a cost to every write.
CREATE FUNCTION syncguard.bucket_needs_settings(id integer) RETURNS boolean
LANGUAGE sql STABLE STRICT
AS $$
    SELECT m.bucket_mode = 'hash' AND EXISTS (
        SELECT 1 FROM unnest(m.key_columns) AS u(c)
        JOIN pg_catalog.pg_attribute a ON a.attrelid = m.relid AND a.attname = u.c
        WHERE NOT syncguard.binary_hashable(a.atttypid))
    FROM syncguard.monitored_tables m WHERE m.table_id = id
$$;

-- True in a logical replication apply or table-sync worker, which fires row triggers but not statement
-- triggers (PostgreSQL docs, "Logical Replication Architecture": "the apply process currently only fires row
-- triggers, not statement triggers"). Cached for the session in a custom setting.
CREATE FUNCTION syncguard.in_apply_worker() RETURNS boolean
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    kind text := pg_catalog.current_setting('syncguard.apply_worker', true);
BEGIN
    IF kind IS NULL OR kind OPERATOR(pg_catalog.=) '' THEN
        SELECT CASE WHEN a.backend_type OPERATOR(pg_catalog.~~) 'logical replication%' THEN 'on' ELSE 'off' END
        INTO kind
        FROM pg_catalog.pg_stat_activity a
        WHERE a.pid OPERATOR(pg_catalog.=) pg_catalog.pg_backend_pid();
        kind := coalesce(kind, 'off');
        PERFORM pg_catalog.set_config('syncguard.apply_worker', kind, false);
    END IF;
    RETURN kind OPERATOR(pg_catalog.=) 'on';
END
$$;

-- (Re)creates the trigger function and the triggers of a registered table. Statement-level triggers with
-- transition tables mark each touched bucket once per statement; a row-level trigger, filtered by WHEN to
-- replica-role sessions, covers the apply worker. All are ENABLE ALWAYS so that they also fire under
-- session_replication_role = replica.
CREATE FUNCTION syncguard.install_triggers(id integer) RETURNS void
LANGUAGE plpgsql
SET client_min_messages = warning
AS $$
DECLARE
    t syncguard.monitored_tables;
    fn text := format('syncguard.%I', 'mark_' || id);
    rel text;
    new_b text := syncguard.bucket_expression(id, 'r');
    row_new text := syncguard.bucket_expression(id, 'new');
    row_old text := syncguard.bucket_expression(id, 'old');
BEGIN
    SELECT * INTO t FROM syncguard.monitored_tables WHERE table_id = id;
    rel := format('%I.%I', t.schema_name, t.table_name);
    -- SECURITY DEFINER: writers need no rights on the syncguard schema. No SET search_path clause, because every
    -- SET clause is paid on each call (about a tenth of a single-row write): instead every operator and function
    -- in the body is schema-qualified. The hash settings are pinned only when a key is hashed in text form.
    EXECUTE format($f$
        CREATE OR REPLACE FUNCTION %1$s() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER
        %6$s
        AS $body$
        BEGIN
            IF TG_LEVEL OPERATOR(pg_catalog.=) 'ROW' THEN
                IF NOT syncguard.in_apply_worker() THEN
                    RETURN NULL;
                END IF;
                IF TG_OP OPERATOR(pg_catalog.<>) 'INSERT' THEN
                    INSERT INTO syncguard.dirty_buckets (table_id, bucket_id) VALUES (%2$s, %5$s);
                END IF;
                IF TG_OP OPERATOR(pg_catalog.=) 'INSERT'
                   OR (TG_OP OPERATOR(pg_catalog.=) 'UPDATE' AND %4$s OPERATOR(pg_catalog.<>) %5$s) THEN
                    INSERT INTO syncguard.dirty_buckets (table_id, bucket_id) VALUES (%2$s, %4$s);
                END IF;
                RETURN NULL;
            END IF;
            IF TG_OP OPERATOR(pg_catalog.=) 'INSERT' THEN
                INSERT INTO syncguard.dirty_buckets (table_id, bucket_id)
                SELECT DISTINCT %2$s, %3$s FROM new_rows r;
            ELSIF TG_OP OPERATOR(pg_catalog.=) 'UPDATE' THEN
                INSERT INTO syncguard.dirty_buckets (table_id, bucket_id)
                SELECT %2$s, b FROM (SELECT %3$s AS b FROM old_rows r UNION SELECT %3$s FROM new_rows r) u;
            ELSIF TG_OP OPERATOR(pg_catalog.=) 'DELETE' THEN
                INSERT INTO syncguard.dirty_buckets (table_id, bucket_id)
                SELECT DISTINCT %2$s, %3$s FROM old_rows r;
            ELSIF TG_OP OPERATOR(pg_catalog.=) 'TRUNCATE' THEN
                INSERT INTO syncguard.dirty_buckets (table_id, bucket_id)
                SELECT c.table_id, c.bucket_id FROM syncguard.bucket_catalog c
                WHERE c.table_id OPERATOR(pg_catalog.=) %2$s;
            END IF;
            RETURN NULL;
        END
        $body$
        $f$, fn, id, new_b, row_new, row_old,
        CASE WHEN syncguard.bucket_needs_settings(id)
             THEN 'SET TimeZone = ''UTC'' SET DateStyle = ''ISO, YMD'' SET IntervalStyle = ''postgres'''
                  ' SET extra_float_digits = 1 SET bytea_output = ''hex'' SET lc_monetary = ''C'''
             ELSE '' END);

    EXECUTE format('DROP TRIGGER IF EXISTS syncguard_ins ON %s', rel);
    EXECUTE format('DROP TRIGGER IF EXISTS syncguard_upd ON %s', rel);
    EXECUTE format('DROP TRIGGER IF EXISTS syncguard_del ON %s', rel);
    EXECUTE format('DROP TRIGGER IF EXISTS syncguard_trunc ON %s', rel);
    EXECUTE format('DROP TRIGGER IF EXISTS syncguard_row ON %s', rel);
    EXECUTE format('CREATE TRIGGER syncguard_ins AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION %s()', rel, fn);
    EXECUTE format('CREATE TRIGGER syncguard_upd AFTER UPDATE ON %s REFERENCING OLD TABLE AS old_rows '
                   'NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION %s()', rel, fn);
    EXECUTE format('CREATE TRIGGER syncguard_del AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION %s()', rel, fn);
    EXECUTE format('CREATE TRIGGER syncguard_trunc AFTER TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION %s()',
                   rel, fn);
    EXECUTE format('CREATE TRIGGER syncguard_row AFTER INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW '
                   'WHEN (pg_catalog.current_setting(''session_replication_role'') = ''replica'') '
                   'EXECUTE FUNCTION %s()', rel, fn);
    EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER syncguard_ins', rel);
    EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER syncguard_upd', rel);
    EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER syncguard_del', rel);
    EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER syncguard_trunc', rel);
    EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER syncguard_row', rel);
END
$$;

-- Registers a table: any primary key. bucket_size (keys per bucket) applies to a single integer key and
-- defaults to 1000 when NULL; any other key is hashed into bucket_count buckets (default 1024). Registering the
-- same table with the same arguments on two databases gives the same bucket layout. Registering again with
-- other arguments changes the layout and starts a new sweep.
CREATE FUNCTION syncguard.register_table(schema_name text, table_name text, bucket_size bigint DEFAULT NULL,
                                         bucket_count integer DEFAULT NULL) RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    rel regclass;
    relkind "char";
    key text[];
    key_type regtype;
    mode text;
    id integer;
BEGIN
    SELECT c.oid, c.relkind INTO rel, relkind
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = register_table.schema_name AND c.relname = register_table.table_name;
    IF rel IS NULL THEN
        RAISE EXCEPTION 'syncguard: table %.% does not exist', quote_ident(schema_name), quote_ident(table_name)
            USING ERRCODE = 'undefined_table', HINT = 'check the schema and table name (they are case-sensitive)';
    END IF;
    IF relkind NOT IN ('r', 'p') THEN
        RAISE EXCEPTION 'syncguard: %.% is not a table', quote_ident(schema_name), quote_ident(table_name)
            USING ERRCODE = 'wrong_object_type';
    END IF;
    key := syncguard.primary_key(rel);
    IF key IS NULL THEN
        RAISE EXCEPTION 'syncguard: table %.% has no primary key', quote_ident(schema_name), quote_ident(table_name)
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'add a primary key: buckets are ranges or hashes of the key';
    END IF;
    IF bucket_size IS NOT NULL AND bucket_size <= 0 THEN
        RAISE EXCEPTION 'syncguard: bucket_size must be positive, not %', bucket_size
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF bucket_count IS NOT NULL AND bucket_count <= 0 THEN
        RAISE EXCEPTION 'syncguard: bucket_count must be positive, not %', bucket_count
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT a.atttypid::regtype INTO key_type
    FROM pg_catalog.pg_attribute a WHERE a.attrelid = rel AND a.attname = key[1];
    IF cardinality(key) = 1 AND key_type IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) THEN
        IF bucket_count IS NOT NULL THEN
            RAISE EXCEPTION 'syncguard: %.% has a single integer key, bucketed by key range: give bucket_size, not bucket_count',
                quote_ident(schema_name), quote_ident(table_name) USING ERRCODE = 'invalid_parameter_value';
        END IF;
        mode := 'range';
        bucket_size := coalesce(bucket_size, 1000);
    ELSE
        IF bucket_size IS NOT NULL THEN
            RAISE EXCEPTION 'syncguard: the key of %.% is not a single integer, so it is hashed into buckets: give bucket_count, not bucket_size',
                quote_ident(schema_name), quote_ident(table_name) USING ERRCODE = 'invalid_parameter_value';
        END IF;
        mode := 'hash';
        bucket_count := coalesce(bucket_count, 1024);
    END IF;

    SELECT m.table_id INTO id FROM syncguard.monitored_tables m WHERE m.relid = rel;
    IF id IS NULL THEN
        INSERT INTO syncguard.monitored_tables (relid, schema_name, table_name, key_columns, bucket_mode,
                                                bucket_size, bucket_count)
        VALUES (rel, register_table.schema_name, register_table.table_name, key, mode,
                CASE WHEN mode = 'range' THEN register_table.bucket_size END,
                CASE WHEN mode = 'hash' THEN register_table.bucket_count END)
        RETURNING table_id INTO id;
    ELSE
        -- Wait for the worker batches and sweeps of this table (they hold this lock, see BucketRecompute), so that
        -- none of them writes buckets of the old layout after the catalog is emptied.
        PERFORM pg_catalog.pg_advisory_xact_lock(1397183044, id);
        UPDATE syncguard.monitored_tables m
        SET key_columns = key, bucket_mode = mode,
            bucket_size = CASE WHEN mode = 'range' THEN register_table.bucket_size END,
            bucket_count = CASE WHEN mode = 'hash' THEN register_table.bucket_count END,
            registered_at = now()
        WHERE m.table_id = id;
        DELETE FROM syncguard.bucket_catalog c WHERE c.table_id = id;
        DELETE FROM syncguard.dirty_buckets d WHERE d.table_id = id;
        DELETE FROM syncguard.sweep_state s WHERE s.table_id = id;
    END IF;
    PERFORM syncguard.install_triggers(id);
    RETURN id;
END
$$;

CREATE FUNCTION syncguard.unregister_table(schema_name text, table_name text) RETURNS boolean
LANGUAGE plpgsql
SET client_min_messages = warning
AS $$
DECLARE
    t syncguard.monitored_tables;
BEGIN
    SELECT * INTO t FROM syncguard.monitored_tables m
    WHERE m.schema_name = unregister_table.schema_name AND m.table_name = unregister_table.table_name;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    PERFORM pg_catalog.pg_advisory_xact_lock(1397183044, t.table_id);
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_class WHERE oid = t.relid) THEN
        EXECUTE format('DROP TRIGGER IF EXISTS syncguard_ins ON %s', t.relid::regclass);
        EXECUTE format('DROP TRIGGER IF EXISTS syncguard_upd ON %s', t.relid::regclass);
        EXECUTE format('DROP TRIGGER IF EXISTS syncguard_del ON %s', t.relid::regclass);
        EXECUTE format('DROP TRIGGER IF EXISTS syncguard_trunc ON %s', t.relid::regclass);
        EXECUTE format('DROP TRIGGER IF EXISTS syncguard_row ON %s', t.relid::regclass);
    END IF;
    EXECUTE format('DROP FUNCTION IF EXISTS syncguard.%I()', 'mark_' || t.table_id);
    DELETE FROM syncguard.bucket_catalog c WHERE c.table_id = t.table_id;
    DELETE FROM syncguard.dirty_buckets d WHERE d.table_id = t.table_id;
    DELETE FROM syncguard.sweep_state s WHERE s.table_id = t.table_id;
    DELETE FROM syncguard.monitored_tables m WHERE m.table_id = t.table_id;
    RETURN true;
END
$$;
