package io.pgferry.verify.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Registration and the dirty-tracking triggers on a real server, with a regression test for each defect of
 * pg-sync-guard that issue #6 lists.
 */
@PgTest
@Tag("verify")
class DirtyTrackingTest {

    /** Issue #6, defect 1: registering with a NULL bucket size silently disabled dirty tracking. */
    @Test
    void aNullBucketSizeMeansTheDefaultAndTracksWrites(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT i, 'v' FROM generate_series(1, 2500) i");
        Guarded.install(db);
        db.execute("SELECT syncguard.register_table('public', 't', NULL)");
        assertThat(db.queryLong("SELECT bucket_size FROM syncguard.monitored_tables"))
                .isEqualTo(1000);
        Guarded.drain(db);
        assertThat(Guarded.catalog(db, "t").keySet()).containsExactly(0L, 1L, 2L);
        db.execute("UPDATE t SET v = 'w' WHERE id = 1500");
        assertThat(Guarded.dirty(db, "t")).containsExactly(1L);
        Guarded.drain(db);
        assertThat(Guarded.dirty(db, "t")).isEmpty();
    }

    /** Issue #6, defect 2: negative keys landed in the wrong bucket (truncation instead of floor division). */
    @Test
    void negativeKeysUseFloorDivision(TestDatabase db) throws Exception {
        long[] keys = {-2001, -1001, -1000, -999, -1, 0, 1, 999, 1000, Long.MIN_VALUE, Long.MAX_VALUE};
        db.execute("CREATE TABLE t (id bigint PRIMARY KEY)");
        for (long k : keys) {
            db.execute("INSERT INTO t VALUES (" + k + ")");
        }
        Guarded.install(db);
        Guarded.register(db, "t", 1000L, null);
        Guarded.drain(db);
        TreeMap<Long, String> catalog = Guarded.catalog(db, "t");
        assertThat(catalog.keySet())
                .containsExactlyInAnyOrderElementsOf(LongStream.of(keys)
                        .map(k -> Math.floorDiv(k, 1000L))
                        .distinct()
                        .boxed()
                        .toList());
        assertThat(catalog.get(-1L)).startsWith("3/"); // -1000, -999, -1
        assertThat(catalog.get(0L)).startsWith("3/"); // 0, 1, 999
        // The triggers agree with the sweep.
        db.execute("DELETE FROM t WHERE id IN (-1, -2001, " + Long.MIN_VALUE + ")");
        assertThat(Guarded.dirty(db, "t")).containsExactly(Math.floorDiv(Long.MIN_VALUE, 1000L), -3L, -1L);
    }

