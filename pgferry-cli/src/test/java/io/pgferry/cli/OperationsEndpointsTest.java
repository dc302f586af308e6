package io.pgferry.cli;

import static io.pgferry.cli.Endpoints.get;
import static io.pgferry.cli.Endpoints.metric;
import static io.pgferry.cli.Endpoints.scrape;
import static io.pgferry.cli.Endpoints.status;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgferry.cli.command.ExitCodes;
import io.pgferry.embedded.EmbeddedPostgres;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import io.pgferry.testkit.WebhookServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operations endpoints on real processes and servers (issue #9): {@code /ready} follows the source going down and
 * coming back; lag in seconds rises while the target is held and falls after; apply batches, per-table copy progress
 * and {@code /status}; the guard worker's dirty buckets and the last verification's result.
 */
@PgTest
class OperationsEndpointsTest {
    @TempDir
    Path dir;

    @Test
    void readyIs503WhileTheSourceIsDownAnd200AfterItReturns() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().fsync(false).start()) {
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres"), pg.jdbcProperties());
                    Statement st = c.createStatement()) {
                st.execute("CREATE TABLE t (id int PRIMARY KEY)");
            }
            int port = WebhookServer.freePort();
            Process p = start(
                    "stream",
                    "--source",
                    pg.uri("postgres"),
                    "--tables",
                    "public.t",
                    "--output",
                    dir.resolve("changes.jsonl").toString(),
                    "--checkpoint",
                    dir.resolve("ckpt").toString(),
                    "--http",
                    String.valueOf(port));
            try {
                await(() -> status(port, "/ready") == 200, p);
                pg.stop();
                await(() -> status(port, "/ready") == 503, p);
                assertThat(get(port, "/ready").body()).isEqualTo("the stream is reconnecting\n");
                pg.restart();
                await(() -> status(port, "/ready") == 200, p);
                try (Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres"), pg.jdbcProperties());
                        Statement st = c.createStatement()) {
                    st.execute("INSERT INTO t VALUES (1)");
                }
                await(() -> metric(scrape(port), "pgferry_stream_transactions_total", "slot", "pgferry_slot") >= 1, p);
                String metrics = scrape(port);
                assertThat(metric(metrics, "pgferry_stream_reconnects_total", "slot", "pgferry_slot"))
                        .isGreaterThanOrEqualTo(1);
                assertThat(metrics)
                        .containsPattern("pgferry_stream_errors_total\\{kind=\"source\",slot=\"pgferry_slot\"} [1-9]");
                JsonNode status = StreamRun.MAPPER.readTree(get(port, "/status").body());
                assertThat(status.get("command").asText()).isEqualTo("stream");
                assertThat(status.get("streams").get(0).get("state").asText()).isEqualTo("streaming");
                assertThat(status.get("streams").get(0).get("transactions").asLong())
                        .isPositive();
            } finally {
                stop(p);
            }
        }
    }

    @Test
    void syncLagRisesWhileTheTargetIsHeldAndFallsAfter(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT i, 'v' FROM generate_series(1, 100) i");
        int port = WebhookServer.freePort();
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            Process p = start(
                    "sync",
                    "--source",
                    db.uri(),
                    "--target",
                    target.uri(),
                    "--tables",
                    "public.t",
                    "--slot",
                    "ops_lag",
                    "--http",
                    String.valueOf(port));
            try {
                await(
                        () -> status(port, "/ready") == 200
                                && target.queryLong(
                                                "SELECT count(*) FROM pgferry.table_state WHERE state = 'streaming'")
                                        == 1,
                        p);
                String copied = scrape(port);
                assertThat(copied).contains("pgferry_sync_copy_table_rows{slot=\"ops_lag\",table=\"public.t\"} 100.0");
                assertThat(copied).contains("pgferry_sync_copy_table_done{slot=\"ops_lag\",table=\"public.t\"} 1.0");
                try (Connection hold = target.connect();
                        Statement st = hold.createStatement()) {
                    hold.setAutoCommit(false);
                    st.execute("LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
                    db.execute("INSERT INTO t VALUES (101, 'held-row-value')");
                    await(
                            () -> metric(
                                            scrape(port),
                                            "pgferry_stream_oldest_unacknowledged_seconds",
                                            "slot",
                                            "ops_lag")
                                    > 1.5,
                            p);
                    hold.commit();
                }
                await(
                        () -> metric(scrape(port), "pgferry_stream_oldest_unacknowledged_seconds", "slot", "ops_lag")
                                        == 0
                                && metric(scrape(port), "pgferry_sync_changes_applied_total", "slot", "ops_lag") >= 1,
                        p);
                String metrics = scrape(port);
                assertThat(metric(metrics, "pgferry_stream_lag_seconds", "slot", "ops_lag"))
                        .isGreaterThanOrEqualTo(0)
                        .isLessThan(600);
                assertThat(metrics)
                        .contains("pgferry_sync_table_changes_applied_total{slot=\"ops_lag\",table=\"public.t\"} 1.0");
                assertThat(metric(metrics, "pgferry_sync_apply_batches_total", "slot", "ops_lag"))
                        .isGreaterThanOrEqualTo(1);
                assertThat(metric(metrics, "pgferry_sync_apply_batch_seconds_count", "slot", "ops_lag"))
                        .isGreaterThanOrEqualTo(1);
                JsonNode status = StreamRun.MAPPER.readTree(get(port, "/status").body());
                assertThat(status.get("syncs").get(0).get("sync").asText()).isEqualTo("ops_lag");
                assertThat(status.get("syncs")
                                .get(0)
                                .get("tables")
                                .get(0)
                                .get("state")
                                .asText())
                        .isEqualTo("streaming");
                assertThat(metrics).doesNotContain("held-row-value", target.uri());
            } finally {
                stop(p);
            }
        }
    }

    @Test
    void guardRunServesDirtyBucketsAndTheLastVerification(TestDatabase db) throws Exception {
        try (TestDatabase replica = TestDatabase.create(PostgresServer.second());
                TestDatabase control = TestDatabase.create(PostgresServer.second())) {
            recordDivergedVerification(db, replica, control);

            int port = WebhookServer.freePort();
            Process p = start(
                    "guard",
                    "run",
                    "--dsn",
                    db.uri(),
                    "--naptime",
                    "1h",
                    "--control-dsn",
                    control.uri(),
                    "--http",
                    String.valueOf(port));
            try {
                await(() -> status(port, "/ready") == 200, p);
                db.execute("UPDATE t SET v = 2 WHERE id <= 300");
                String table = "table=\"public.t\"";
                await(
                        () -> scrape(port)
                                .lines()
                                .anyMatch(l -> l.startsWith("pgferry_guard_dirty_buckets{")
                                        && l.contains(table)
                                        && !l.endsWith(" 0.0")),
                        p);
                String metrics = scrape(port);
                assertThat(metrics)
                        .contains("pgferry_verify_last_run_outcome{outcome=\"diverged\"} 1.0")
                        .contains("pgferry_verify_last_run_outcome{outcome=\"in_sync\"} 0.0")
                        .contains("pgferry_verify_table_divergent_buckets{table=\"public.t\"} 1.0")
                        .contains("pgferry_verify_last_run_divergences 1.0");
                assertThat(StreamRun.MAPPER
                                .readTree(get(port, "/status").body())
                                .get("command")
                                .asText())
                        .isEqualTo("guard run");
            } finally {
                stop(p);
            }
        }
    }

    /**
     * Registers {@code t} (1,000 rows, buckets of 100) on both sides with the guard, makes the replica differ in one
     * bucket, and records a verification in the control plane: one divergent bucket.
     */
    static void recordDivergedVerification(TestDatabase db, TestDatabase replica, TestDatabase control)
            throws Exception {
        for (TestDatabase side : new TestDatabase[] {db, replica}) {
            side.execute(
                    "CREATE TABLE t (id int PRIMARY KEY, v int)",
                    "INSERT INTO t SELECT i, 0 FROM generate_series(1, 1000) i");
            ok(CliRun.run("guard", "install", "--dsn", side.uri()));
            ok(CliRun.run("guard", "register", "--dsn", side.uri(), "--table", "t", "--bucket-size", "100"));
            ok(CliRun.run("guard", "run", "--once", "--dsn", side.uri()));
        }
        replica.execute("UPDATE t SET v = 1 WHERE id = 250");
        ok(CliRun.run("guard", "run", "--once", "--dsn", replica.uri()));
        CliRun verify = CliRun.runWithEnv(
                Map.of("PGFERRY_PUBLISHER_DSN", db.uri(), "PGFERRY_SUBSCRIBER_DSN", replica.uri()),
                "verify",
                "--consistency-mode",
                "raw",
                "--write-control-plane",
                "--control-dsn",
                control.uri());
        assertThat(verify.exitCode()).as(verify.out() + verify.err()).isEqualTo(ExitCodes.DIVERGED);
    }

    private Process start(String... args) throws Exception {
        return ChildCli.start(dir.resolve("out.txt"), dir.resolve("err.txt"), Map.of(), args);
    }

    private void await(ChildCli.Check check, Process p) throws Exception {
        try {
            ChildCli.awaitWhileAlive(check, p, dir.resolve("err.txt"));
        } catch (AssertionError e) {
            throw new AssertionError("stderr: " + java.nio.file.Files.readString(dir.resolve("err.txt")), e);
        }
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }

    private static void ok(CliRun r) {
        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(ExitCodes.OK);
    }
}
