package io.pgferry.cli.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgferry.cli.ChildCli;
import io.pgferry.cli.CliRun;
import io.pgferry.cli.StreamRun;
import io.pgferry.cli.command.ExitCodes;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pgferry sync} and {@code pgferry status} as a user runs them. Issue #5. */
@PgTest
class SyncCommandTest {

    @Test
    void syncUntilCaughtUpThenStatus(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE orders (id serial PRIMARY KEY, v text)",
                "INSERT INTO orders (v) SELECT 'v' || i FROM generate_series(1, 1000) i");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            CliRun r = CliRun.run(
                    "sync",
                    "--source",
                    source.uri(),
                    "--target",
                    target.uri(),
                    "--tables",
                    "public.*",
                    "--until-caught-up");
            assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
            assertThat(r.err())
                    .contains("pgferry: sync pgferry_sync copied and streamed")
                    .contains("1 sequences set")
                    .contains("slot pgferry_sync stays at the source for the next run")
                    .contains("pgferry sync --drop");
            assertThat(target.queryLong("SELECT count(*) FROM orders")).isEqualTo(1000);
            // The serial column's sequence continues where the source's is.
            assertThat(target.queryLong("SELECT nextval(pg_get_serial_sequence('orders', 'id'))"))
                    .isEqualTo(1001);

            CliRun status = CliRun.run("status", "--target", target.uri(), "--source", source.uri());
            assertThat(status.exitCode()).as(status.err()).isEqualTo(ExitCodes.OK);
            assertThat(status.out()).contains("sync pgferry_sync: position").contains("public.orders");

            CliRun json = CliRun.run("status", "--target", target.uri(), "--source", source.uri(), "--json");
            assertThat(json.exitCode()).as(json.err()).isEqualTo(ExitCodes.OK);
            JsonNode doc = StreamRun.MAPPER.readTree(json.out());
            JsonNode sync = doc.get("syncs").get(0);
            assertThat(sync.get("sync").asText()).isEqualTo("pgferry_sync");
            assertThat(sync.get("lag_bytes").asLong()).isGreaterThanOrEqualTo(0);
            assertThat(sync.get("slot").get("exists").asBoolean()).isTrue();
            assertThat(sync.get("tables").get(0).get("state").asText()).isEqualTo("streaming");
            assertThat(sync.get("tables").get(0).get("rows_copied").asLong()).isEqualTo(1000);
            assertThat(sync.get("source_seen_at").isNull())
                    .as("read from the source now")
                    .isTrue();

            // Issue 5: without the source, the lag and the slot as the sync left them, and when it saw them.
            CliRun alone = CliRun.run("status", "--target", target.uri());
            assertThat(alone.exitCode()).as(alone.err()).isEqualTo(ExitCodes.OK);
            assertThat(alone.out())
                    .containsPattern("lag [0-9,]+ bytes")
                    .containsPattern("slot (in)?active")
                    .contains("(as the sync saw the source");

