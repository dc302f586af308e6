package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.PgFerryException;
import io.pgferry.core.sink.TableState;
import io.pgferry.engine.config.CopyMode;
import io.pgferry.engine.config.DdlMode;
import io.pgferry.jdbc.SyncCatalog;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Regression tests for issue 5: the per-table error state was never written (every state update passed no error),
 * so a status read from the target alone showed a table that had stopped the sync as still streaming or copying.
 * A table that stops the sync (a definition change, a row the target refuses, a copy the target refuses) is now in
 * the error state with the reason, the other tables keep theirs, and a run that gets it streaming again clears it.
 *
 * <p>Not tagged "stream": what it tests is the target's side and the sync's own recovery, the same whatever the
 * source's major, so CI runs it on PostgreSQL 17 only.
 */
@PgTest
class TableErrorStateTest {

    private static Map<String, SyncCatalog.TableStatus> states(TestDatabase target) {
        SyncStatus.Report report = SyncStatus.read(Dsn.parse(target.uri()), null, SyncCatalog.DEFAULT_SCHEMA, null)
                .get(0);
        return report.tables().stream().collect(Collectors.toMap(SyncCatalog.TableStatus::sourceTable, t -> t));
    }

    private interface Action {
        void run() throws Exception;
    }

    /** Runs {@code engine} until it fails, doing {@code meanwhile} as it runs, and returns its failure. */
    private static Throwable failureOf(SyncEngine engine, Action meanwhile) throws Exception {
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            Future<SyncEngine.Result> run = thread.submit(engine::run);
            meanwhile.run();
            try {
                run.get(90, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                return e.getCause();
            }
            throw new AssertionError("the sync ended without failing");
        } finally {
            engine.stop();
            thread.shutdownNow();
        }
    }

    @Test
    void aColumnAddedInStopModePutsItsTableInTheErrorStateUntilARunStreamsItAgain(TestDatabase source)
            throws Exception {
        source.execute(
                "CREATE TABLE \"Mixed Case\" (id int PRIMARY KEY, v text)",
                "CREATE TABLE other (id int PRIMARY KEY)",
                "INSERT INTO \"Mixed Case\" VALUES (1, 'a')",
                "INSERT INTO other VALUES (1)");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            SyncEngine engine = new SyncEngine(
                    SyncEngineTest.config(source, target).ddl(DdlMode.STOP).build());
            Throwable failure = failureOf(engine, () -> {
                Databases.awaitSame(source, target, Duration.ofSeconds(60), "\"Mixed Case\"", "other");
                Databases.awaitStreaming(target, Duration.ofSeconds(60));
                source.execute(
                        "ALTER TABLE \"Mixed Case\" ADD COLUMN extra int",
                        "INSERT INTO \"Mixed Case\" VALUES (2, 'b', 5)");
            });
            assertThat(failure).isInstanceOf(PgFerryException.class);
            Map<String, SyncCatalog.TableStatus> states = states(target);
            assertThat(states.get("public.\"Mixed Case\"").state()).isEqualTo(TableState.ERROR);
            assertThat(states.get("public.\"Mixed Case\"").error())
                    .isEqualTo("column extra was added to source table public.\"Mixed Case\" while streaming");
            assertThat(states.get("public.other").state()).isEqualTo(TableState.STREAMING);
            assertThat(states.get("public.other").error()).isNull();

            // Fixed as the error says: the next run streams the table again and clears its error.
            target.execute("ALTER TABLE \"Mixed Case\" ADD COLUMN extra int");
            try (RunningSync again = RunningSync.start(
                    new SyncEngine(SyncEngineTest.config(source, target).build()))) {
                Databases.awaitSame(source, target, Duration.ofSeconds(60), "\"Mixed Case\"");
                Databases.awaitStreaming(target, Duration.ofSeconds(60));
                assertThat(states(target).get("public.\"Mixed Case\"").error()).isNull();
                again.assertRunning();
            }
        }
    }

    @Test
    void aChangeTheTargetRefusesPutsItsTableInTheErrorStateWithoutItsValues(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "CREATE TABLE u (id int PRIMARY KEY)",
                "INSERT INTO t VALUES (1, 'fine')");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            target.execute(
                    "CREATE TABLE t (id int PRIMARY KEY, v text CONSTRAINT v_not_secret CHECK (v <> 'secret-value'))",
                    "CREATE TABLE u (id int PRIMARY KEY)");
            SyncEngine engine =
                    new SyncEngine(SyncEngineTest.config(source, target).build());
            Throwable failure = failureOf(engine, () -> {
                Databases.awaitSame(source, target, Duration.ofSeconds(60), "t");
                source.execute("BEGIN; INSERT INTO u VALUES (1); INSERT INTO t VALUES (2, 'secret-value'); COMMIT");
            });
            assertThat(failure).isInstanceOf(PgFerryException.class);
            SyncCatalog.TableStatus t = states(target).get("public.t");
            assertThat(t.state()).isEqualTo(TableState.ERROR);
            assertThat(t.error())
                    .contains("constraint violation on constraint v_not_secret")
                    .contains("23514");
            assertThat(t.error()).doesNotContain("secret-value");
            assertThat(states(target).get("public.u").state()).isNotEqualTo(TableState.ERROR);
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = CopyMode.class,
            names = {"SNAPSHOT", "CHUNKED"})
    void aCopyTheTargetRefusesPutsItsTableInTheErrorState(CopyMode mode, TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v int)",
                "CREATE TABLE ok (id int PRIMARY KEY)",
                "INSERT INTO t SELECT i, i FROM generate_series(1, 1000) i",
                "INSERT INTO ok SELECT i FROM generate_series(1, 10) i");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            target.execute("CREATE TABLE t (id int PRIMARY KEY, v int CONSTRAINT v_small CHECK (v < 500))");
            SyncEngine engine = new SyncEngine(
                    SyncEngineTest.config(source, target).copyMode(mode).build());
            assertThatThrownBy(engine::run).isInstanceOf(PgFerryException.class);
            SyncCatalog.TableStatus t = states(target).get("public.t");
            assertThat(t.state()).isEqualTo(TableState.ERROR);
            assertThat(t.error())
                    .startsWith("could not copy table public.t: constraint violation on constraint v_small");
        }
    }
}
