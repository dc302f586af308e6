package io.pgferry.verify.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.sql.SQLException;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for issue 6 (the seed's defect 3 coming back through DDL): a registered table's trigger function
 * names its key columns and hashes them by type, so renaming or retyping a key column made every write to the table
 * fail, and a dropped table stayed registered. syncguard 4 follows the DDL (when installed by a superuser, as the
 * test kit's role is).
 */
@PgTest
@Tag("verify")
class FollowDdlTest {

    @Test
    void aRenamedRangeKeyKeepsWritesWorkingAndTheCatalogExact(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v int)",
                "INSERT INTO t SELECT i, 0 FROM generate_series(1, 500) i");
        Guarded.install(db);
        Guarded.register(db, "t", 100L, null);
        Guarded.drain(db);
        db.execute(
                "ALTER TABLE t RENAME COLUMN id TO \"Ident ü\"",
                "INSERT INTO t VALUES (501, 1)",
                "UPDATE t SET v = 2 WHERE \"Ident ü\" = 7",
                "DELETE FROM t WHERE \"Ident ü\" = 300");
        assertThat(db.queryString("SELECT key_columns::text FROM syncguard.monitored_tables"))
                .isEqualTo("{\"Ident ü\"}");
        Guarded.drain(db);
        TreeMap<Long, String> followed = Guarded.catalog(db, "t");
        assertThat(Guarded.resweep(db, "t", 100L, null)).isEqualTo(followed);
    }

    @Test
    void aRetypedHashKeyIsRegisteredAgainAndSweptExactly(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE h (k text PRIMARY KEY, v int)",
                "INSERT INTO h SELECT 'k' || i, i FROM generate_series(1, 500) i");
        Guarded.install(db);
        Guarded.register(db, "h", null, 16);
        Guarded.drain(db);
        db.execute(
                "ALTER TABLE h ALTER COLUMN k TYPE varchar(40)",
                "INSERT INTO h VALUES ('new', 1)",
                "UPDATE h SET v = 0 WHERE k = 'k7'");
        assertThat(db.queryLong("SELECT bucket_count FROM syncguard.monitored_tables"))
                .as("the layout is kept")
                .isEqualTo(16);
        Guarded.drain(db);
        TreeMap<Long, String> followed = Guarded.catalog(db, "h");
        assertThat(followed.values().stream()
                        .mapToLong(v -> Long.parseLong(v.split("/")[0]))
                        .sum())
                .isEqualTo(501);
        assertThat(Guarded.resweep(db, "h", null, 16)).isEqualTo(followed);
    }

    @Test
    void droppingTheKeyOfARegisteredTableIsRefusedSayingHow(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int CONSTRAINT t_pk PRIMARY KEY)", "INSERT INTO t VALUES (1)");
        Guarded.install(db);
        Guarded.register(db, "t", 100L, null);
        assertThatThrownBy(() -> db.execute("ALTER TABLE t DROP CONSTRAINT t_pk"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("would be left without a primary key");
        db.execute("INSERT INTO t VALUES (2)");
        assertThat(db.queryLong("SELECT count(*) FROM pg_constraint WHERE conname = 't_pk'"))
                .isEqualTo(1);
    }

    @Test
    void aRenamedTableKeepsItsRegistrationAndADroppedOneLosesIt(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE t (id int PRIMARY KEY)",
                "CREATE TABLE gone (id int PRIMARY KEY)",
                "INSERT INTO t SELECT generate_series(1, 10)");
        Guarded.install(db);
        Guarded.register(db, "t", 100L, null);
        Guarded.register(db, "gone", 100L, null);
        db.execute("ALTER TABLE t RENAME TO \"Renamed\"", "DROP TABLE gone", "INSERT INTO \"Renamed\" VALUES (11)");
        assertThat(db.queryString("SELECT string_agg(table_name, ',') FROM syncguard.monitored_tables"))
                .isEqualTo("Renamed");
        assertThat(db.queryLong("SELECT count(*) FROM pg_proc WHERE proname LIKE 'mark\\_%'"))
                .as("the dropped table's trigger function")
                .isEqualTo(1);
        assertThat(Guarded.drain(db).tablesSwept()).isEqualTo(1);
        try (var c = db.connect()) {
            assertThat(GuardSchema.uninstall(c)).isTrue();
        }
        assertThat(db.queryLong("SELECT count(*) FROM pg_event_trigger WHERE evtname LIKE 'syncguard%'"))
                .isZero();
    }
}