    /** Issue #6, defect 3: a uuid-keyed table made every INSERT fail once registered; only integer keys worked. */
    @Test
    void uuidTextAndCompositeKeysAreHashedIntoBuckets(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE u (id uuid PRIMARY KEY, n int)",
                "CREATE TABLE \"Text Keys\" (k text PRIMARY KEY, n int)",
                "CREATE TABLE c (a int, b text, d timestamptz, n int, PRIMARY KEY (a, b, d))");
        Guarded.install(db);
        db.execute(
                "SELECT syncguard.register_table('public', 'u')",
                "SELECT syncguard.register_table('public', 'Text Keys', NULL, 16)",
                "SELECT syncguard.register_table('public', 'c', NULL, 64)");
        assertThat(db.queryString("SELECT string_agg(bucket_mode || coalesce(bucket_count, 0), ',' ORDER BY table_id)"
                        + " FROM syncguard.monitored_tables"))
                .isEqualTo("hash1024,hash16,hash64");
        db.execute(
                "INSERT INTO u SELECT md5(i::text)::uuid, i FROM generate_series(1, 500) i",
                "INSERT INTO \"Text Keys\" VALUES ('', 1), ('a''b', 2), ('ünï', 3), ('日本', 4)",
                "INSERT INTO c SELECT i % 7, 'k' || i, timestamptz '2026-01-01 00:00+00' + i * interval '1 h', i"
                        + " FROM generate_series(1, 300) i");
        Guarded.drain(db);
        assertThat(Guarded.catalog(db, "u").values().stream()
                        .mapToLong(v -> Long.parseLong(v.split("/")[0]))
                        .sum())
                .isEqualTo(500);
        assertThat(Guarded.catalog(db, "Text Keys").keySet()).allMatch(b -> b >= 0 && b < 16);
        assertThat(Guarded.catalog(db, "c").keySet()).allMatch(b -> b >= 0 && b < 64);
        // A writer's own TimeZone does not move a timestamptz key to another bucket.
        TreeMap<Long, String> before = Guarded.catalog(db, "c");
        try (Connection conn = db.connect();
                Statement st = conn.createStatement()) {
            st.execute("SET TimeZone = 'Pacific/Kiritimati'");
            st.execute("SET IntervalStyle = 'sql_standard'");
            st.execute("UPDATE c SET n = n + 1000 WHERE n = 5");
        }
        Long bucketOf5 = Long.valueOf(db.queryString(
                "SELECT (((hash_record_extended(ROW(a, b, d), 0) % 64) + 64) % 64) FROM c WHERE n = 1005"));
        assertThat(Guarded.dirty(db, "c")).containsExactly(bucketOf5);
        Guarded.drain(db);
        assertThat(Guarded.catalog(db, "c").keySet()).isEqualTo(before.keySet());
    }

    /**
     * Every write pays for the trigger function's SET clauses, so the hash settings are pinned only where a key is
     * hashed in its text form (here a domain over text); no trigger function sets a search_path, its body
     * schema-qualifies everything instead.
     */
    @Test
    void settingsArePinnedOnlyForKeysHashedAsText(TestDatabase db) throws Exception {
        db.execute(
                "CREATE DOMAIN code AS text",
                "CREATE TABLE coded (k code PRIMARY KEY, n int)",
                "CREATE TABLE plain (k uuid PRIMARY KEY, n int)",
                "CREATE TABLE ranged (k int PRIMARY KEY, n int)");
        Guarded.install(db);
        int coded = Guarded.register(db, "coded", null, null);
        int plain = Guarded.register(db, "plain", null, null);
        int ranged = Guarded.register(db, "ranged", null, null);
        assertThat(definition(db, coded)).contains("SET \"TimeZone\" TO 'UTC'").doesNotContain("search_path");
        assertThat(definition(db, plain)).doesNotContain("SET ");
        assertThat(definition(db, ranged)).doesNotContain("SET ");
        try (Connection c = db.connect();
                Statement st = c.createStatement()) {
            // A writer's search_path cannot redirect what the SECURITY DEFINER function calls.
            st.execute("CREATE SCHEMA evil");
            st.execute("SET search_path = evil, public, pg_catalog");
            st.execute("INSERT INTO coded VALUES ('x', 1)");
            st.execute("INSERT INTO ranged VALUES (-1, 1)");
        }
        assertThat(Guarded.dirty(db, "ranged")).containsExactly(-1L);
        assertThat(Guarded.dirty(db, "coded")).hasSize(1);
    }

    private static String definition(TestDatabase db, int tableId) throws SQLException {
        return db.queryString("SELECT pg_get_functiondef('syncguard.mark_" + tableId + "'::regproc)");
    }

    @Test
    void aTableWithoutPrimaryKeyIsRefusedWithTheFix(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE nokey (v text)");
        Guarded.install(db);
        assertThatThrownBy(() -> db.execute("SELECT syncguard.register_table('public', 'nokey')"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("has no primary key")
                .hasMessageContaining("add a primary key");
        assertThatThrownBy(() -> db.execute("SELECT syncguard.register_table('public', 'missing')"))
                .hasMessageContaining("does not exist");
        db.execute("CREATE TABLE k (id int PRIMARY KEY)");
        assertThatThrownBy(() -> db.execute("SELECT syncguard.register_table('public', 'k', 0)"))
                .hasMessageContaining("bucket_size must be positive");
        assertThatThrownBy(() -> db.execute("SELECT syncguard.register_table('public', 'k', NULL, 8)"))
                .hasMessageContaining("give bucket_size, not bucket_count");
        assertThat(db.queryLong("SELECT count(*) FROM syncguard.monitored_tables"))
                .isZero();
    }

    /** Issue #6, defect 5: every write reset a queued bucket's age, so hot buckets starved. */
    @Test
    void theOldestChangeOfABucketKeepsItsAge(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v int)",
                "INSERT INTO t SELECT i, 0 FROM generate_series(1, 10) i");
        Guarded.install(db);
        Guarded.register(db, "t", 100L, null);
        Guarded.drain(db);
        db.execute("UPDATE t SET v = 1 WHERE id = 1");
        String first = db.queryString("SELECT min(dirty_since) FROM syncguard.dirty_buckets");
        for (int i = 0; i < 5; i++) {
            db.execute("UPDATE t SET v = v + 1 WHERE id = 2");
        }
        assertThat(db.queryString("SELECT dirty_since FROM syncguard.buckets WHERE bucket_id = 0"))
                .isEqualTo(first);
    }

    @Test
    void aLargeStatementMarksEachBucketOnce(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v int)");
        Guarded.install(db);
        Guarded.register(db, "t", 1000L, null);
        db.execute("INSERT INTO t SELECT i, 0 FROM generate_series(0, 99999) i");
        assertThat(db.queryLong("SELECT count(*) FROM syncguard.dirty_buckets")).isEqualTo(100);
        db.execute("UPDATE t SET id = id + 1000 WHERE id >= 99000"); // moves rows from bucket 99 to bucket 100
        assertThat(db.queryLong("SELECT count(*) FROM syncguard.dirty_buckets")).isEqualTo(102);
        Guarded.drain(db);
        assertThat(Guarded.catalog(db, "t")).hasSize(100).containsKey(100L).doesNotContainKey(99L);
    }

    /** Issue #6, defect 7: TRUNCATE was ignored. */
    @Test
    void truncateMarksTheWholeTable(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t SELECT generate_series(1, 5000)");
        Guarded.install(db);
        Guarded.register(db, "t", 1000L, null);
        Guarded.drain(db);
        assertThat(Guarded.catalog(db, "t")).hasSize(6);
        db.execute("TRUNCATE t");
        assertThat(Guarded.dirty(db, "t")).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        Guarded.drain(db);
        assertThat(Guarded.catalog(db, "t")).isEmpty();
    }

    @Test
    void triggersFireUnderReplicaRole(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v int)");
        Guarded.install(db);
        Guarded.register(db, "t", 10L, null);
        try (Connection c = db.connect();
                Statement st = c.createStatement()) {
            st.execute("SET session_replication_role = replica");
            st.execute("INSERT INTO t SELECT i, 0 FROM generate_series(1, 25) i");
            st.execute("DELETE FROM t WHERE id = 3");
        }
        assertThat(Guarded.dirty(db, "t")).containsExactly(0L, 1L, 2L);
    }

    @Test
    void incrementalCatalogEqualsAFreshSweep(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text, f float8, d date, j jsonb, b bytea)",
                "INSERT INTO t SELECT i, md5(i::text), i / 7.0, date '2026-01-01' + i, jsonb_build_object('i', i),"
                        + " decode(md5(i::text), 'hex') FROM generate_series(1, 20000) i");
        Guarded.install(db);
        Guarded.register(db, "t", 500L, null);
        Guarded.drain(db);
        db.execute(
                "UPDATE t SET v = v || 'x' WHERE id % 97 = 0",
                "DELETE FROM t WHERE id % 101 = 0",
                "INSERT INTO t SELECT i, NULL, NULL, NULL, NULL, NULL FROM generate_series(20001, 20600) i",
                "UPDATE t SET id = -id WHERE id BETWEEN 300 AND 320");
        Guarded.drain(db);
        TreeMap<Long, String> incremental = Guarded.catalog(db, "t");
        assertThat(Guarded.dirty(db, "t")).isEmpty();
        assertThat(Guarded.resweep(db, "t", 500L, null)).isEqualTo(incremental);
        assertThat(incremental.values().stream()
                        .mapToLong(v -> Long.parseLong(v.split("/")[0]))
                        .sum())
                .isEqualTo(db.queryLong("SELECT count(*) FROM t"));
    }

    @Test
    void unregisterRemovesTriggersAndCatalogRows(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1)");
        Guarded.install(db);
        Guarded.register(db, "t", null, null);
        Guarded.drain(db);
        try (Connection c = db.connect()) {
            assertThat(Registrations.unregister(c, "public", "t")).isTrue();
            assertThat(Registrations.unregister(c, "public", "t")).isFalse();
        }
        db.execute("INSERT INTO t VALUES (2)");
        assertThat(db.queryLong("SELECT count(*) FROM syncguard.bucket_catalog")
                        + db.queryLong("SELECT count(*) FROM syncguard.dirty_buckets"))
                .isZero();
        assertThat(List.of(db.queryLong("SELECT count(*) FROM pg_proc WHERE proname LIKE 'mark\\_%'")))
                .containsExactly(0L);
    }
}
