package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.engine.config.SyncConfig;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The apply session runs with session_replication_role = replica, as PostgreSQL's own apply worker does: a user
 * trigger at the target stays silent for the changes the sync applies. A target role that may not set it still
 * applies every change, with the triggers firing (pgferry warns). Issue #5 (untested until its audit).
 */
@PgTest
@Tag("stream")
class ReplicationRoleTest {
    private static final String[] TRIGGER = {
        "CREATE TABLE audit (id int)",
        "CREATE FUNCTION audit_t() RETURNS trigger LANGUAGE plpgsql AS"
                + " $$BEGIN INSERT INTO public.audit VALUES (NEW.id); RETURN NEW; END$$",
        "CREATE TRIGGER t_audit AFTER INSERT OR UPDATE ON t FOR EACH ROW EXECUTE FUNCTION audit_t()"
    };

    @Test
    void userTriggersAtTheTargetDoNotFireForAppliedChanges(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t VALUES (1, 'a')");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            runUntilCaughtUp(source, target.uri());
            target.execute(TRIGGER);
            source.execute("INSERT INTO t VALUES (2, 'b')", "UPDATE t SET v = 'c' WHERE id = 1");
            runUntilCaughtUp(source, target.uri());
            assertThat(target.queryString("SELECT string_agg(id || v, ',' ORDER BY id) FROM t"))
                    .isEqualTo("1c,2b");
            assertThat(target.queryLong("SELECT count(*) FROM audit")).isZero();
        }
    }

    @Test
    void aTargetRoleThatMayNotSetItAppliesWithTriggersFiring(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t VALUES (1, 'a')");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            String role = target.createRole("rr_applier", "pw-rr", "LOGIN");
            target.execute(
                    "GRANT CREATE ON DATABASE " + target.name() + " TO " + role,
                    "GRANT CREATE, USAGE ON SCHEMA public TO " + role);
            String asRole = "postgresql://" + role + ":pw-rr@" + target.server().host() + ":"
                    + target.server().port() + "/" + target.name();
            runUntilCaughtUp(source, asRole);
            target.execute(TRIGGER);
            target.execute("GRANT INSERT ON audit TO " + role);
            source.execute("INSERT INTO t VALUES (2, 'b')", "UPDATE t SET v = 'c' WHERE id = 1");
            runUntilCaughtUp(source, asRole);
            assertThat(target.queryString("SELECT string_agg(id || v, ',' ORDER BY id) FROM t"))
                    .isEqualTo("1c,2b");
            assertThat(target.queryString("SELECT string_agg(id::text, ',' ORDER BY id) FROM audit"))
                    .isEqualTo("1,2");
        }
    }

    /**
     * Regression (issue 5): the copy's sessions fired the checks and triggers of existing target tables, so a table
     * whose foreign key references another synced table failed the copy when its rows came in first (here always:
     * one worker, the larger table first), and a user trigger fired for every copied row.
     */
    @Test
    void theCopyIntoExistingTablesFiresNoForeignKeyCheckAndNoTrigger(TestDatabase source) throws Exception {
        String[] tables = {
            "CREATE TABLE parent (id int PRIMARY KEY)",
            "CREATE TABLE t (id int PRIMARY KEY, v text, parent int REFERENCES parent)"
        };
        source.execute(tables);
        source.execute(
                "INSERT INTO parent SELECT generate_series(1, 3)",
                "INSERT INTO t SELECT g, repeat('x', 200), 1 + g % 3 FROM generate_series(1, 2000) g");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            target.execute(tables);
            target.execute(TRIGGER);
            new SyncEngine(SyncConfig.builder()
                            .source(source.uri())
                            .target(target.uri())
                            .workers(1)
                            .untilCaughtUp(true)
                            .build())
                    .run();
            assertThat(target.queryLong("SELECT count(*) FROM t JOIN parent ON parent.id = t.parent"))
                    .isEqualTo(2000);
            assertThat(target.queryLong("SELECT count(*) FROM audit")).isZero();
        }
    }

    private static void runUntilCaughtUp(TestDatabase source, String target) {
        new SyncEngine(SyncConfig.builder()
                        .source(source.uri())
                        .target(target)
                        .workers(2)
                        .untilCaughtUp(true)
                        .build())
                .run();
    }
}