            // --drop removes the sync, says what stays, and a second one finds nothing to remove.
            CliRun drop = CliRun.run("sync", "--source", source.uri(), "--target", target.uri(), "--drop");
            assertThat(drop.exitCode()).as(drop.err()).isEqualTo(ExitCodes.OK);
            assertThat(drop.err())
                    .contains("pgferry: sync pgferry_sync removed: slot pgferry_sync dropped at the source; its"
                            + " records removed from the target (and the catalog tables: no sync is left in them)")
                    .contains("publication pgferry_sync dropped (pgferry created it for this sync");
            assertThat(source.queryLong("SELECT count(*) FROM pg_publication")).isZero();
            assertThat(source.queryLong("SELECT count(*) FROM pg_replication_slots"))
                    .isZero();
            assertThat(target.queryLong("SELECT count(*) FROM orders")).isEqualTo(1000);
            CliRun again = CliRun.run("sync", "--source", source.uri(), "--target", target.uri(), "--drop");
            assertThat(again.exitCode()).isNotEqualTo(ExitCodes.OK);
            assertThat(again.errLines()).hasSize(1);
            assertThat(again.err()).contains("no sync named pgferry_sync");
        }
    }

    /**
     * Issue 5: a snapshot copy tells the user, on standard error, that it holds back vacuum at the source until it
     * ends; a sync that copies nothing does not.
     */
    @Test
    void aSnapshotCopyWarnsThatItHoldsBackVacuum(TestDatabase source, @TempDir Path dir) throws Exception {
        source.execute("CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t SELECT generate_series(1, 10)");
        String warning = "the initial copy holds a snapshot open on the source: until it ends, vacuum there cannot"
                + " remove rows";
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            String[] sync = {"sync", "--source", source.uri(), "--target", target.uri(), "--until-caught-up"};
            ChildCli copy = ChildCli.run(dir, Duration.ofMinutes(2), Map.of(), sync);
            assertThat(copy.exitCode()).as(copy.err()).isEqualTo(ExitCodes.OK);
            assertThat(copy.err()).contains(warning);
            ChildCli resumed = ChildCli.run(dir, Duration.ofMinutes(2), Map.of(), sync);
            assertThat(resumed.exitCode()).as(resumed.err()).isEqualTo(ExitCodes.OK);
            assertThat(resumed.err()).doesNotContain("vacuum");
        }
    }

    @Test
    void dropGoesWithNoOtherWork(TestDatabase source) {
        String other = source.server().uri(source.name() + "_other");
        CliRun r = CliRun.run("sync", "--source", source.uri(), "--target", other, "--drop", "--guard");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--guard does not go with --drop");
        CliRun both = CliRun.run("sync", "--source", source.uri(), "--target", other, "--drop", "--follow");
        assertThat(both.exitCode()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void thenSubscribeHandsTheSlotToANativeSubscription(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT i, 'old' FROM generate_series(1, 100) i");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            try {
                CliRun r = CliRun.run(
                        "sync", "--source", source.uri(), "--target", target.uri(), "--then-subscribe", "handed");
                assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
                assertThat(r.err()).contains("handed over to subscription handed");
                source.execute("INSERT INTO t VALUES (101, 'after hand-over')", "UPDATE t SET v = 'new' WHERE id = 1");
                awaitCount(target, "SELECT count(*) FROM t WHERE id = 101 OR v = 'new'", 2);
                assertThat(target.queryLong("SELECT count(*) FROM t")).isEqualTo(101);
                // Issue 5: the status says the subscription applies the changes now (its lag had been the sync's,
                // frozen at the hand-off, growing without end), and a start of the sync is refused with what to do
                // (it failed on the slot in use, with "end the process that holds it" for a fix).
                CliRun status = CliRun.run("status", "--target", target.uri(), "--source", source.uri(), "--json");
                assertThat(status.exitCode()).as(status.err()).isEqualTo(ExitCodes.OK);
                assertThat(status.out()).contains("\"handed_over_to\" : \"handed\"");
                CliRun again = CliRun.run("sync", "--source", source.uri(), "--target", target.uri());
                assertThat(again.exitCode()).isEqualTo(ExitCodes.RUNTIME);
                assertThat(again.err())
                        .contains("sync pgferry_sync was handed over to subscription handed")
                        .contains("DROP SUBSCRIPTION");
            } finally {
                dropSubscription(target, "handed");
            }
        }
    }

    /**
     * {@code --copy-mode none} streams into tables the user loaded, {@code --exclude} leaves tables out of every step,
     * and {@code --sequences-only} sets the sequences and nothing else. Issue #5.
     */
    @Test
    void copyModeNoneStreamsIntoALoadedTargetLeavingExcludedTablesOut(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE a (id serial PRIMARY KEY, v text)",
                "CREATE TABLE audit_log (id int PRIMARY KEY)",
                "INSERT INTO a (v) SELECT 'v' || i FROM generate_series(1, 100) i",
                "INSERT INTO audit_log SELECT generate_series(1, 10)");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            target.execute(
                    "CREATE TABLE a (id serial PRIMARY KEY, v text)",
                    "INSERT INTO a SELECT i, 'v' || i FROM generate_series(1, 100) i");
            String[] sync = args(source, target, "--copy-mode", "none", "--until-caught-up");
            CliRun first = CliRun.run(sync);
            assertThat(first.exitCode()).as(first.err()).isEqualTo(ExitCodes.OK);
            source.execute(
                    "INSERT INTO a (v) VALUES ('after')",
                    "UPDATE a SET v = 'changed' WHERE id = 1",
                    "DELETE FROM a WHERE id = 2",
                    "INSERT INTO audit_log VALUES (11)");
            CliRun second = CliRun.run(sync);
            assertThat(second.exitCode()).as(second.err()).isEqualTo(ExitCodes.OK);
            String rows = "SELECT string_agg(id || '=' || v, ',' ORDER BY id) FROM a";
            assertThat(target.queryString(rows)).isEqualTo(source.queryString(rows));
            assertThat(target.queryString(rows)).startsWith("1=changed,3=v3,").endsWith(",101=after");
            assertThat(target.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'audit_log'"))
                    .isZero();
            assertThat(source.queryLong("SELECT count(*) FROM pg_publication_tables WHERE tablename = 'audit_log'"))
                    .isZero();

            // Sequences only: the target's sequence follows the source's; the row inserted meanwhile does not come.
            source.execute("SELECT setval('a_id_seq', 500)", "INSERT INTO a (v) VALUES ('not yet')");
            CliRun seq = CliRun.run(args(source, target, "--sequences-only"));
            assertThat(seq.exitCode()).as(seq.err()).isEqualTo(ExitCodes.OK);
            assertThat(seq.err()).contains("pgferry: 1 sequences set");
            assertThat(target.queryLong("SELECT nextval('a_id_seq')")).isEqualTo(502);
            assertThat(target.queryLong("SELECT count(*) FROM a WHERE v = 'not yet'"))
                    .isZero();
        }
    }

    @Test
    void missingTargetIsUsage(TestDatabase source) {
        CliRun r = CliRun.run("sync", "--source", source.uri());
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).contains("no target database given").contains("PGFERRY_TARGET_DSN");
    }

    @Test
    void badCopyModeIsUsage(TestDatabase source) {
        CliRun r = CliRun.run(
                "sync",
                "--source",
                source.uri(),
                "--target",
                source.server().uri(source.name() + "x"),
                "--copy-mode",
                "fast");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("copy mode 'fast' is not known").contains("use snapshot, chunked or none");
    }

    /** A sync of every table of public but the audit ones, then {@code more}. */
    private static String[] args(TestDatabase source, TestDatabase target, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "sync",
                "--source",
                source.uri(),
                "--target",
                target.uri(),
                "--tables",
                "public.*",
                "--exclude",
                "public.audit*"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    private static void awaitCount(TestDatabase db, String query, long expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (db.queryLong(query) != expected) {
            assertThat(System.nanoTime()).as(query + " reaches " + expected).isLessThan(deadline);
            Thread.sleep(50); // polling interval of the wait, not a synchronisation
        }
    }

    private static void dropSubscription(TestDatabase target, String name) throws SQLException {
        if (target.queryLong("SELECT count(*) FROM pg_subscription WHERE subname = '" + name + "'") > 0) {
            target.execute(
                    "ALTER SUBSCRIPTION " + name + " DISABLE",
                    "ALTER SUBSCRIPTION " + name + " SET (slot_name = NONE)",
                    "DROP SUBSCRIPTION " + name);
        }
    }
}
