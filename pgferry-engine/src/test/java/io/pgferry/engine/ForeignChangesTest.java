package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.PgFerryException;
import io.pgferry.engine.config.DdlMode;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The changes that trip other tools, streamed into MariaDB and SQLite (issue 7): unchanged TOAST values left out of
 * the UPDATE (never written as a placeholder), TRUNCATE inside the batch, ADD COLUMN (which MySQL commits at once),
 * a keyless table with REPLICA IDENTITY FULL, and a second unique index on the target.
 */
@PgTest
@Tag("stream")
@Tag("mariadb")
class ForeignChangesTest {
    static Stream<Arguments> destinations() {
        return ForeignSyncTest.destinations();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("destinations")
    void toastTruncateAddColumnKeylessAndSecondUniqueIndex(String kind, TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE docs (id int PRIMARY KEY, body text, n int)",
                "ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL",
                "INSERT INTO docs SELECT i, repeat('x', 10000) || i, i FROM generate_series(1, 20) i",
                "CREATE TABLE log (msg text, at int)",
                "ALTER TABLE log REPLICA IDENTITY FULL",
                "INSERT INTO log VALUES ('a', 1), ('a', 1), ('b', 2)",
                "CREATE TABLE u (id int PRIMARY KEY, code text)",
                "INSERT INTO u VALUES (1, 'A'), (2, 'B')",
                "CREATE TABLE gone (id int PRIMARY KEY)",
                "INSERT INTO gone SELECT generate_series(1, 10)");
        try (Destination d = ForeignSyncTest.open(kind)) {
            SyncEngine engine = new SyncEngine(Destination.config(source, d).build());
            ExecutorService runner = Executors.newSingleThreadExecutor();
            try {
                Future<SyncEngine.Result> run = runner.submit(engine::run);
                ForeignSyncTest.awaitRows(
                        d,
                        "SELECT count(*) FROM " + d.qualified("gone"),
                        java.util.List.of("10"),
                        Duration.ofSeconds(60));
                d.execute("CREATE UNIQUE INDEX u_code ON " + d.qualified("u") + " (code)");
                source.execute(
                        // Only n changes: body is an unchanged TOAST value the server does not send.
                        "UPDATE docs SET n = n + 100",
                        "DELETE FROM log WHERE ctid = (SELECT ctid FROM log WHERE msg = 'a' LIMIT 1)",
                        "UPDATE log SET at = 3 WHERE msg = 'b'",
                        // Swapping codes passes through a state the target's unique index would refuse in one go.
                        "BEGIN; UPDATE u SET code = 'tmp' WHERE id = 1; UPDATE u SET code = 'A' WHERE id = 2;"
                                + " UPDATE u SET code = 'B' WHERE id = 1; COMMIT",
                        "TRUNCATE gone",
                        "ALTER TABLE docs ADD COLUMN extra text",
                        "UPDATE docs SET extra = 'e' || id WHERE id <= 3",
                        // The rows already there read the default at the source, and no change carries it.
                        "ALTER TABLE docs ADD COLUMN flag boolean DEFAULT true, ADD COLUMN label text DEFAULT 'it''s'",
                        "UPDATE docs SET n = n WHERE id = 20");
                ForeignSyncTest.awaitRows(
                        d,
                        "SELECT id, flag, label FROM " + d.qualified("docs") + " WHERE id IN (1, 20) ORDER BY id",
                        java.util.List.of("1|1|it's", "20|1|it's"),
                        Duration.ofSeconds(60));
                ForeignSyncTest.awaitRows(
                        d,
                        "SELECT id, length(body), n, extra FROM " + d.qualified("docs") + " WHERE id IN (1, 2, 20)"
                                + " ORDER BY id",
                        java.util.List.of("1|10001|101|e1", "2|10001|102|e2", "20|10002|120|null"),
                        Duration.ofSeconds(60));
                ForeignSyncTest.awaitRows(
                        d,
                        "SELECT msg, at FROM " + d.qualified("log") + " ORDER BY msg",
                        java.util.List.of("a|1", "b|3"),
                        Duration.ofSeconds(30));
                ForeignSyncTest.awaitRows(
                        d,
                        "SELECT id, code FROM " + d.qualified("u") + " ORDER BY id",
                        java.util.List.of("1|B", "2|A"),
                        Duration.ofSeconds(30));
                assertThat(d.rows("SELECT count(*) FROM " + d.qualified("gone")))
                        .containsExactly("0");
                engine.stop();
                run.get();
            } finally {
                engine.stop();
                runner.shutdownNow();
            }
        }
    }

