package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.pgferry.testkit.MariaDbServer;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.Rows;
import io.pgferry.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 7 regression: a copy into another database that lost a session, of the source or of the destination, stopped
 * the sync, and the next start copied everything again; a copy into PostgreSQL went on. The copy now commits each
 * batch with its range's mark and reads a range again on new sessions, skipping the rows its mark counts, so nothing
 * is lost and nothing written twice: the keyless table (REPLICA IDENTITY FULL) would show a row written twice in its
 * counts.
 *
 * <p>The copy is held by the test's lock on the catalog's {@code copy_range} table, taken once a batch of each table
 * is in: every worker then waits at its next batch's commit, rows written, mark not. The test ends sessions of the copy and
 * lets it go on.
 */
@PgTest
@Tag("stream")
@Tag("mariadb")
class ForeignCopyRetryTest {
    private static final int ROWS = 20_000;
    private static final int KEYLESS_ROWS = 60_000;

    /**
     * Loads {@code t} with values of {@code width} times 32 characters, kept out of line and uncompressed by TOAST
     * when wide, so that the heap, by whose blocks the copy splits its ranges, stays one range.
     */
    private static void load(TestDatabase source, int width) throws SQLException {
        source.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "ALTER TABLE t ALTER v SET STORAGE EXTERNAL",
                "INSERT INTO t SELECT i, repeat(md5(i::text), " + width + ") FROM generate_series(1, " + ROWS + ") i",
                "CREATE TABLE k (a int, b text)",
                "ALTER TABLE k REPLICA IDENTITY FULL",
                "INSERT INTO k SELECT i % 1000, md5((i % 1000)::text) FROM generate_series(1, " + KEYLESS_ROWS + ") i");
    }

    /** A MariaDB destination whose copy is held at its next commit once a batch is in, until {@link #release}. */
    private static final class Held implements AutoCloseable {
        private final Destination.MariaDb d;
        private final Connection lock;

        Held(Destination.MariaDb d) throws SQLException {
            this.d = d;
            this.lock = d.connect();
        }

        /**
         * Takes the lock once a batch of each table is marked (so that both ranges are read again past their marks),
         * then waits until a copy session waits for it.
         */
        List<Long> hold(CompletableFuture<?> sync) throws Exception {
            String marks = d.quote(d.database()) + "." + d.quote("pgferry_copy_range");
            await(sync, "a batch of each table", () -> d.rows("SELECT count(DISTINCT relation) FROM " + marks)
                    .equals(List.of("2")));
            try (Statement st = lock.createStatement()) {
                st.execute("LOCK TABLES " + marks + " WRITE");
            }
            List<Long> waiting = new ArrayList<>();
            await(sync, "a copy session waiting at its commit", () -> {
                waiting.clear();
                waiting.addAll(longs(d.rows("SELECT id FROM information_schema.processlist WHERE db = '" + d.database()
                        + "' AND state LIKE '%metadata lock%'")));
                return !waiting.isEmpty();
            });
            return waiting;
        }

        void release() throws SQLException {
            try (Statement st = lock.createStatement()) {
                st.execute("UNLOCK TABLES");
            }
        }

        @Override
        public void close() throws SQLException {
            lock.close();
        }
    }

    @FunctionalInterface
    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(CompletableFuture<?> sync, String what, Condition c) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!c.holds()) {
            if (sync.isDone()) {
                sync.get();
                throw new AssertionError("the sync ended before " + what);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within 60 s");
            }
            Thread.sleep(5); // polling interval of the wait, not a synchronisation
        }
    }

    private static List<Long> longs(List<String> rows) {
        return rows.stream().map(Long::parseLong).toList();
    }

    private static CompletableFuture<SyncEngine.Result> start(TestDatabase source, Destination d) {
        return InitialCopyRetryTest.start(Destination.config(source, d).maxRetryTime(Duration.ofMinutes(2)));
    }

    /** The source's rows of {@code sql} as the destination's {@link Destination#rows} gives them. */
    private static List<String> sourceRows(TestDatabase source, String sql) throws SQLException {
        return source.withConnection(c -> Rows.of(c, sql));
    }

    private static void assertCopied(TestDatabase source, Destination.MariaDb d, ListAppender<ILoggingEvent> log)
            throws SQLException {
        assertThat(d.rows("SELECT count(*), sum(id) FROM " + d.qualified("t")))
                .containsExactly(ROWS + "|" + ((long) ROWS * (ROWS + 1) / 2));
        assertThat(d.rows("SELECT id, v FROM " + d.qualified("t") + " ORDER BY id"))
                .isEqualTo(sourceRows(source, "SELECT id, v FROM t ORDER BY id"));
        assertThat(d.rows("SELECT a, b, count(*) FROM " + d.qualified("k") + " GROUP BY a, b ORDER BY a, b"))
                .as("no row of the keyless table written twice or lost")
                .isEqualTo(sourceRows(source, "SELECT a, b, count(*) FROM k GROUP BY a, b ORDER BY a, b"));
        assertThat(d.rows("SELECT count(*) FROM " + d.quote(d.database()) + "." + d.quote("pgferry_copy_range")))
                .as("the marks are forgotten once the copy is in")
                .containsExactly("0");
        assertThat(log.list)
                .as("the lost session was retried, and the log names the table, not its rows")
                .anySatisfy(e -> {
                    assertThat(e.getLevel()).isEqualTo(Level.WARN);
                    assertThat(e.getFormattedMessage()).contains("trying again").containsPattern("public\\.[tk]");
                })
                .noneSatisfy(e -> assertThat(e.getFormattedMessage()).contains("c4ca4238")); // md5('1')
    }

    @Test
    void aRangeWhoseDestinationSessionWasLostGoesOnAfterItsLastBatch(TestDatabase source) throws Exception {
        load(source, 1);
        ListAppender<ILoggingEvent> log = InitialCopyRetryTest.retries();
        MariaDbServer server = MariaDbServer.shared();
        try (Destination.MariaDb d = (Destination.MariaDb) Destination.mariadb();
                Held held = new Held(d)) {
            CompletableFuture<SyncEngine.Result> sync = start(source, d);
            for (long id : held.hold(sync)) {
                server.execute(d.database(), "KILL CONNECTION " + id);
            }
            held.release();
            assertThat(sync.get(120, TimeUnit.SECONDS).copied()).isTrue();
            assertCopied(source, d, log);
        }
    }

    /**
     * Ends a COPY blocked writing to its client ({@link InitialCopyRetryTest#endSendingCopies}). Of 100,000 rows of 32
     * bytes, the 3.5 MB left of {@code t}'s range fitted in the sockets' buffers in CI, no read failed and no retry
     * was logged; 20,000 rows of 4 kB leave 40 MB, more than a loopback connection buffers (32 MB received and 4 MB
     * sent at most).
     */
    @Test
    void aRangeWhoseSourceSessionWasLostIsReadAgainFromItsLastBatch(TestDatabase source) throws Exception {
        load(source, 128);
        ListAppender<ILoggingEvent> log = InitialCopyRetryTest.retries();
        try (Destination.MariaDb d = (Destination.MariaDb) Destination.mariadb();
                Held held = new Held(d)) {
            CompletableFuture<SyncEngine.Result> sync = start(source, d);
            held.hold(sync);
            assertThat(InitialCopyRetryTest.endSendingCopies(source))
                    .as("a COPY of the copy was sending at the source")
                    .isPositive();
            held.release();
            assertThat(sync.get(120, TimeUnit.SECONDS).copied()).isTrue();
            assertCopied(source, d, log);
        }
    }
}
