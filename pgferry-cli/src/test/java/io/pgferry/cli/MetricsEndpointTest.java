package io.pgferry.cli;

import static io.pgferry.cli.Endpoints.get;
import static io.pgferry.cli.Endpoints.metric;
import static io.pgferry.cli.Endpoints.scrape;
import static io.pgferry.cli.Endpoints.status;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.cli.command.ExitCodes;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import io.pgferry.testkit.WebhookServer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --http}: Prometheus metrics, health and readiness of a running {@code stream} and {@code scan}, scraped from
 * the real process while rows arrive (issue 9, first step).
 */
@PgTest
class MetricsEndpointTest {
    @TempDir
    Path dir;

    @Test
    void aRunningStreamServesMetricsHealthAndReadiness(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
        int port = WebhookServer.freePort();
        Process p = ChildCli.start(
                dir.resolve("out.txt"),
                dir.resolve("err.txt"),
                Map.of(),
                "stream",
                "--source",
                db.uri(),
                "--tables",
                "public.t",
                "--output",
                dir.resolve("changes.jsonl").toString(),
                "--checkpoint",
                dir.resolve("ckpt").toString(),
                "--http",
                "127.0.0.1:" + port);
        try {
            ChildCli.awaitWhileAlive(() -> status(port, "/ready") == 200, p, dir.resolve("err.txt"));
            assertThat(get(port, "/health").body()).isEqualTo("ok\n");
            ChildCli.awaitWhileAlive(
                    () -> db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgferry_slot'"
                                    + " AND database = current_database() AND active")
                            == 1,
                    p,
                    dir.resolve("err.txt"));
            for (int i = 1; i <= 5; i++) {
                db.execute("INSERT INTO t VALUES (" + i + ", 'row-value-" + i + "')");
            }
            try {
                ChildCli.awaitWhileAlive(
                        () -> metric(get(port, "/metrics").body(), "pgferry_stream_transactions_total", "pgferry_slot")
                                >= 5,
                        p,
                        dir.resolve("err.txt"));
            } catch (AssertionError e) {
                throw new AssertionError(
                        "stderr: " + java.nio.file.Files.readString(dir.resolve("err.txt")) + "\nmetrics: "
                                + get(port, "/metrics").body(),
                        e);
            }
            String metrics = get(port, "/metrics").body();
            assertThat(metric(metrics, "pgferry_stream_received_bytes_total", "pgferry_slot"))
                    .isPositive();
            assertThat(metric(metrics, "pgferry_slot_lag_bytes", "pgferry_slot"))
                    .isGreaterThanOrEqualTo(0);
            assertThat(metric(metrics, "pgferry_slot_retained_wal_bytes", "pgferry_slot"))
                    .isPositive();
            assertThat(metric(metrics, "pgferry_slot_active", "pgferry_slot")).isEqualTo(1.0);
            assertThat(metrics).doesNotContain("row-value-", "password");
        } finally {
            p.destroy();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aRunningScanCountsFindingsByRuleAndSeverity(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
        int port = WebhookServer.freePort();
        Process p = ChildCli.start(
                dir.resolve("out.txt"),
                dir.resolve("err.txt"),
                Map.of("PGFERRY_STATE_DIR", dir.resolve("state").toString()),
                "scan",
                "--source",
                db.uri(),
                "--tables",
                "public.t",
                "--channel",
                "jsonl:" + dir.resolve("f.jsonl"),
                "--http",
                String.valueOf(port));
        try {
            ChildCli.awaitWhileAlive(() -> status(port, "/ready") == 200, p, dir.resolve("err.txt"));
            db.execute("INSERT INTO t VALUES (1, 'mail jane.roe@example.org')");
            ChildCli.awaitWhileAlive(
                    () -> get(port, "/metrics")
                            .body()
                            .contains("pgferry_scan_findings_total{rule=\"email\",severity=\"high\"} 1.0"),
                    p,
                    dir.resolve("err.txt"));
            assertThat(get(port, "/metrics").body()).doesNotContain("jane.roe");
        } finally {
            p.destroy();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aRunningSyncCountsItsCopyAndItsAppliedChanges(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT i, 'v' FROM generate_series(1, 100) i");
        int port = WebhookServer.freePort();
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            Process p = ChildCli.start(
                    dir.resolve("out.txt"),
                    dir.resolve("err.txt"),
                    Map.of(),
                    "sync",
                    "--source",
                    db.uri(),
                    "--target",
                    target.uri(),
                    "--tables",
                    "public.t",
                    "--http",
                    "127.0.0.1:" + port);
            try {
                ChildCli.awaitWhileAlive(
                        () -> metric(scrape(port), "pgferry_sync_copy_rows", "pgferry_sync") == 100,
                        p,
                        dir.resolve("err.txt"));
                ChildCli.awaitWhileAlive(() -> status(port, "/ready") == 200, p, dir.resolve("err.txt"));
                db.execute("INSERT INTO t VALUES (1001, 'new')", "UPDATE t SET v = 'w' WHERE id = 1");
                ChildCli.awaitWhileAlive(
                        () -> metric(get(port, "/metrics").body(), "pgferry_sync_changes_applied_total", "pgferry_sync")
                                >= 2,
                        p,
                        dir.resolve("err.txt"));
                // The slot's figures are read from the source at most every 5 s: the first read may predate it.
                ChildCli.awaitWhileAlive(
                        () -> metric(scrape(port), "pgferry_slot_active", "pgferry_sync") == 1.0,
                        p,
                        dir.resolve("err.txt"));
                // The sync's own lag, from its looks at the source every 5 s: NaN before the first.
                ChildCli.awaitWhileAlive(
                        () -> {
                            double lag = metric(scrape(port), "pgferry_sync_lag_seconds", "pgferry_sync");
                            return lag >= 0 && lag < 30;
                        },
                        p,
                        dir.resolve("err.txt"));
            } finally {
                p.destroy();
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            }
        }
    }

    @Test
    void aBadAddressIsAUsageError(TestDatabase db) {
        CliRun run = CliRun.run("stream", "--source", db.uri(), "--http", "localhost:http");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.errLines()).singleElement().satisfies(l -> assertThat(l).contains("--http localhost:http"));
    }
}
