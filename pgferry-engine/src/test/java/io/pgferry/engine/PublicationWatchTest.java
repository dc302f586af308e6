package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.PgFerryException;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.postgres.catalog.TableName;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Regression (issue 5, issue 7 for the other destinations): a table taken out of the sync's publication by hand
 * while the sync ran lost its changes from then on, without an error, until the sync was started again. A running
 * sync now notices it within one look at the source ({@link SourceWatch#INTERVAL}) and starts again: it copies the
 * table afresh into the publication it created, and stops with the start's refusal for a publication of the user's.
 */
@PgTest
@Tag("stream")
class PublicationWatchTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** A sync of every table of {@code source}, running once its tables a and b are at the target. */
    private static RunningSync streamingAAndB(TestDatabase source, TestDatabase target) throws Exception {
        RunningSync sync = RunningSync.start(new SyncEngine(
                SyncEngineTest.config(source, target).include("public.*").build()));
        Databases.awaitSame(source, target, WAIT, "a", "b");
        return sync;
    }

    @Test
    void aTableTakenOutOfTheSyncsPublicationWhileItRunsIsCopiedAfreshWithoutAStop(TestDatabase source)
            throws Exception {
        SyncTableSetTest.tablesAAndB(source);
        try (TestDatabase target = TestDatabase.create(PostgresServer.second());
                RunningSync sync = streamingAAndB(source, target)) {
            source.execute(
                    "ALTER PUBLICATION pgferry_sync DROP TABLE b",
                    "UPDATE b SET v = 'while unpublished' WHERE id <= 10",
                    "DELETE FROM b WHERE id = 20",
                    "UPDATE a SET v = 'y'");
            Databases.awaitSame(source, target, Duration.ofSeconds(60), "a", "b");
            assertThat(published(source)).containsExactly("a", "b");
            source.execute("UPDATE b SET v = 'after' WHERE id = 50", "INSERT INTO a VALUES (2, 'later')");
            Databases.awaitSame(source, target, Duration.ofSeconds(60), "a", "b");
            sync.assertRunning();
            assertThat(sync.engine().restarts()).isEqualTo(1);
        }
    }

    @Test
    void aTableTakenOutOfAPublicationOfTheUsersWhileTheSyncRunsStopsItWithTheFix(TestDatabase source) throws Exception {
        SyncTableSetTest.tablesAAndB(source);
        source.execute("CREATE PUBLICATION mine FOR TABLE a, b");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            SyncConfig config = SyncEngineTest.config(source, target)
                    .include("public.*")
                    .publication("mine")
                    .build();
            RunningSync sync = RunningSync.start(new SyncEngine(config));
            Databases.awaitSame(source, target, Duration.ofSeconds(60), "a", "b");
            source.execute("ALTER PUBLICATION mine DROP TABLE b", "UPDATE b SET v = 'lost' WHERE id = 1");
            Throwable failure = sync.failure(60);
            assertThat(failure)
                    .isInstanceOf(PgFerryException.class)
                    .hasMessageContaining("publication mine exists but does not publish public.b");
            assertThat(((PgFerryException) failure).fix())
                    .contains("ALTER PUBLICATION \"mine\" ADD TABLE \"public\".\"b\"", "copy the table again");
        }
    }

    @Test
    void aSqliteTargetGetsTheTableCopiedAfreshToo(TestDatabase source) throws Exception {
        SyncTableSetTest.tablesAAndB(source);
        try (Destination d = Destination.sqlite();
                RunningSync sync = RunningSync.start(new SyncEngine(
                        Destination.config(source, d).include("public.*").build()))) {
            String q = "SELECT id, v FROM " + d.qualified("b") + " ORDER BY id";
            ForeignSyncTest.awaitRows(d, q, Databases.query(source, "SELECT id, v FROM b ORDER BY id"), WAIT);
            source.execute(
                    "ALTER PUBLICATION pgferry_sync DROP TABLE b", "UPDATE b SET v = 'unpublished' WHERE id = 3");
            source.execute("UPDATE b SET v = 'later' WHERE id = 4");
            ForeignSyncTest.awaitRows(d, q, Databases.query(source, "SELECT id, v FROM b ORDER BY id"), WAIT);
            sync.assertRunning();
            assertThat(sync.engine().restarts()).isEqualTo(1);
        }
    }

    @Test
    void aTableDroppedAtTheSourceWhileTheSyncRunsDoesNotStartItAgain(TestDatabase source) throws Exception {
        SyncTableSetTest.tablesAAndB(source);
        try (TestDatabase target = TestDatabase.create(PostgresServer.second());
                RunningSync sync = streamingAAndB(source, target)) {
            source.execute("DROP TABLE b");
            Instant dropped = Instant.now();
            awaitLookSince(target, dropped);
            source.execute("UPDATE a SET v = 'after the drop'");
            Databases.awaitSame(source, target, Duration.ofSeconds(60), "a");
            sync.assertRunning();
            assertThat(sync.engine().restarts()).isZero();
        }
    }

    /** The guard against starting again and again: the same tables again within a minute stop the sync. */
    @Test
    void theSameTablesLeavingAgainRightAfterARestartStopTheSync() {
        List<TableName> b = List.of(new TableName("public", "b"));
        long soon = Duration.ofSeconds(5).toNanos();
        PublicationWatch.refuseAgain("s", "p", b, null, soon);
        PublicationWatch.refuseAgain("s", "p", b, List.of(new TableName("public", "c")), soon);
        PublicationWatch.refuseAgain("s", "p", b, b, Duration.ofMinutes(2).toNanos());
        assertThatThrownBy(() -> PublicationWatch.refuseAgain("s", "p", b, b, soon))
                .isInstanceOf(PgFerryException.class)
                .hasMessageContaining("sync s started again for [public.b], and they left publication p again")
                .hasMessageContaining("ALTER PUBLICATION");
    }

    /** Waits until the running sync has looked at the source after {@code since} (and its publication with it). */
    private static void awaitLookSince(TestDatabase target, Instant since) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String sql = "SELECT count(*) FROM pgferry.source_state WHERE observed_at > '" + since + "'::timestamptz";
        while (target.queryLong(sql) == 0) {
            assertThat(System.nanoTime()).as("a look at the source within 30 s").isLessThan(deadline);
            Thread.sleep(100); // polling interval of the wait, not a synchronisation
        }
    }

    private static List<String> published(TestDatabase source) throws SQLException {
        return Databases.query(
                source, "SELECT tablename FROM pg_publication_tables WHERE pubname = 'pgferry_sync' ORDER BY 1");
    }
}
