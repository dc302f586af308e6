package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.PgFerryException;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Row-level security on a synced table. Issue 5: a sync run by a role that a table's policies apply to copied only
 * the rows the policies showed it (COPY TO applies them), with no word of it, then streamed every change of every
 * row, since logical decoding applies none: the target lacked rows for good. At the target, an UPDATE or DELETE under
 * such a policy left the hidden rows alone, as silently. Both are now refused before anything is created, and the
 * copy's and the apply's sessions run with {@code row_security = off}, so that a policy that appears later makes them
 * fail rather than skip rows.
 */
@PgTest
@Tag("stream")
class RowSecurityTest {

    /** {@code db} reached as {@code role}, whose password is {@code pw}. */
    private static Dsn as(TestDatabase db, String role) {
        return Dsn.parse("postgresql://" + role + ":pw@" + db.server().host() + ":"
                + db.server().port() + "/" + db.name());
    }

    private static void assertNothingCreated(TestDatabase source, TestDatabase target) throws SQLException {
        assertThat(source.queryLong("SELECT count(*) FROM pg_replication_slots WHERE database = current_database()"))
                .isZero();
        assertThat(target.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'pgferry'"))
                .isZero();
    }

    @Test
    void aSourceTableWhosePoliciesHideRowsFromTheRoleIsRefusedUntilTheRoleBypassesThem(TestDatabase source)
            throws Exception {
        source.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 10) i",
                "ALTER TABLE t ENABLE ROW LEVEL SECURITY",
                "CREATE POLICY few ON t USING (id <= 5)",
                "CREATE PUBLICATION mine FOR TABLE t");
        String role = source.createRole("ferry_rls_source", "pw", "LOGIN", "REPLICATION");
        source.execute("GRANT SELECT ON t TO " + role);
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            SyncConfig config = SyncConfig.builder()
                    .source(as(source, role))
                    .target(target.uri())
                    .publication("mine")
                    .untilCaughtUp(true)
                    .build();
            assertThatThrownBy(() -> new SyncEngine(config).run()).isInstanceOfSatisfying(PgFerryException.class, e -> {
                assertThat(e.problem())
                        .startsWith("row-level security applies to source table public.t for role " + role);
                assertThat(e.fix()).contains("ALTER ROLE \"" + role + "\" BYPASSRLS");
            });
            assertNothingCreated(source, target);

            source.execute("ALTER ROLE " + role + " BYPASSRLS");
            new SyncEngine(config).run();
            assertThat(target.queryLong("SELECT count(*) FROM t")).isEqualTo(10);
        }
    }

    /** A partitioned table is copied from its partitions: a policy on one of them is found too. */
    @Test
    void aPolicyOnAPartitionIsFound(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE p (id int PRIMARY KEY) PARTITION BY RANGE (id)",
                "CREATE TABLE p_low PARTITION OF p FOR VALUES FROM (0) TO (100)",
                "CREATE TABLE p_high PARTITION OF p FOR VALUES FROM (100) TO (200)",
                "INSERT INTO p SELECT generate_series(1, 150)",
                "ALTER TABLE p_high ENABLE ROW LEVEL SECURITY",
                "CREATE POLICY none ON p_high USING (false)",
                "CREATE PUBLICATION mine FOR TABLE p WITH (publish_via_partition_root = true)");
        String role = source.createRole("ferry_rls_partition", "pw", "LOGIN", "REPLICATION");
        source.execute("GRANT SELECT ON p, p_low, p_high TO " + role);
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            assertThatThrownBy(() -> new SyncEngine(SyncConfig.builder()
                                    .source(as(source, role))
                                    .target(target.uri())
                                    .publication("mine")
                                    .build())
                            .run())
                    .isInstanceOfSatisfying(PgFerryException.class, e -> assertThat(e.problem())
                            .startsWith("row-level security applies to source table public.p_high"));
            assertNothingCreated(source, target);
        }
    }

    @Test
    void anExistingTargetTableWhosePoliciesHideRowsFromTheRoleIsRefused(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t VALUES (1, 'a'), (9, 'b')");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            target.execute(
                    "CREATE TABLE t (id int PRIMARY KEY, v text)",
                    "ALTER TABLE t ENABLE ROW LEVEL SECURITY",
                    "CREATE POLICY few ON t USING (id <= 5)");
            String role = target.createRole("ferry_rls_target", "pw", "LOGIN");
            target.execute("GRANT ALL ON t TO " + role, "GRANT CREATE ON DATABASE " + target.name() + " TO " + role);
            assertThatThrownBy(() -> new SyncEngine(SyncConfig.builder()
                                    .source(source.uri())
                                    .target(as(target, role))
                                    .build())
                            .run())
                    .isInstanceOfSatisfying(PgFerryException.class, e -> {
                        assertThat(e.problem())
                                .startsWith("row-level security applies to target table public.t for role " + role);
                        assertThat(e.fix()).contains("BYPASSRLS");
                    });
            assertNothingCreated(source, target);
        }
    }

    /**
     * A policy that comes into force at the target while the sync streams makes the apply fail, where its UPDATE
     * would have left the rows the policy hides unchanged.
     */
    @Test
    void aPolicyThatAppearsWhileStreamingStopsTheApply(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t VALUES (1, 'a'), (9, 'b')");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            target.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
            String role = target.createRole("ferry_rls_later", "pw", "LOGIN");
            target.execute("GRANT ALL ON t TO " + role, "GRANT CREATE ON DATABASE " + target.name() + " TO " + role);
            SyncConfig config = SyncConfig.builder()
                    .source(source.uri())
                    .target(as(target, role))
                    .maxRetryTime(Duration.ofSeconds(5))
                    .build();
            RunningSync sync = RunningSync.start(new SyncEngine(config));
            sync.awaitStreaming();
            target.execute("ALTER TABLE t ENABLE ROW LEVEL SECURITY", "CREATE POLICY few ON t USING (id <= 5)");
            source.execute("UPDATE t SET v = 'changed'");
            assertThat(sync.failure(60))
                    .hasMessageContaining("row-level security")
                    .hasMessageContaining("BYPASSRLS");
            assertThat(target.queryLong("SELECT count(*) FROM t WHERE v = 'changed'"))
                    .isZero();
        }
    }
}