    /**
     * Regression, issue 7: MariaDB commits DDL at once, so a column is added outside the open batch and the batch
     * delivered again. When the columns came in one source transaction, the batch was delivered again from before
     * the first, and the sync stopped, taking its older Relation for a dropped column (it failed CI once). The rows
     * the source inserted before a column existed must read its default there, not NULL; the row that wrote NULL keeps
     * it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("destinations")
    void columnsAddedWithinOneTransactionAreAddedOnceEach(String kind, TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE t (id int PRIMARY KEY, n int)", "INSERT INTO t SELECT i, i FROM generate_series(1, 2) i");
        try (Destination d = ForeignSyncTest.open(kind)) {
            SyncEngine engine = new SyncEngine(Destination.config(source, d).build());
            ExecutorService runner = Executors.newSingleThreadExecutor();
            try {
                Future<SyncEngine.Result> run = runner.submit(engine::run);
                String q = "SELECT count(*) FROM " + d.qualified("t");
                ForeignSyncTest.awaitRows(d, q, java.util.List.of("2"), Duration.ofSeconds(60));
                source.execute("BEGIN; INSERT INTO t VALUES (6, 6); ALTER TABLE t ADD COLUMN a text DEFAULT 'x';"
                        + " INSERT INTO t VALUES (7, 7); ALTER TABLE t ADD COLUMN b int DEFAULT 42;"
                        + " INSERT INTO t VALUES (8, 8, NULL, NULL); COMMIT");
                ForeignSyncTest.awaitRows(
                        d,
                        "SELECT id, n, a, b FROM " + d.qualified("t") + " ORDER BY id",
                        java.util.List.of("1|1|x|42", "2|2|x|42", "6|6|x|42", "7|7|x|42", "8|8|null|null"),
                        Duration.ofSeconds(60));
                assertThat(run.isDone()).as("the sync is still running").isFalse();
                engine.stop();
                run.get();
            } finally {
                engine.stop();
                runner.shutdownNow();
            }
        }
    }
    /**
     * A column added while the sync was stopped is added at the next start when DDL is applied (with DDL mode stop
     * the start stops, naming it, and adds nothing); the rows the destination held, and those inserted before the
     * column existed, read the source's default.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("destinations")
    void aColumnAddedWhileTheSyncWasStoppedIsAddedAtTheNextStart(String kind, TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE t (id int PRIMARY KEY, n int)", "INSERT INTO t SELECT i, i FROM generate_series(1, 3) i");
        try (Destination d = ForeignSyncTest.open(kind)) {
            new SyncEngine(Destination.config(source, d).untilCaughtUp(true).build()).run();
            source.execute(
                    "INSERT INTO t VALUES (4, 4)",
                    "ALTER TABLE t ADD COLUMN a text DEFAULT 'x'",
                    "INSERT INTO t VALUES (5, 5, NULL)",
                    "UPDATE t SET a = 'y' WHERE id = 2");
            assertThatThrownBy(() -> new SyncEngine(Destination.config(source, d)
                                    .untilCaughtUp(true)
                                    .ddl(DdlMode.STOP)
                                    .build())
                            .run())
                    .isInstanceOfSatisfying(PgFerryException.class, e -> assertThat(e.problem())
                            .contains("has no column a of source table public.t"));
            new SyncEngine(Destination.config(source, d).untilCaughtUp(true).build()).run();
            ForeignSyncTest.awaitRows(
                    d,
                    "SELECT id, n, a FROM " + d.qualified("t") + " ORDER BY id",
                    java.util.List.of("1|1|x", "2|2|y", "3|3|x", "4|4|x", "5|5|null"),
                    Duration.ofSeconds(60));
        }
    }
}
