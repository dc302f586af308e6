package io.pgferry.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.PgFerryException;
import io.pgferry.embedded.EmbeddedPostgres;
import io.pgferry.postgres.admin.Publications;
import io.pgferry.postgres.catalog.TableName;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stream's start-up checks: they refuse bad input before anything is created. */
@PgTest
class ReplicationSetupTest {
    private static ReplicationSetup.Plan validate(TestDatabase db, StreamConfig config) throws SQLException {
        try (Connection c = db.connect()) {
            return new ReplicationSetup(c, config).validate();
        }
    }

    private static StreamConfig.Builder config(TestDatabase db, String slot) {
        return StreamConfig.builder().source(db.uri()).publication("p").slot(slot);
    }

    @Test
    void walLevelBelowLogicalIsRefusedBeforeAnythingIsCreated() throws SQLException {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder()
                        .fsync(false)
                        .setting("wal_level", "replica")
                        .start();
                Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres"), pg.jdbcProperties())) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE t (id int PRIMARY KEY)");
            }
            StreamConfig config = StreamConfig.builder()
                    .source(pg.uri("postgres"))
                    .publication("p")
                    .slot("s")
                    .tables("public.t")
                    .build();
            try (ChangeStream stream = ChangeStream.create(config, new Collector())) {
                assertThatThrownBy(stream::start).isInstanceOfSatisfying(PgFerryException.class, e -> {
                    assertThat(e.problem())
                            .isEqualTo("wal_level is replica; logical decoding needs wal_level = logical");
                    assertThat(e.fix()).startsWith("ALTER SYSTEM SET wal_level = logical and restart PostgreSQL");
                    assertThat(e.isRetriable()).isFalse();
                });
            }
            assertThat(count(c, "SELECT count(*) FROM pg_publication")).isZero();
            assertThat(count(c, "SELECT count(*) FROM pg_replication_slots")).isZero();
        }
    }

    /**
     * Issue 5: the publication was created with one {@code CREATE PUBLICATION} naming every table, which locks each
     * until it commits. On a source whose lock table ({@code max_locks_per_transaction} times its sessions) cannot
     * hold them all at once, here the smallest PostgreSQL allows, it failed with "out of shared memory".
     */
    @Test
    void morePublishedTablesThanOneTransactionOfTheSourceCanLock() throws SQLException {
        int tables = 1200;
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder()
                        .fsync(false)
                        .setting("max_locks_per_transaction", "10")
                        .setting("max_connections", "20")
                        .setting("max_prepared_transactions", "0")
                        .setting("max_worker_processes", "2")
                        .setting("max_wal_senders", "2")
                        .setting("max_replication_slots", "2")
                        .setting("autovacuum_max_workers", "1")
                        .start();
                Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres"), pg.jdbcProperties())) {
            try (Statement st = c.createStatement()) {
                // 50 to a transaction: each creation locks its table and index until it commits.
                for (int from = 1; from <= tables; from += 50) {
                    st.execute("DO $$ BEGIN FOR i IN " + from + ".." + (from + 49) + " LOOP"
                            + " EXECUTE format('CREATE TABLE t%s (id int PRIMARY KEY)', i); END LOOP; END $$");
                }
            }
            StreamConfig.Builder config = StreamConfig.builder()
                    .source(pg.uri("postgres"))
                    .publication("many")
                    .slot("s");
            for (int i = 1; i <= tables; i++) {
                config.tables("public.t" + i);
            }
            ReplicationSetup setup = new ReplicationSetup(c, config.build());
            assertThat(setup.createPublication(setup.validate())).isTrue();
            assertThat(count(c, "SELECT count(*) FROM pg_publication_tables WHERE pubname = 'many'"))
                    .isEqualTo(tables);
            assertThat(count(c, "SELECT count(*) FROM pg_publication p WHERE pubviaroot"))
                    .isOne();
        }
    }

    @Test
    void existingPublicationWithoutTheTableIsRefusedWithTheAlter(TestDatabase db) throws SQLException {
        db.execute("CREATE TABLE a (id int PRIMARY KEY)", "CREATE TABLE b (id int PRIMARY KEY)");
        db.execute("CREATE PUBLICATION p FOR TABLE a");
        StreamConfig config = config(db, "pgferry_h4_rs_pub").tables("public.b").build();
        assertThatThrownBy(() -> validate(db, config)).isInstanceOfSatisfying(PgFerryException.class, e -> {
            assertThat(e.problem()).isEqualTo("publication p exists but does not publish public.b");
            assertThat(e.fix()).startsWith("run ALTER PUBLICATION \"p\" ADD TABLE \"public\".\"b\"");
        });
    }

    /**
     * Issue 5: a start killed while it added its tables to the publication it had just created, before any slot,
     * left a publication marked as pgferry's that lacked tables, and every later start refused it as the user's.
     * Nothing can have been read through it without a slot, so the next start completes it.
     */
    @Test
    void aPublicationLeftIncompleteBeforeTheSlotIsCompletedByTheNextStart(TestDatabase db) throws SQLException {
        db.execute("CREATE TABLE a (id int PRIMARY KEY)", "CREATE TABLE b (id int PRIMARY KEY)");
        try (Connection c = db.connect()) {
            Publications.create(c, "p", "pgferry_h4_rs_cut", List.of(TableName.parse("public.a")));
            ReplicationSetup setup = new ReplicationSetup(
                    c,
                    config(db, "pgferry_h4_rs_cut")
                            .tables("public.a", "public.b")
                            .build());
            ReplicationSetup.Plan plan = setup.validate();
            assertThat(plan.createPublication()).isFalse();
            assertThat(plan.unpublished()).containsExactly(TableName.parse("public.b"));
            assertThat(setup.createPublication(plan)).isFalse();
            assertThat(count(c, "SELECT count(*) FROM pg_publication_tables WHERE pubname = 'p'"))
                    .isEqualTo(2);
        }
    }

    /** Once its slot exists, pgferry's own publication is not widened: the slot has read WAL under it as it is. */
    @Test
    void aPublicationOfPgferrysWithASlotIsNotCompleted(TestDatabase db) throws SQLException {
        db.execute("CREATE TABLE a (id int PRIMARY KEY)", "CREATE TABLE b (id int PRIMARY KEY)");
        try (Connection c = db.connect()) {
            Publications.create(c, "p", "pgferry_h4_rs_kept", List.of(TableName.parse("public.a")));
        }
        db.execute("SELECT pg_create_logical_replication_slot('pgferry_h4_rs_kept', 'pgoutput')");
        StreamConfig config =
                config(db, "pgferry_h4_rs_kept").tables("public.a", "public.b").build();
        assertThatThrownBy(() -> validate(db, config))
                .hasMessageContaining("publication p exists but does not publish public.b");
    }

    @Test
    void viewsAndMissingTablesAreRefused(TestDatabase db) throws SQLException {
        db.execute("CREATE VIEW v AS SELECT 1 AS one");
        assertThatThrownBy(() -> validate(
                        db, config(db, "pgferry_h4_rs_view").tables("public.v").build()))
                .hasMessageContaining("public.v is not a table (relkind v)");
        assertThatThrownBy(() -> validate(
                        db,
                        config(db, "pgferry_h4_rs_none").tables("public.none").build()))
                .hasMessageContaining("table public.none does not exist");
    }

    @Test
    void existingSlotIsCheckedAndCarriedInThePlan(TestDatabase db) throws SQLException {
        db.execute(
                "CREATE TABLE t (id int PRIMARY KEY)",
                "CREATE PUBLICATION p FOR TABLE t",
                "SELECT pg_create_logical_replication_slot('pgferry_h4_rs_slot', 'pgoutput')");
        ReplicationSetup.Plan plan =
                validate(db, config(db, "pgferry_h4_rs_slot").build());
        assertThat(plan.createPublication()).isFalse();
        assertThat(plan.tables()).containsExactly(TableName.parse("public.t"));
        assertThat(plan.slot()).hasValueSatisfying(s -> {
            assertThat(s.slotName()).isEqualTo("pgferry_h4_rs_slot");
            assertThat(s.confirmedFlushLsn().isValid()).isTrue();
        });
    }

    @Test
    void physicalSlotOfTheSameNameIsRefused(TestDatabase db) throws SQLException {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        // A physical slot belongs to no database, so the test kit's clean-up would not drop it.
        db.execute("SELECT pg_create_physical_replication_slot('pgferry_h4_rs_phys')");
        try {
            assertThatThrownBy(() -> validate(
                            db,
                            config(db, "pgferry_h4_rs_phys").tables("public.t").build()))
                    .isInstanceOfSatisfying(PgFerryException.class, e -> {
                        assertThat(e.problem()).startsWith("slot pgferry_h4_rs_phys exists with plugin");
                        assertThat(e.fix()).contains("SELECT pg_drop_replication_slot('pgferry_h4_rs_phys')");
                    });
        } finally {
            db.execute("SELECT pg_drop_replication_slot('pgferry_h4_rs_phys')");
        }
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
