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
import io.pgferry.jdbc.foreign.JdbcTargetUri;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * Issue 7: the chunked copy into MariaDB and SQLite. Until now {@code --copy-mode chunked} was refused for any target
 * but PostgreSQL, so a copy into another database held a snapshot for its whole length and started over after any
 * crash. Chunks now commit in batches, each with the key of its last row, and the changes made during the copy are
 * replayed idempotently: against real servers, with writes of every kind going on, and across a failed run.
 */
@PgTest
@Tag("stream")
@Tag("mariadb")
class ForeignChunkedCopyTest {
    private static final int ACCOUNTS = SourceWriter.ACCOUNTS;

    private static void load(TestDatabase source) throws SQLException {
        source.execute(
                "CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL, note text)",
                // A text key with quotes and a non-ASCII letter: its bounds and marks go through JSON and literals.
                "CREATE TABLE pairs (a int, b text, n int, PRIMARY KEY (a, b))",
                "INSERT INTO accounts SELECT i, 0, 'n' || i FROM generate_series(1, " + ACCOUNTS + ") i",
                "INSERT INTO pairs SELECT i % 100, md5(i::text) || CASE WHEN i % 7 = 0 THEN '''é\"' ELSE '' END, 0"
                        + " FROM generate_series(1, 5000) i");
    }

