package io.pgferry.cli.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgferry.cli.ChildCli;
import io.pgferry.cli.CliRun;
import io.pgferry.cli.StreamRun;
import io.pgferry.cli.command.ExitCodes;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pgferry guard}, {@code verify} and {@code runs} as a user runs them, against a {@code pgferry sync} target
 * kept current by a running sync. Issue #6.
 */
@PgTest
class VerifyCommandTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void syncTargetVerifiedCleanThenDivergedAndRecorded(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE orders (id int PRIMARY KEY, amount numeric(12,2), note text)",
                "CREATE TABLE tags (id uuid PRIMARY KEY, label text)",
                "INSERT INTO orders SELECT i, i * 1.25, 'n' || i FROM generate_series(1, 3000) i",
                "INSERT INTO tags SELECT md5(i::text)::uuid, 'l' || i FROM generate_series(1, 300) i");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            ok(CliRun.run("guard", "install", "--dsn", source.uri()));
            // Installing again is a no-op (issue 6: it failed with exit 3 and the fix "nothing to do").
            CliRun again = CliRun.run("guard", "install", "--dsn", source.uri());
            ok(again);
            assertThat(again.out()).contains("is installed in").contains("already: nothing to do");
            ok(CliRun.run("guard", "register", "--dsn", source.uri(), "--table", "public.orders,public.tags"));
            // The target's syncguard first: the sync runs the guard worker of both sides (--guard).
            ok(CliRun.runWithEnv(Map.of("PGFERRY_DSN", target.uri()), "guard", "install"));
            Process sync = ChildCli.start(
                    dir.resolve("sync-out.txt"),
                    dir.resolve("sync-err.txt"),
                    "sync",
                    "--source",
                    source.uri(),
                    "--target",
                    target.uri(),
                    "--tables",
                    "public.*",
                    "--guard");
            try {
                await(
                        () -> target.queryLong("SELECT count(*) FROM pgferry.table_state WHERE state = 'streaming'")
                                == 2,
                        sync);
                ok(CliRun.runWithEnv(
                        Map.of("PGFERRY_DSN", target.uri()),
                        "guard",
                        "register",
                        "--table",
                        "orders",
                        "--table",
                        "tags"));
                source.execute(
                        "UPDATE orders SET amount = amount + 1 WHERE id % 7 = 0",
                        "DELETE FROM tags WHERE label LIKE 'l1%'", "INSERT INTO orders VALUES (-5, 0, 'negative')");
                Map<String, String> env =
                        Map.of("PGFERRY_PUBLISHER_DSN", source.uri(), "PGFERRY_SUBSCRIBER_DSN", target.uri());

                // Both sides' workers run in the sync: verify waits for them instead of recomputing itself.
                await(
                        () -> source.queryLong("SELECT count(*) FROM syncguard.worker_state") == 1
                                && target.queryLong("SELECT count(*) FROM syncguard.sweep_state") == 2,
                        sync);
                CliRun clean = CliRun.runWithEnv(env, "verify", "--consistency-mode", "lsn-barrier");
                assertThat(clean.exitCode())
                        .as(
                                "%s%s\nthe sync's log:\n%s",
                                clean.out(), clean.err(), Files.readString(dir.resolve("sync-err.txt")))
                        .isEqualTo(ExitCodes.OK);
                assertThat(clean.out())
                        .contains("public.orders (key range of 1000)")
                        .contains("result: in sync (exit 0)");
                // Issue 6: a list given as one value (a PGFERRY_TABLE variable, a configuration file's list, --table
                // a,b) named one table called "orders,public.tags", registered on neither side: exit 3.
                Map<String, String> listed = new java.util.HashMap<>(env);
                listed.put("PGFERRY_TABLE", "orders,public.tags");
                CliRun both = CliRun.runWithEnv(listed, "verify", "--consistency-mode", "lsn-barrier");
                assertThat(both.exitCode()).as(both.out() + both.err()).isEqualTo(ExitCodes.OK);
                assertThat(both.out()).contains("public.orders").contains("public.tags");
                // Issue 6: an inconclusive run exits 3: no registered table matched, or a barrier never reached.
                CliRun none = CliRun.runWithEnv(env, "verify", "--table", "public.nosuch");
                assertThat(none.exitCode()).as(none.out() + none.err()).isEqualTo(ExitCodes.INCONCLUSIVE);
                CliRun unreached = CliRun.runWithEnv(
                        env,
                        "verify",
                        "--consistency-mode",
                        "lsn-barrier",
                        "--slot",
                        "no_such_slot",
                        "--barrier-timeout",
                        "1s");
                assertThat(unreached.exitCode())
                        .as(unreached.out() + unreached.err())
                        .isEqualTo(ExitCodes.INCONCLUSIVE);
                assertThat(unreached.out() + unreached.err()).contains("no_such_slot");

                try (Connection c = target.connect();
                        Statement st = c.createStatement()) {
                    st.execute("SET session_replication_role = replica");
                    st.execute("UPDATE orders SET note = 'tampered' WHERE id = 2500");
                    // Issue 6's scenario in full: a row changed, one deleted and one added behind replication's back.
                    st.execute("DELETE FROM orders WHERE id = 1500");
                    st.execute("INSERT INTO orders VALUES (7777, 1, 'extra')");
                }
                CliRun diverged = CliRun.runWithEnv(
                        env, "verify", "--consistency-mode", "lsn-barrier", "--json", "--write-control-plane");
                assertThat(diverged.exitCode()).as(diverged.err()).isEqualTo(ExitCodes.DIVERGED);
                JsonNode doc = StreamRun.MAPPER.readTree(diverged.out());
                assertThat(doc.get("outcome").asText()).isEqualTo("diverged");
                assertThat(doc.get("divergences").asInt()).isEqualTo(3);
                JsonNode orders = doc.get("tables").get(0);
                assertThat(orders.get("table").asText()).isEqualTo("orders");
                assertThat(orders.get("divergences"))
                        .extracting(d -> d.get("bucket_id").asLong() + ":"
                                + d.get("status").asText())
                        .containsExactly("1:count_mismatch", "2:hash_mismatch", "7:missing_on_publisher");
                String runId = doc.get("run_id").asText();

                CliRun list = CliRun.run("runs", "list");
                assertThat(list.out()).contains(runId.substring(0, 8)).contains("diverged");
                CliRun show = CliRun.run("runs", "show", runId.substring(0, 8));
                assertThat(show.exitCode()).as(show.err()).isEqualTo(ExitCodes.OK);
                assertThat(show.out()).containsPattern("#\\d+ public.orders bucket 2: hash_mismatch, open");

                CliRun inspect = CliRun.runWithEnv(env, "inspect", "--table", "public.orders", "--bucket-id", "2");
                assertThat(inspect.exitCode()).as(inspect.err()).isEqualTo(ExitCodes.DIVERGED);
                assertThat(inspect.out())
                        .contains("public.orders bucket 2 (id 2000..2999): 1 row(s) differ")
                        .contains("changed (id=2500): note")
                        .contains(
                                "INSERT INTO public.orders (\"amount\", \"id\", \"note\") VALUES ('3125.00'::numeric(12,2),"
                                        + " '2500'::integer, 'n2500'::text) ON CONFLICT (\"id\") DO UPDATE SET");
                // The same inspection as one JSON document (untested until issue 6's audit).
                CliRun inspectJson =
                        CliRun.runWithEnv(env, "inspect", "--table", "public.orders", "--bucket-id", "2", "--json");
                assertThat(inspectJson.exitCode()).as(inspectJson.err()).isEqualTo(ExitCodes.DIVERGED);
                JsonNode inspected = StreamRun.MAPPER.readTree(inspectJson.out());
                assertThat(inspected.get("schema").asText()).isEqualTo("public");
                assertThat(inspected.get("table").asText()).isEqualTo("orders");
                assertThat(inspected.get("bucket_id").asLong()).isEqualTo(2);
                assertThat(inspected.get("bounds").asText()).isEqualTo("id 2000..2999");
                assertThat(inspected.get("rows")).hasSize(1);
                JsonNode row = inspected.get("rows").get(0);
                assertThat(row.get("kind").asText()).isEqualTo("changed");
                assertThat(row.get("columns")).extracting(JsonNode::asText).containsExactly("note");
                assertThat(row.get("publisher").get("note").asText()).isEqualTo("n2500");
                assertThat(row.get("subscriber").get("note").asText()).isEqualTo("tampered");
                assertThat(inspected.get("plan")).hasSize(1);
                assertThat(inspected.get("plan").get(0).asText()).startsWith("INSERT INTO public.orders");
                assertThat(inspected.get("settings")).isNotEmpty();
                CliRun dry = CliRun.runWithEnv(
                        env, "repair", "--table", "orders", "--schema", "public", "--bucket-id", "2", "--dry-run");
                assertThat(dry.out()).contains("dry run: nothing was changed");
                assertThat(target.queryString("SELECT note FROM orders WHERE id = 2500"))
                        .isEqualTo("tampered");
                CliRun repair = CliRun.runWithEnv(env, "repair", "--table", "public.orders", "--bucket-id", "2");
                assertThat(repair.exitCode()).as(repair.err()).isEqualTo(ExitCodes.OK);
                assertThat(repair.out())
                        .contains("repaired: 1 statement(s) applied on the subscriber")
                        .contains("1 divergence(s) marked resolved");
                CliRun deleted = CliRun.runWithEnv(env, "inspect", "--table", "public.orders", "--bucket-id", "1");
                assertThat(deleted.out()).contains("missing on subscriber (id=1500)");
                CliRun added = CliRun.runWithEnv(env, "inspect", "--table", "public.orders", "--bucket-id", "7");
                assertThat(added.out())
                        .contains("missing on publisher (id=7777)")
                        .contains("DELETE FROM public.orders WHERE \"id\" = '7777'::integer");
                for (String bucket : List.of("1", "7")) {
                    CliRun fixed = CliRun.runWithEnv(env, "repair", "--table", "public.orders", "--bucket-id", bucket);
                    assertThat(fixed.exitCode()).as(fixed.err()).isEqualTo(ExitCodes.OK);
                    assertThat(fixed.out()).contains("1 divergence(s) marked resolved");
                }
                assertThat(target.queryLong("SELECT count(*) FROM orders WHERE id IN (1500, 7777)"))
                        .isEqualTo(1);
                CliRun after = CliRun.runWithEnv(env, "verify", "--consistency-mode", "lsn-barrier");
                assertThat(after.exitCode()).as(after.out() + after.err()).isEqualTo(ExitCodes.OK);
                assertThat(CliRun.run("runs", "show", runId).out())
                        .containsPattern(
                                "#\\d+ public.orders bucket 2: hash_mismatch, resolved \\(repaired by pgferry repair\\)");

                // DDL and TRUNCATE through the sync on registered tables: the sync adds the column on the target,
                // both sides' workers sweep again with it, and the emptied table's buckets go on both sides.
                source.execute(
                        "ALTER TABLE orders ADD COLUMN region text DEFAULT 'eu'",
                        "UPDATE orders SET region = 'us' WHERE id BETWEEN 1 AND 10",
                        "TRUNCATE tags",
                        "INSERT INTO tags SELECT md5(i::text)::uuid, 'new' || i FROM generate_series(1, 5) i");
                await(
                        () -> target.queryLong("SELECT count(*) FROM orders WHERE region = 'us'") == 10
                                && target.queryLong("SELECT count(*) FROM tags") == 5,
                        sync);
                CliRun altered = CliRun.runWithEnv(env, "verify", "--consistency-mode", "lsn-barrier", "--json");
                assertThat(altered.exitCode()).as(altered.out() + altered.err()).isEqualTo(ExitCodes.OK);
                JsonNode alteredDoc = StreamRun.MAPPER.readTree(altered.out());
                assertThat(alteredDoc.get("coverage_pct").asDouble()).isEqualTo(100.0);
                // The new column is in the hash: a change to it behind replication's back is found.
                try (Connection c = target.connect();
                        Statement st = c.createStatement()) {
                    st.execute("SET session_replication_role = replica");
                    st.execute("UPDATE orders SET region = 'moved' WHERE id = 20");
                }
                CliRun regionChanged = CliRun.runWithEnv(env, "verify", "--consistency-mode", "lsn-barrier", "--json");
                assertThat(regionChanged.exitCode()).as(regionChanged.err()).isEqualTo(ExitCodes.DIVERGED);
                assertThat(StreamRun.MAPPER
                                .readTree(regionChanged.out())
                                .get("tables")
                                .get(0)
                                .get("divergences"))
                        .extracting(d -> d.get("bucket_id").asLong() + ":"
                                + d.get("status").asText())
                        .containsExactly("0:hash_mismatch");
            } finally {
                sync.destroy();
                sync.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void badInputIsAUsageErrorAndARuntimeFailureExitsFour(TestDatabase db) throws Exception {
        CliRun missing = CliRun.run("verify", "--subscriber-dsn", db.uri());
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(missing.err())
                .startsWith("pgferry: error: no --publisher-dsn given; fix: pass --publisher-dsn")
                .contains("PGFERRY_PUBLISHER_DSN");
        CliRun mode = CliRun.run(
                "verify", "--publisher-dsn", db.uri(), "--subscriber-dsn", db.uri(), "--consistency-mode", "exact");
        assertThat(mode.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(mode.err()).contains("unknown --consistency-mode exact");
        CliRun notInstalled = CliRun.run("verify", "--publisher-dsn", db.uri(), "--subscriber-dsn", db.uri());
        assertThat(notInstalled.exitCode()).isEqualTo(ExitCodes.VERIFY_RUNTIME);
        assertThat(notInstalled.err())
                .contains("syncguard is not installed on the publisher")
                .doesNotContain(db.server().password());
        db.execute("CREATE TABLE nokey (v text)");
        ok(CliRun.run("guard", "install", "--dsn", db.uri()));
        CliRun nokey = CliRun.run("guard", "register", "--dsn", db.uri(), "--table", "nokey");
        assertThat(nokey.exitCode()).isEqualTo(ExitCodes.RUNTIME);
        assertThat(nokey.errLines())
                .containsExactly("pgferry: error: table public.nokey has no primary key (database " + db.name()
                        + "); fix: add a primary key: buckets are ranges or hashes of the key");
        assertThat(db.queryLong("SELECT count(*) FROM syncguard.monitored_tables"))
                .isZero();
    }

    @Test
    void guardRunOnceAndStatus(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE t (id bigint PRIMARY KEY, v text)",
                "INSERT INTO t SELECT i, 'v' FROM generate_series(1, 4321) i");
        ok(CliRun.run("guard", "install", "--dsn", db.uri()));
        ok(CliRun.run("guard", "register", "--dsn", db.uri(), "--table", "t", "--bucket-size", "500"));
        CliRun before = CliRun.run("guard", "status", "--dsn", db.uri());
        assertThat(before.out()).contains("public.t: key range of 500; 0 buckets, 0 rows; initial sweep pending");
        CliRun once = CliRun.run("guard", "run", "--once", "--dsn", db.uri());
        ok(once);
        assertThat(once.out()).contains("1 table(s) swept");
        CliRun after = CliRun.run("guard", "status", "--dsn", db.uri());
        assertThat(after.out()).contains("public.t: key range of 500; 9 buckets, 4,321 rows; swept; no dirty bucket");
        CliRun upgrade = CliRun.run("guard", "upgrade", "--dsn", db.uri());
        assertThat(upgrade.out()).contains("is current");
        ok(CliRun.run("guard", "uninstall", "--dsn", db.uri()));
        assertThat(db.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'syncguard'"))
                .isZero();
    }

    /**
     * Issue #6: a publication FOR ALL TABLES would also publish syncguard's own logged table, so install warns, naming
     * it and the fix; without one it says nothing.
     */
    @Test
    void installWarnsOfAPublicationForAllTables(TestDatabase db) throws Exception {
        CliRun quiet = CliRun.run("guard", "install", "--dsn", db.uri());
        ok(quiet);
        assertThat(quiet.err()).isEmpty();
        ok(CliRun.run("guard", "uninstall", "--dsn", db.uri()));
        db.execute("CREATE PUBLICATION \"Every Thing\" FOR ALL TABLES");
        CliRun warned = CliRun.run("guard", "install", "--dsn", db.uri());
        ok(warned);
        assertThat(warned.errLines())
                .containsExactly("pgferry: warning: publication Every Thing is FOR ALL TABLES, so it also publishes"
                        + " syncguard.monitored_tables; publish your tables by name or schema instead");
    }

    /** Issue #6: one worker process serves several databases, each given by its own --dsn. */
    @Test
    void guardRunServesSeveralDatabases(TestDatabase db) throws Exception {
        try (TestDatabase other = TestDatabase.create(PostgresServer.second())) {
            for (TestDatabase d : List.of(db, other)) {
                d.execute(
                        "CREATE TABLE t (id int PRIMARY KEY, v text)",
                        "INSERT INTO t SELECT i, 'v' FROM generate_series(1, 1500) i");
                ok(CliRun.run("guard", "install", "--dsn", d.uri()));
                ok(CliRun.run("guard", "register", "--dsn", d.uri(), "--table", "t", "--bucket-size", "1000"));
            }
            CliRun once = CliRun.run("guard", "run", "--once", "--dsn", db.uri(), "--dsn", other.uri());
            ok(once);
            for (TestDatabase d : List.of(db, other)) {
                assertThat(d.queryString("SELECT string_agg(bucket_id || ':' || row_count, ',' ORDER BY bucket_id)"
                                + " FROM syncguard.bucket_catalog"))
                        .as("catalog of %s", d.name())
                        .isEqualTo("0:999,1:501");
            }
        }
    }

    /** Issue #6: out-of-range verify settings are usage errors, one line each, naming the flag. */
    @Test
    void outOfRangeVerifySettingsAreUsageErrors(TestDatabase db) {
        for (String[] bad : List.of(
                new String[] {"--min-coverage-pct", "150"},
                new String[] {"--min-coverage-pct", "-1"},
                new String[] {"--stability-buffer-ms", "-5"},
                new String[] {"--stability-retries", "-1"},
                new String[] {"--live-fallback-dirty-age-ms", "soon"})) {
            CliRun r = CliRun.run(
                    "verify",
                    "--publisher-dsn",
                    db.uri(),
                    "--subscriber-dsn",
                    db.server().uri(db.name() + "_sub"),
                    bad[0],
                    bad[1]);
            assertThat(r.exitCode()).as(String.join(" ", bad) + ": " + r.err()).isEqualTo(ExitCodes.USAGE);
            assertThat(r.errLines()).as(String.join(" ", bad)).hasSize(1);
            assertThat(r.err()).contains(bad[0]);
        }
    }

    /** Issue #6: a worker process killed with SIGKILL and started again brings the catalog current. */
    @Test
    void guardRunKilledAndStartedAgain(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v int)",
                "INSERT INTO t SELECT i, 0 FROM generate_series(1, 20000) i");
        ok(CliRun.run("guard", "install", "--dsn", db.uri()));
        ok(CliRun.run("guard", "register", "--dsn", db.uri(), "--table", "t", "--bucket-size", "100"));
        Process first = ChildCli.start(
                dir.resolve("w1-out.txt"),
                dir.resolve("w1-err.txt"),
                "guard",
                "run",
                "--dsn",
                db.uri(),
                "--naptime",
                "20ms");
        try {
            await(() -> db.queryLong("SELECT count(*) FROM syncguard.sweep_state") == 1, first, "w1-err.txt");
            db.execute("UPDATE t SET v = 1 WHERE id % 3 = 0");
        } finally {
            first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        db.execute("DELETE FROM t WHERE id % 5 = 0");
        Process second = ChildCli.start(
                dir.resolve("w2-out.txt"),
                dir.resolve("w2-err.txt"),
                "guard",
                "run",
                "--dsn",
                db.uri(),
                "--naptime",
                "20ms");
        try {
            await(() -> db.queryLong("SELECT count(*) FROM syncguard.dirty_buckets") == 0, second, "w2-err.txt");
        } finally {
            second.destroy();
            second.waitFor(30, TimeUnit.SECONDS);
        }
        String incremental = db.queryString("SELECT string_agg(bucket_id || ':' || row_count || ':' || bucket_hash, ','"
                + " ORDER BY bucket_id) FROM syncguard.bucket_catalog");
        ok(CliRun.run("guard", "register", "--dsn", db.uri(), "--table", "t", "--bucket-size", "100"));
        ok(CliRun.run("guard", "run", "--once", "--dsn", db.uri()));
        assertThat(db.queryString("SELECT string_agg(bucket_id || ':' || row_count || ':' || bucket_hash, ','"
                        + " ORDER BY bucket_id) FROM syncguard.bucket_catalog"))
                .isEqualTo(incremental);
    }

    private static void ok(CliRun r) {
        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(ExitCodes.OK);
    }

    interface Condition {
        boolean holds() throws SQLException;
    }

    private void await(Condition c, Process p) throws Exception {
        await(c, p, "sync-err.txt");
    }

    private void await(Condition c, Process p, String errFile) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            try {
                if (c.holds()) {
                    return;
                }
            } catch (SQLException e) {
                // the sync has not created its tables yet
            }
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("condition not met; stderr: " + Files.readString(dir.resolve(errFile)));
            }
            Thread.sleep(20); // polling interval of the wait, not a synchronisation
        }
    }

    /** An empty history says so and where it looked, rather than printing nothing. */
    @Test
    void anEmptyHistorySaysWhereItLooked(TestDatabase control) {
        CliRun list = CliRun.run("runs", "list", "--control-dsn", control.uri());
        assertThat(list.exitCode()).as(list.err()).isEqualTo(ExitCodes.OK);
        assertThat(list.out()).startsWith("no verify runs recorded in ");
    }
}
