package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.sink.Stage;
import io.pgferry.core.sink.ValueMask;
import io.pgferry.engine.config.CopyMode;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.jdbc.CopyChunks;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * {@code --copy-mode chunked} against real databases: key ranges of every kind of key, writes during the copy
 * replayed idempotently, and a failed copy resumed without copying its finished chunks again. Issue #5.
 */
@PgTest
@Tag("stream")
class ChunkedCopyTest {

    private static SyncConfig.Builder chunked(TestDatabase source, TestDatabase target, int chunkRows) {
        return SyncEngineTest.config(source, target).copyMode(CopyMode.CHUNKED).chunkRows(chunkRows);
    }

    @Test
    void keyRangesOfEveryShapeCopyEachRowOnce(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE empty_t (id int PRIMARY KEY)",
                "CREATE TABLE one_t (id int PRIMARY KEY, v text)",
                "INSERT INTO one_t VALUES (42, 'only')",
                // Keys far apart: the chunks are by rank, not by value.
                "CREATE TABLE sparse_t (id bigint PRIMARY KEY)",
                "INSERT INTO sparse_t VALUES (-9000000000000), (-5), (0), (7), (1099511627776), (9000000000000000000),"
                        + " (3)",
                // Exactly two chunks' worth: the row at each bound belongs to the chunk above it only.
                "CREATE TABLE boundary_t (id int PRIMARY KEY)",
                "INSERT INTO boundary_t SELECT generate_series(1, 6)",
                "CREATE TABLE composite_t (a int, b text, c date, v int, PRIMARY KEY (a, b, c))",
                "INSERT INTO composite_t SELECT i % 3, 'k' || (i % 5), date '2026-01-01' + i, i"
                        + " FROM generate_series(1, 40) i",
                "CREATE TABLE uuid_t (id uuid PRIMARY KEY, n int)",
                "INSERT INTO uuid_t SELECT md5(i::text)::uuid, i FROM generate_series(1, 25) i",
                // Text keys with quotes, backslashes, spaces, unicode and the empty string, in a C collation.
                "CREATE TABLE \"Text Keys\" (k text COLLATE \"C\" PRIMARY KEY, v int)",
                "INSERT INTO \"Text Keys\" VALUES (''), ('a''b'), ('back\\slash'), ('spa ce'), ('ünï'), ('Z'),"
                        + " ('a'), ('\"q\"'), ('日本'), ('$$'), ('x''''y'), ('E''\\n')",
                // Enough rows for the planner's estimate to call for a sample.
                "CREATE TABLE sampled_t (id int PRIMARY KEY, v text)",
                "INSERT INTO sampled_t SELECT i, md5(i::text) FROM generate_series(1, 900) i",
                "ANALYZE sampled_t");
        String[] tables = {
            "empty_t", "one_t", "sparse_t", "boundary_t", "composite_t", "uuid_t", "\"Text Keys\"", "sampled_t"
        };
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            SyncEngine.Result result = new SyncEngine(
                            chunked(source, target, 3).untilCaughtUp(true).build())
                    .run();
            assertThat(result.copied()).isTrue();
            for (String t : tables) {
                assertThat(Databases.rows(target, t)).as(t).isEqualTo(Databases.rows(source, t));
            }
            assertThat(chunks(target, "public.empty_t")).isEqualTo(1);
            assertThat(chunks(target, "public.one_t")).isEqualTo(1);
            assertThat(chunks(target, "public.boundary_t")).isEqualTo(2);
            assertThat(chunks(target, "public.sparse_t")).isEqualTo(3);
            assertThat(chunks(target, "public.\"Text Keys\"")).isEqualTo(4);
            assertThat(chunks(target, "public.sampled_t")).isGreaterThan(100);
            assertThat(target.queryLong("SELECT count(*) FROM pgferry.copy_chunk WHERE done_at IS NULL"))
                    .isZero();
            assertThat(target.queryLong(
                            "SELECT sum(rows_copied) FROM pgferry.copy_chunk WHERE relation =" + " 'public.sampled_t'"))
                    .isEqualTo(900);
        }
    }

    @Test
    void writesDuringTheCopyAreReplayedUntilTheTargetIsExact(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL, note text)",
                "CREATE UNIQUE INDEX accounts_note ON accounts (note)",
                "CREATE TABLE pairs (a int, b uuid, n int, PRIMARY KEY (a, b))",
                "INSERT INTO accounts SELECT i, 0, 'n' || i FROM generate_series(1, 30000) i",
                "INSERT INTO pairs SELECT i % 100, md5(i::text)::uuid, 0 FROM generate_series(1, 5000) i");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            Random r = new Random(7);
            copyWhileWriting(
                    source,
                    target,
                    chunked(source, target, 500).build(),
                    (st, i) -> SourceWriter.accountsAndPairs(st, r, 100_000 + i),
                    "accounts",
                    "pairs");
            assertThat(target.queryLong("SELECT count(*) FROM pgferry.copy_chunk"))
                    .isGreaterThan(60);
            assertThat(target.queryLong("SELECT count(*) FROM pgferry.sync_progress WHERE exact_from IS NOT NULL"))
                    .isEqualTo(1);
            assertThat(target.queryLong("SELECT count(*) FROM pg_indexes WHERE indexname = 'accounts_note'"))
                    .isEqualTo(1);
        }
    }

    /**
     * Regression (issue 5): a row whose key change moved it from a chunk not yet copied into one already copied was
     * copied by neither, and the replay's update, finding no row at either key, did nothing: the target lacked the
     * row for good (this test's sibling once missed rows of "pairs" on a loaded machine). One worker copies the
     * chunks in key order while a writer moves the highest rows below the lowest key.
     */
    @Test
    void rowsMovedIntoAChunkAlreadyCopiedAreNotLost(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 20000) i");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            copyWhileWriting(
                    source,
                    target,
                    chunked(source, target, 100).workers(1).build(),
                    onceAChunkIsCopied(target, MOVE_HIGHEST_BELOW_LOWEST),
                    "t");
            assertThat(target.queryLong("SELECT count(*) FROM t WHERE id < 0")).isPositive();
        }
    }

    /**
     * As above, where the moves leave a value stored out of line (TOAST) unchanged: the stream does not carry it and no
     * chunk copied the row, so the replay reads the row's values from the source, where rows moved again or deleted
     * since are gone. Regression (issue 5): the sync stopped, asking for the table to be copied again. Then, with the
     * row read, the changes made to it after the copy's end were applied exactly although the read had seen them: a
     * second move of a row the read had found gone missed it (the warning below, in every run), and CI once lost the
     * row. The values read at the source are masked like the stream's: the mask here reverses the text, so the
     * comparison still checks every value, and an unmasked one shows.
     */
    @Test
    void movedRowsThatNoChunkCopiedTakeTheirUnchangedToastValuesFromTheSourceMasked(TestDatabase source)
            throws Exception {
        source.execute(
                "CREATE TABLE t (id int PRIMARY KEY, doc text)",
                "ALTER TABLE t ALTER COLUMN doc SET STORAGE EXTERNAL",
                "INSERT INTO t SELECT i, repeat(md5(i::text), 100) FROM generate_series(1, 2500) i");
        ValueMask reverseDoc = (relation, types) -> new ValueMask.TableMask() {
            @Override
            public boolean masks(int column) {
                return relation.columns().get(column).name().equals("doc");
            }

            @Override
            public String apply(int column, String text) {
                return new StringBuilder(text).reverse().toString();
            }

            @Override
            public boolean lossy(int column) {
                return false;
            }
        };
        Random r = new Random(11);
        SourceWriter.Step moves = (st, i) -> {
            switch (r.nextInt(6)) {
                    // A moved row moved again, deleted, or given a new value that the stream carries.
                case 0 -> st.execute("UPDATE t SET id = id - 100000 WHERE id = (SELECT max(id) FROM t"
                        + " WHERE id BETWEEN -99999 AND -1)");
                case 1 -> st.execute("DELETE FROM t WHERE id = (SELECT min(id) FROM t WHERE id BETWEEN -99999 AND -1)");
                    // The value keeps its length. It grew by 32 bytes an update once, a defect of this test (issue 5's
                    // CI): once every row had moved, two rows took thousands of updates of 150 kB each, the longer the
                    // writer ran the more, and under load the sync had not caught up by the deadline.
                case 2 -> st.execute("UPDATE t SET doc = md5(random()::text) || substr(doc, 33)"
                        + " WHERE id = (SELECT max(id) FROM t WHERE id < 0)");
                default -> MOVE_HIGHEST_BELOW_LOWEST.run(st, i);
            }
        };
        Logger writes = (Logger) LoggerFactory.getLogger("io.pgferry.jdbc.Writes");
        ListAppender<ILoggingEvent> warnings = new ListAppender<>();
        warnings.start();
        writes.addAppender(warnings);
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            SyncEngine engine =
                    new SyncEngine(chunked(source, target, 100).workers(1).build(), Stage.IDENTITY, reverseDoc);
            try (SourceWriter writer = new SourceWriter(source, onceAChunkIsCopied(target, moves));
                    RunningSync running = RunningSync.start(engine)) {
                Databases.awaitStreaming(target, Duration.ofSeconds(120));
                writer.stop();
                Databases.awaitSame(source, "(SELECT id, reverse(doc) FROM t)", target, "t", Duration.ofSeconds(60));
                running.assertRunning();
            } finally {
                writes.detachAppender(warnings);
            }
            assertThat(warnings.list).extracting(ILoggingEvent::getMessage).noneMatch(m -> m.contains("found no row"));
            assertThat(target.queryLong("SELECT count(*) FROM t WHERE id < -100000"))
                    .as("rows moved twice")
                    .isPositive();
        }
    }

    @Test
    void aFailedCopyResumesWithoutCopyingItsFinishedChunksAgain(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 3000) i");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            // An existing target table that refuses one row of the sixth chunk: the copy fails there.
            target.execute(
                    "CREATE TABLE t (id int PRIMARY KEY, v text)",
                    "ALTER TABLE t ADD CONSTRAINT not_2600 CHECK (id <> 2600)");
            SyncConfig config =
                    chunked(source, target, 500).workers(1).untilCaughtUp(true).build();
            assertThatThrownBy(() -> new SyncEngine(config).run()).isInstanceOf(PgFerryException.class);
            assertThat(target.queryLong("SELECT count(*) FROM pgferry.copy_chunk WHERE done_at IS NOT NULL"))
                    .isEqualTo(5);
            assertThat(target.queryLong("SELECT count(*) FROM t")).isEqualTo(2500);
            SyncStatus.Report status = SyncStatus.read(Dsn.parse(target.uri()), null, "pgferry", null)
                    .get(0);
            assertThat(status.chunks()).containsEntry("public.t", new CopyChunks.Progress(5, 6));
            assertThat(status.position()).isEmpty();
            String finished = target.queryString("SELECT string_agg(chunk || '@' || done_at, ',' ORDER BY chunk)"
                    + " FROM pgferry.copy_chunk WHERE done_at IS NOT NULL");
            // Changes while nothing runs: in finished chunks, in the failed one, and new rows.
            source.execute(
                    "UPDATE t SET v = 'changed' WHERE id IN (1, 1500, 2600)",
                    "UPDATE t SET id = 5000 WHERE id = 10",
                    "DELETE FROM t WHERE id IN (20, 2700)",
                    "INSERT INTO t VALUES (6000, 'new')");
            // A table selected now but not when the copy was planned would never be copied: refused.
            source.execute("CREATE TABLE u (id int PRIMARY KEY)");
            assertThatThrownBy(() -> new SyncEngine(config).run())
                    .isInstanceOf(PgFerryException.class)
                    .hasMessageContaining("was planned without relation public.u");
            source.execute("DROP TABLE u");
            target.execute("ALTER TABLE t DROP CONSTRAINT not_2600");
            SyncEngine.Result result = new SyncEngine(config).run();
            assertThat(result.copied()).isTrue();
            assertThat(Databases.rows(target, "t")).isEqualTo(Databases.rows(source, "t"));
            assertThat(target.queryString("SELECT string_agg(chunk || '@' || done_at, ',' ORDER BY chunk)"
                            + " FROM pgferry.copy_chunk WHERE chunk < 5"))
                    .as("the finished chunks were not copied again")
                    .isEqualTo(finished);
        }
    }

    /**
     * A table's key and indexes are built as soon as its last chunk is copied, while the other tables are still being
     * copied (they waited for the last chunk of every table); a run resumed after a failure finds them built and
     * completes them. Issue #5.
     */
    @Test
    void aTablesIndexesAreBuiltWhileOthersCopyAndSurviveAResume(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE big (id int PRIMARY KEY, note text)",
                "CREATE INDEX big_note ON big (note)",
                "INSERT INTO big SELECT i, 'n' || i FROM generate_series(1, 3000) i",
                "CREATE TABLE late (id int PRIMARY KEY)",
                "INSERT INTO late SELECT generate_series(1, 100)");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            // An existing target table that refuses one row: its chunk, copied after big's (largest first), fails.
            target.execute("CREATE TABLE late (id int PRIMARY KEY CHECK (id <> 50))");
            SyncConfig config =
                    chunked(source, target, 500).workers(1).untilCaughtUp(true).build();
            assertThatThrownBy(() -> new SyncEngine(config).run()).isInstanceOf(PgFerryException.class);
            assertThat(target.queryLong("SELECT count(*) FROM pg_indexes WHERE tablename = 'big'"))
                    .as("big's key index and its index on note, built before late's chunk failed")
                    .isEqualTo(2);
            assertThat(target.queryLong(
                            "SELECT count(*) FROM pg_constraint WHERE conrelid = 'big'::regclass AND contype = 'p'"))
                    .as("big's key, attached on its index after its last index build, before late's chunk failed:"
                            + " the resumed run finds it attached already")
                    .isEqualTo(1);
            target.execute("ALTER TABLE late DROP CONSTRAINT late_id_check");
            new SyncEngine(config).run();
            assertThat(Databases.rows(target, "big")).isEqualTo(Databases.rows(source, "big"));
            assertThat(Databases.rows(target, "late")).isEqualTo(Databases.rows(source, "late"));
            assertThat(target.queryString("SELECT string_agg(conname || ':' || contype::text, ',' ORDER BY conname)"
                            + " FROM pg_constraint WHERE conrelid = 'big'::regclass AND contype <> 'n'"))
                    .isEqualTo("big_pkey:p");
            assertThat(target.queryLong("SELECT count(*) FROM pg_indexes WHERE indexname = 'big_note'"))
                    .isEqualTo(1);
        }
    }

    @Test
    void aTableWithoutAPrimaryKeyIsRefusedBeforeAnythingIsCreated(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE keyed (id int PRIMARY KEY)",
                "CREATE TABLE log (kind text)",
                "ALTER TABLE log REPLICA IDENTITY FULL");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            assertThatThrownBy(() -> new SyncEngine(chunked(source, target, 10).build()).run())
                    .isInstanceOf(PgFerryException.class)
                    .hasMessageContaining("table public.log cannot be copied in chunks: it has no primary key")
                    .satisfies(e -> assertThat(((PgFerryException) e).fix()).contains("copy mode snapshot"));
            assertThat(target.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'pgferry'"))
                    .isZero();
            assertThat(target.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'keyed'"))
                    .isZero();
            assertThat(source.queryLong("SELECT count(*) FROM pg_replication_slots WHERE slot_type = 'logical'"))
                    .isZero();
        }
    }

    @Test
    void copiesFromAHotStandbyWhileTheSourceChanges(TestDatabase source) throws Exception {
        PostgresServer standby = source.server().standby();
        source.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 5000) i");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            standby.awaitReplayOf(source.server(), Duration.ofSeconds(60));
            copyWhileWriting(
                    source,
                    target,
                    chunked(source, target, 400)
                            .copySource(standby.uri(source.name()))
                            .build(),
                    (st, i) -> {
                        st.execute("UPDATE t SET v = 'w" + i + "' WHERE id = " + (1 + i % 5000));
                        st.execute("INSERT INTO t VALUES (" + (10_000 + i) + ", 'n')");
                        st.execute("DELETE FROM t WHERE id = " + (1 + (i * 7) % 5000));
                    },
                    "t");
            assertThat(chunks(target, "public.t")).isGreaterThan(10);
            // The chunks were read at the standby: its own statistics count the scans of t.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            long scans = 0;
            while (scans == 0 && System.nanoTime() < deadline) {
                try (Connection c = standby.connect(source.name());
                        Statement st = c.createStatement();
                        var rs = st.executeQuery("SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM"
                                + " pg_stat_user_tables WHERE relname = 't'")) {
                    scans = rs.next() ? rs.getLong(1) : 0;
                }
                if (scans == 0) {
                    Thread.sleep(100); // polling interval of the wait, not a synchronisation
                }
            }
            assertThat(scans).as("scans of t at the standby").isPositive();
        }
    }

    @Test
    void aCopySourceThatIsNotAStandbyIsRefusedBeforeAnythingIsCreated(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE t (id int PRIMARY KEY)");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            assertThatThrownBy(() -> new SyncEngine(chunked(source, target, 10)
                                    .copySource(target.uri())
                                    .build())
                            .run())
                    .isInstanceOf(PgFerryException.class)
                    .hasMessageContaining("is not a hot standby");
            assertThat(target.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'pgferry'"))
                    .isZero();
            assertThat(source.queryLong("SELECT count(*) FROM pg_replication_slots WHERE slot_type = 'logical'"))
                    .isZero();
            assertThatThrownBy(() -> SyncEngineTest.config(source, target)
                            .copySource(target.uri())
                            .build())
                    .isInstanceOf(PgFerryException.class)
                    .hasMessageContaining("copying from a standby needs the chunked copy mode");
        }
    }

    /** Moves the row of t with the highest key below the lowest key. */
    /** The writer's steps after the copy's last chunk: changes that the replay applies after the copy's end. */
    private static final int STEPS_AFTER_THE_COPY = 1000;

    private static final SourceWriter.Step MOVE_HIGHEST_BELOW_LOWEST =
            (st, i) -> st.execute("UPDATE t SET id = -id WHERE id = (SELECT max(id) FROM t)");

    /**
     * {@code step} from the moment the target has a finished chunk until {@link #STEPS_AFTER_THE_COPY} steps after it
     * has them all. A writer that ran from the start could move every row before the copy planned its chunks (CI once
     * saw it on a loaded machine): no move would then fall between a chunk copied and one not yet copied, and the tests
     * above would test nothing. One that ran until the sync streams raced the replay it fed: locally 23,000 moves,
     * half of them made while the replay ran, and 42 to 60 s a run in CI.
     */
    private static SourceWriter.Step onceAChunkIsCopied(TestDatabase target, SourceWriter.Step step) {
        return new SourceWriter.Step() {
            private boolean copying;
            private int next;
            private int lastStep = Integer.MAX_VALUE;

            @Override
            public void run(Statement st, int i) throws SQLException {
                next = i + 1;
                if (copying) {
                    step.run(st, i);
                    if (lastStep == Integer.MAX_VALUE
                            && i % 100 == 0
                            && target.queryLong("SELECT count(*) FROM pgferry.copy_chunk WHERE done_at IS NULL") == 0) {
                        lastStep = i + STEPS_AFTER_THE_COPY;
                    }
                    return;
                }
                // Two statements: one naming a table that does not exist yet would not parse.
                copying = target.queryLong("SELECT count(*) FROM pg_tables"
                                        + " WHERE schemaname = 'pgferry' AND tablename = 'copy_chunk'")
                                > 0
                        && target.queryLong("SELECT count(*) FROM pgferry.copy_chunk WHERE done_at IS NOT NULL") > 0;
                if (!copying) {
                    try {
                        Thread.sleep(5); // polling interval of the wait, not a synchronisation
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new SQLException("interrupted while waiting for the copy", e);
                    }
                }
            }

            @Override
            public boolean more() {
                return next <= lastStep;
            }
        };
    }

    /**
     * Runs the sync of {@code config} while a writer repeats {@code step} at the source until every table streams,
     * then waits until {@code tables} have the same rows at the target and checks that the sync still runs.
     */
    private static void copyWhileWriting(
            TestDatabase source, TestDatabase target, SyncConfig config, SourceWriter.Step step, String... tables)
            throws Exception {
        try (SourceWriter writer = new SourceWriter(source, step);
                RunningSync running = RunningSync.start(new SyncEngine(config))) {
            Databases.awaitStreaming(target, Duration.ofSeconds(120));
            writer.stop();
            Databases.awaitSame(source, target, Duration.ofSeconds(60), tables);
            running.assertRunning();
        }
    }

    private static long chunks(TestDatabase target, String relation) throws Exception {
        return target.queryLong(
                "SELECT count(*) FROM pgferry.copy_chunk WHERE relation = '" + relation.replace("'", "''") + "'");
    }
}
