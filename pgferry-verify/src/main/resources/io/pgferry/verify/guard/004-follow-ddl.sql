-- syncguard, version 4: registrations follow DDL on their tables. A registered table's trigger function names its
-- key columns and hashes them by type; renaming or retyping a key column left that function naming what no longer
-- exists, and every write to the table failed. Two event triggers keep them in step (PostgreSQL docs, "Event
-- Triggers"):
--
-- * after ALTER TABLE (ddl_command_end): a table renamed or moved keeps its registration under its new name; a key
--   whose columns or bucket expression changed (a rename, a type that hashes differently, other key columns) is
--   registered again, which rebuilds the triggers and starts a new sweep of the table; an ALTER TABLE that would
--   leave a registered table without a primary key is refused, with the way out in the hint.
-- * after DROP (sql_drop): a registered table that is dropped is unregistered, so the worker does not look for it.
--
-- Only a superuser may create event triggers: installed by another role, syncguard says so and does not follow DDL
-- (a table must then be unregistered before its key changes). Bucket hashes do not change in this version.

CREATE OR REPLACE FUNCTION syncguard.follow_ddl() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog
AS $$
DECLARE
    t syncguard.monitored_tables;
    now_schema text;
    now_table text;
    key text[];
    installed text;
    range_key boolean;
BEGIN
    -- The ALTER TABLEs that register_table itself runs (ENABLE ALWAYS TRIGGER) come back here: nothing to follow.
    IF current_setting('syncguard.following_ddl', true) = 'on' THEN
        RETURN;
    END IF;
    FOR t IN
        SELECT m.* FROM syncguard.monitored_tables m
        WHERE m.relid IN (SELECT c.objid FROM pg_event_trigger_ddl_commands() c
                          WHERE c.classid = 'pg_catalog.pg_class'::regclass)
    LOOP
        SELECT n.nspname, c.relname INTO now_schema, now_table
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.oid = t.relid;
        IF now_schema IS DISTINCT FROM t.schema_name OR now_table IS DISTINCT FROM t.table_name THEN
            UPDATE syncguard.monitored_tables m SET schema_name = now_schema, table_name = now_table
            WHERE m.table_id = t.table_id;
        END IF;
        key := syncguard.primary_key(t.relid);
        IF key IS NULL THEN
            RAISE EXCEPTION 'syncguard: table %.% is registered for verification and would be left without a primary key',
                quote_ident(now_schema), quote_ident(now_table)
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      HINT = 'unregister it first (pgferry guard unregister, or syncguard.unregister_table), then alter it'
                             ' and register it again';
        END IF;
        SELECT p.prosrc INTO installed FROM pg_proc p
        WHERE p.oid = to_regprocedure(format('syncguard.%I()', 'mark_' || t.table_id));
        IF key IS DISTINCT FROM t.key_columns
           OR installed IS NULL
           OR strpos(installed, syncguard.bucket_expression(t.table_id, 'r')) = 0 THEN
            -- The layout is kept where the new key allows it; else the new key's default layout.
            range_key := cardinality(key) = 1 AND (
                SELECT a.atttypid IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype)
                FROM pg_attribute a WHERE a.attrelid = t.relid AND a.attname = key[1]);
            PERFORM set_config('syncguard.following_ddl', 'on', true);
            PERFORM syncguard.register_table(
                now_schema,
                now_table,
                CASE WHEN range_key AND t.bucket_mode = 'range' THEN t.bucket_size END,
                CASE WHEN NOT range_key AND t.bucket_mode = 'hash' THEN t.bucket_count END);
            PERFORM set_config('syncguard.following_ddl', 'off', true);
            RAISE WARNING 'syncguard: the primary key of %.% changed: its triggers are rebuilt and its buckets swept again',
                quote_ident(now_schema), quote_ident(now_table);
        END IF;
    END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION syncguard.forget_dropped() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog
AS $$
DECLARE
    t syncguard.monitored_tables;
BEGIN
    -- Dropping syncguard's own tables (an uninstall) leaves nothing to look in.
    IF to_regclass('syncguard.monitored_tables') IS NULL THEN
        RETURN;
    END IF;
    FOR t IN
        SELECT m.* FROM syncguard.monitored_tables m
        WHERE m.relid IN (SELECT d.objid FROM pg_event_trigger_dropped_objects() d
                          WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0)
    LOOP
        PERFORM syncguard.unregister_table(t.schema_name, t.table_name);
    END LOOP;
END
$$;

DO $$
BEGIN
    IF (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user) THEN
        DROP EVENT TRIGGER IF EXISTS syncguard_follow_ddl;
        DROP EVENT TRIGGER IF EXISTS syncguard_forget_dropped;
        CREATE EVENT TRIGGER syncguard_follow_ddl ON ddl_command_end WHEN TAG IN ('ALTER TABLE')
            EXECUTE FUNCTION syncguard.follow_ddl();
        CREATE EVENT TRIGGER syncguard_forget_dropped ON sql_drop
            EXECUTE FUNCTION syncguard.forget_dropped();
    ELSE
        RAISE WARNING 'syncguard is installed by a role that is not a superuser, so it cannot follow DDL on registered'
                      ' tables: unregister a table before changing its primary key, and before dropping it';
    END IF;
END
$$;