    private static SyncConfig.Builder chunked(TestDatabase source, Destination d, int chunkRows) {
        return Destination.config(source, d).copyMode(CopyMode.CHUNKED).chunkRows(chunkRows);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.pgferry.engine.ForeignSyncTest#destinations")
    void writesDuringTheChunkedCopyAreReplayedUntilTheDestinationIsExact(String kind, TestDatabase source)
            throws Exception {
        load(source);
        try (Destination d = ForeignSyncTest.open(kind)) {
            // Chunks of 7,000 rows commit in two batches: a mark within a chunk as well as at its end.
            Random r = new Random(7);
            try (SourceWriter writer =
                            new SourceWriter(source, (st, i) -> SourceWriter.accountsAndPairs(st, r, 100_000 + i));
                    RunningSync running = RunningSync.start(
                            new SyncEngine(chunked(source, d, 7_000).build()))) {
                ForeignSyncTest.awaitRows(
                        d,
                        "SELECT count(*) FROM " + d.qualified("pgferry_table_state") + " WHERE state <> 'streaming'",
                        List.of("0"),
                        Duration.ofSeconds(120));
                writer.stop();
                assertThat(writer.steps()).as("writes made during the copy").isPositive();
                awaitSame(source, d, "SELECT id, balance, note FROM accounts", Duration.ofSeconds(60));
                awaitSame(source, d, "SELECT a, b, n FROM pairs", Duration.ofSeconds(60));
                running.assertRunning();
            }
            assertThat(d.rows("SELECT count(*) FROM " + d.qualified("pgferry_copy_chunk") + " WHERE done_at IS NULL"))
                    .containsExactly("0");
            assertThat(d.rows("SELECT count(*) FROM " + d.qualified("pgferry_sync_progress")
                            + " WHERE exact_from IS NOT NULL"))
                    .containsExactly("1");
        }
    }

    /**
     * A chunk cut short goes on after the last key it committed: the first run stops at a value the destination
     * cannot hold (numeric NaN into DECIMAL), one batch into the table's second chunk. The source then changes rows
     * in the finished chunk, below and above the cut, and fixes the value; the second run copies neither the finished
     * chunk nor the committed batch again, and the replay brings the changes.
     */
    @Test
    void aChunkCutShortGoesOnAfterItsLastKeyAndTheFinishedOnesAreNotCopiedAgain(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v numeric(10,2))",
                "INSERT INTO t SELECT i, i FROM generate_series(1, 40000) i",
                "UPDATE t SET v = 'NaN' WHERE id = 29000");
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        ((Logger) LoggerFactory.getLogger("io.pgferry.engine.copy")).addAppender(log);
        try (Destination.MariaDb d = (Destination.MariaDb) Destination.mariadb()) {
            SyncConfig config =
                    chunked(source, d, 20_000).workers(1).untilCaughtUp(true).build();
            assertThatThrownBy(() -> new SyncEngine(config).run()).isInstanceOf(PgFerryException.class);
            String chunks = d.qualified("pgferry_copy_chunk");
            assertThat(d.rows("SELECT chunk, rows_copied, done_at IS NOT NULL, last_key FROM " + chunks
                            + " ORDER BY chunk"))
                    .as("the first chunk whole, the second cut after its first batch")
                    .containsExactly("0|20000|1|[\"20000\"]", "1|5000|0|[\"25000\"]");
            assertThat(d.rows("SELECT count(*) FROM " + d.qualified("t"))).containsExactly("25000");
            String finished =
                    d.rows("SELECT done_at FROM " + chunks + " WHERE chunk = 0").get(0);
            SyncStatus.Report status = SyncStatus.read(JdbcTargetUri.parse(d.uri(), Map.of()), null, "pgferry", null)
                    .get(0);
            assertThat(status.chunks()).containsEntry("public.t", new CopyChunks.Progress(1, 2));
            source.execute(
                    "UPDATE t SET v = 0 WHERE id = 29000",
                    "UPDATE t SET v = -1 WHERE id IN (10, 24000, 36000)",
                    "UPDATE t SET id = 50000 WHERE id = 11",
                    "UPDATE t SET id = 22222222 WHERE id = 24001",
                    "DELETE FROM t WHERE id IN (12, 24002, 36001)",
                    "INSERT INTO t VALUES (-5, 5), (24002, 7), (60000, 6)");
            long above = source.queryLong("SELECT count(*) FROM t WHERE id > 25000");
            assertThat(new SyncEngine(config).run().copied()).isTrue();
            awaitSame(source, d, "SELECT id, v FROM t", Duration.ofSeconds(30));
            assertThat(d.rows("SELECT rows_copied FROM " + chunks + " WHERE chunk = 1"))
                    .as("the cut chunk read on from after its last key, not from its start")
                    .containsExactly(String.valueOf(5000 + above));
            assertThat(d.rows("SELECT done_at FROM " + chunks + " WHERE chunk = 0"))
                    .as("the finished chunk was not copied again")
                    .containsExactly(finished);
            assertThat(log.list)
                    .anySatisfy(e -> assertThat(e.getFormattedMessage())
                            .isEqualTo("public.t chunk 1 goes on after the 5000 rows committed before"))
                    .anySatisfy(e -> assertThat(e.getFormattedMessage())
                            .isEqualTo("resuming the chunked copy: 1 of 2 chunks were copied before"))
                    .noneSatisfy(e -> assertThat(e.getFormattedMessage()).contains("25000"));
        } finally {
            ((Logger) LoggerFactory.getLogger("io.pgferry.engine.copy")).detachAppender(log);
        }
    }

    /** The chunks are read at a hot standby of the source, as for a PostgreSQL target. */
    @Test
    void copiesFromAHotStandbyWhileTheSourceChanges(TestDatabase source) throws Exception {
        PostgresServer standby = source.server().standby();
        source.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 20000) i");
        try (Destination d = Destination.sqlite()) {
            standby.awaitReplayOf(source.server(), Duration.ofSeconds(60));
            try (SourceWriter writer = new SourceWriter(source, (st, i) -> {
                        st.execute("UPDATE t SET v = 'w" + i + "' WHERE id = " + (1 + i % 20000));
                        st.execute("INSERT INTO t VALUES (" + (100_000 + i) + ", 'n')");
                        st.execute("DELETE FROM t WHERE id = " + (1 + (i * 7) % 20000));
                    });
                    RunningSync running = RunningSync.start(new SyncEngine(chunked(source, d, 3_000)
                            .copySource(standby.uri(source.name()))
                            .build()))) {
                ForeignSyncTest.awaitRows(
                        d,
                        "SELECT count(*) FROM " + d.qualified("pgferry_table_state") + " WHERE state <> 'streaming'",
                        List.of("0"),
                        Duration.ofSeconds(120));
                writer.stop();
                awaitSame(source, d, "SELECT id, v FROM t", Duration.ofSeconds(60));
                running.assertRunning();
            }
            assertThat(d.rows("SELECT count(*) FROM " + d.qualified("pgferry_copy_chunk")))
                    .as("chunks of about 3,000 of some 20,000 rows")
                    .satisfies(n -> assertThat(Integer.parseInt(n.get(0))).isBetween(6, 9));
        }
        try (Destination d = Destination.sqlite()) {
            assertThatThrownBy(() -> new SyncEngine(chunked(source, d, 10)
                                    .copySource(source.uri())
                                    .build())
                            .run())
                    .isInstanceOf(PgFerryException.class)
                    .hasMessageContaining("is not a hot standby");
            assertThat(d.rows("SELECT name FROM sqlite_master")).isEmpty();
        }
    }

    @Test
    void aTableWithoutAKeyOrADestinationTableWithoutOneIsRefusedBeforeAnythingIsCreated(TestDatabase source)
            throws Exception {
        source.execute(
                "CREATE TABLE keyless (a int, b text)",
                "ALTER TABLE keyless REPLICA IDENTITY FULL",
                "CREATE TABLE keyed (id int PRIMARY KEY, v text)");
        try (Destination d = Destination.sqlite()) {
            assertThatThrownBy(() -> new SyncEngine(chunked(source, d, 100).build()).run())
                    .isInstanceOf(PgFerryException.class)
                    .hasMessageContaining("table public.keyless cannot be copied in chunks: it has no primary key");
            assertThat(d.rows("SELECT name FROM sqlite_master")).isEmpty();
            source.execute("DROP TABLE keyless");
            d.execute("CREATE TABLE " + d.qualified("keyed") + " (id INTEGER, v TEXT)");
            assertThatThrownBy(() -> new SyncEngine(chunked(source, d, 100).build()).run())
                    .isInstanceOf(PgFerryException.class)
                    .hasMessageContaining("has no primary key or unique index on the source's key [id]");
            assertThat(d.rows("SELECT name FROM sqlite_master")).containsExactly("keyed");
            assertThat(source.queryLong(
                            "SELECT count(*) FROM pg_replication_slots WHERE database = current_database()"))
                    .isZero();
        }
    }

    /**
     * A chunked copy keeps its chunks' key bounds and marks at the target as the source has them, to query the source
     * with; a keyed-hash mask on a key column (not lossy, so allowed) would have them carry the unmasked keys there.
     * Refused before anything is created, for a PostgreSQL target as for the others.
     */
    @Test
    void aMaskedKeyColumnIsRefusedBeforeAnythingIsCreated(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE people (email text PRIMARY KEY, n int)");
        ValueMask hashEmail = (relation, types) -> new ValueMask.TableMask() {
            @Override
            public boolean masks(int column) {
                return relation.columns().get(column).name().equals("email");
            }

            @Override
            public String apply(int column, String text) {
                return Integer.toHexString(text.hashCode());
            }

            @Override
            public boolean lossy(int column) {
                return false;
            }
        };
        try (Destination d = Destination.sqlite();
                TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            assertThatThrownBy(() -> new SyncEngine(chunked(source, d, 100).build(), Stage.IDENTITY, hashEmail).run())
                    .isInstanceOf(PgFerryException.class)
                    .hasMessageContaining("key column email of table public.people is masked")
                    .hasMessageContaining("use copy mode snapshot");
            assertThat(d.rows("SELECT name FROM sqlite_master")).isEmpty();
            SyncConfig toPostgres = SyncConfig.builder()
                    .source(source.uri())
                    .target(target.uri())
                    .copyMode(CopyMode.CHUNKED)
                    .build();
            assertThatThrownBy(() -> new SyncEngine(toPostgres, Stage.IDENTITY, hashEmail).run())
                    .isInstanceOf(PgFerryException.class)
                    .hasMessageContaining("key column email of table public.people is masked");
            assertThat(target.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'pgferry'"))
                    .isZero();
        }
    }

    /** Waits until the destination holds the rows of {@code select} the source holds, in any order. */
    private static void awaitSame(TestDatabase source, Destination d, String select, Duration timeout)
            throws Exception {
        String table = select.substring(select.lastIndexOf(' ') + 1);
        String at = select.substring(0, select.lastIndexOf(' ') + 1) + d.qualified(table);
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> expected = sorted(ForeignSyncTest.sourceRows(source, select));
        while (!sorted(d.rows(at)).equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(50); // polling interval of the wait, not a synchronisation
            expected = sorted(ForeignSyncTest.sourceRows(source, select));
        }
        assertThat(sorted(d.rows(at))).isEqualTo(expected);
    }

    private static List<String> sorted(List<String> rows) {
        List<String> out = new ArrayList<>(rows);
        out.sort(null);
        return out;
    }
}
