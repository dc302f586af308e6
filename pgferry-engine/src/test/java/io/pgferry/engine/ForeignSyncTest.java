package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.PgFerryException;
import io.pgferry.core.sink.TableState;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.jdbc.SyncCatalog;
import io.pgferry.jdbc.foreign.JdbcTargetUri;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Syncs into MariaDB and SQLite (issue 7): copy, then every kind of change, against real servers. */
@PgTest
@Tag("stream")
@Tag("mariadb")
class ForeignSyncTest {
    static Stream<Arguments> destinations() {
        return Stream.of(Arguments.of("mariadb"), Arguments.of("sqlite"));
    }

    static Destination open(String kind) throws Exception {
        return kind.equals("mariadb") ? Destination.mariadb() : Destination.sqlite();
    }

    /** Waits until {@code target} returns {@code expected}, then asserts it. */
    static void awaitRows(Destination d, String sql, List<String> expected, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (d.rows(sql).equals(expected)) {
                    return;
                }
            } catch (SQLException e) {
                // A column or table the sync has not created yet: wait on.
            }
            Thread.sleep(50); // polling interval of the wait, not a synchronisation
        }
        assertThat(d.rows(sql)).isEqualTo(expected);
    }

    static List<String> sourceRows(TestDatabase source, String sql) throws SQLException {
        return Databases.query(source, sql);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("destinations")
    void copiesWhileWritesGoOnThenStreamsEveryKindOfChange(String kind, TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE orders (id bigint PRIMARY KEY, amount numeric(12,2), note text, flag bool)",
                "INSERT INTO orders SELECT i, i * 1.5, 'n' || i, i % 2 = 0 FROM generate_series(1, 20000) i");
        try (Destination d = open(kind)) {
            SyncEngine engine = new SyncEngine(Destination.config(source, d).build());
            ExecutorService runner = Executors.newFixedThreadPool(2);
            try {
                Future<SyncEngine.Result> run = runner.submit(engine::run);
                // Writes during the copy: the seam between copy and stream loses and repeats nothing.
                Future<?> writer = runner.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        source.execute(
                                "INSERT INTO orders VALUES (" + (30000 + i) + ", 1, 'during', true)",
                                "UPDATE orders SET amount = amount + 1 WHERE id = " + (i * 50 + 1),
                                "DELETE FROM orders WHERE id = " + (i * 50 + 2));
                    }
                    return null;
                });
                writer.get();
                source.execute(
                        "BEGIN; UPDATE orders SET note = 'first' WHERE id = 7; UPDATE orders SET note = 'second'"
                                + " WHERE id = 7; COMMIT",
                        "UPDATE orders SET id = 90001 WHERE id = 30001",
                        "INSERT INTO orders VALUES (5, 1, 'gone', null) ON CONFLICT DO NOTHING");
                String q = "SELECT id, amount, note, flag FROM " + d.qualified("orders") + " ORDER BY id";
                List<String> expected = sourceRows(
                        source,
                        "SELECT id, amount, note, CASE WHEN flag THEN 1 WHEN NOT flag THEN 0 END FROM orders ORDER BY"
                                + " id");
                awaitRows(d, q, expected, Duration.ofSeconds(90));
                assertThat(d.rows("SELECT note FROM " + d.qualified("orders") + " WHERE id = 7"))
                        .containsExactly("second");
                // Issue #5: the destination alone tells the lag and the slot, as the running sync saw them.
                SyncStatus.Report status = awaitSourceView(d, Duration.ofSeconds(30));
                assertThat(status.slot().active()).isTrue();
                assertThat(status.lagBytes()).isNotNull().isNotNegative();
                assertThat(status.sourceSeenAt()).isNotNull();
                engine.stop();
                run.get();
            } finally {
                engine.stop();
                runner.shutdownNow();
            }
        }
    }

    /**
     * Issue #7: a second sync with the same slot, started while the first one's initial copy runs, took that copy
     * for an abandoned one and emptied its tables before failing on the slot. It must stop at once, touching nothing.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("destinations")
    void aSecondSyncDuringTheFirstOnesCopyIsRefusedAndEmptiesNothing(String kind, TestDatabase source)
            throws Exception {
        int rows = 300_000;
        source.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, " + rows + ") i");
        try (Destination d = open(kind);
                RunningSync first = RunningSync.start(
                        new SyncEngine(Destination.config(source, d).build()))) {
            String count = "SELECT count(*) FROM " + d.qualified("t");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (copied(d, count) == 0) {
                first.assertRunning();
                assertThat(System.nanoTime() - deadline)
                        .as("the first sync's copy has begun")
                        .isNegative();
                Thread.sleep(20); // polling interval of the wait, not a synchronisation
            }
            assertThat(copied(d, count)).as("the copy is still under way").isLessThan(rows);
            SyncEngine second = new SyncEngine(Destination.config(source, d).build());
            ExecutorService runner = Executors.newSingleThreadExecutor();
            try {
                // Bounded: before the fix the second sync could also wait on the first one's tables.
                Future<SyncEngine.Result> run = runner.submit(second::run);
                assertThatThrownBy(() -> run.get(60, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .cause()
                        .isInstanceOfSatisfying(PgFerryException.class, e -> assertThat(e.problem())
                                .contains("another pgferry sync with slot " + SyncConfig.Builder.DEFAULT_SLOT
                                        + " is running"));
            } finally {
                second.stop();
                runner.shutdownNow();
            }
            awaitRows(d, count, List.of(String.valueOf(rows)), Duration.ofSeconds(90));
            first.assertRunning();
        }
    }

    /**
     * Issue #7: MySQL's {@code ON DUPLICATE KEY UPDATE} and {@code REPLACE} act on a conflict with any unique index.
     * The initial copy used {@code LOAD DATA ... REPLACE}, so a second unique index on an existing target table made
     * it delete another row in silence; the copy must fail on such a conflict instead.
     */
    @Test
    void aCopyIntoATableWithASecondUniqueIndexFailsOnAConflictInsteadOfDroppingARow(TestDatabase source)
            throws Exception {
        source.execute(
                "CREATE TABLE u (id int PRIMARY KEY, code text)", "INSERT INTO u VALUES (1, 'a'), (2, 'a'), (3, 'b')");
        try (Destination d = Destination.mariadb()) {
            d.execute("CREATE TABLE " + d.qualified("u")
                    + " (id INT NOT NULL PRIMARY KEY, code VARCHAR(20), UNIQUE KEY u_code (code))");
            SyncEngine engine = new SyncEngine(
                    Destination.config(source, d).untilCaughtUp(true).build());
            assertThatThrownBy(engine::run).hasStackTraceContaining("Duplicate entry");
            assertThat(d.rows("SELECT id FROM " + d.qualified("u") + " ORDER BY id"))
                    .doesNotContain("3");
        }
    }

    /**
     * Issue #5: a table whose copy the destination refuses is recorded in the error state, with the reason and no
     * row value, so that a status read from the destination alone names it; the other tables keep their state.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("destinations")
    void aCopyTheDestinationRefusesPutsItsTableInTheErrorState(String kind, TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v int)",
                "CREATE TABLE ok (id int PRIMARY KEY)",
                "INSERT INTO t SELECT i, i FROM generate_series(1, 1000) i",
                "INSERT INTO ok VALUES (1)");
        try (Destination d = open(kind)) {
            d.execute("CREATE TABLE " + d.qualified("t")
                    + " (id INT NOT NULL PRIMARY KEY, v INT, CONSTRAINT v_small CHECK (v < 500))");
            SyncEngine engine = new SyncEngine(Destination.config(source, d).build());
            assertThatThrownBy(engine::run).isInstanceOf(PgFerryException.class);
            List<SyncCatalog.TableStatus> states = SyncStatus.read(
                            JdbcTargetUri.parse(d.uri(), Map.of()), null, SyncCatalog.DEFAULT_SCHEMA, null)
                    .get(0)
                    .tables();
            assertThat(states)
                    .filteredOn(st -> st.sourceTable().equals("public.t"))
                    .singleElement()
                    .satisfies(st -> {
                        assertThat(st.state()).isEqualTo(TableState.ERROR);
                        assertThat(st.error()).contains("(SQLSTATE 23");
                    });
            assertThat(states)
                    .filteredOn(st -> st.sourceTable().equals("public.ok"))
                    .singleElement()
                    .satisfies(st -> assertThat(st.state()).isNotEqualTo(TableState.ERROR));
        }
    }

    /** Reads the status from the destination alone until the sync's view of the source shows its slot active. */
    private static SyncStatus.Report awaitSourceView(Destination d, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            SyncStatus.Report r = SyncStatus.read(
                            JdbcTargetUri.parse(d.uri(), Map.of()), null, SyncCatalog.DEFAULT_SCHEMA, null)
                    .get(0);
            if ((r.slot() != null && r.slot().active()) || System.nanoTime() > deadline) {
                assertThat(r.slot()).as("the slot as the sync saw it").isNotNull();
                return r;
            }
            Thread.sleep(100); // polling interval of the wait, not a synchronisation
        }
    }

    /** The rows at the destination; 0 before the table is created. */
    private static long copied(Destination d, String count) throws SQLException {
        List<String> r = d.rows(count);
        return r.isEmpty() ? 0 : Long.parseLong(r.get(0));
    }
}
