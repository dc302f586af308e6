package io.pgferry.jdbc;

import static io.pgferry.jdbc.JdbcSinkKeyOrderTest.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.Lsn;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.core.sink.TableFailure;
import io.pgferry.core.value.BuiltinTypes;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A sink that writes its batches behind ({@link JdbcSink#writeBehind()}, issue 5), at a real PostgreSQL: the batches
 * land in order with their positions, a change written alone waits for the batch before it, a batch whose write
 * fails is reported by a later call and leaves its position unrecorded, and runs closed full stay unwritten until the
 * batch is handed over.
 */
@PgTest
class JdbcSinkWriteBehindTest {
    private static final Relation ONE = new Relation(
            1,
            "public",
            "one",
            ReplicaIdentity.DEFAULT,
            List.of(new Column("id", BuiltinTypes.INT8, -1, true), new Column("v", BuiltinTypes.TEXT, -1, false)));

    private static JdbcSink sink(TestDatabase db) throws SQLException {
        db.execute(
                "CREATE TABLE one (id bigint PRIMARY KEY, v text CHECK (v <> 'refused'))",
                "INSERT INTO one SELECT i, 'old' FROM generate_series(1, 200) i");
        JdbcSink sink = TestSinks.sink(db, "behind", r -> new TargetTable("public", r.table()));
        sink.writeBehind();
        return sink;
    }

    private static void update(JdbcSink sink, long lsn, long id, String v) {
        sink.apply(new ChangeEvent.Update(Lsn.of(lsn), ONE, null, row(ONE, false, id, v)));
    }

    /**
     * Two batches handed over back to back: the second's key change, which is written alone, waits for the first
     * batch's write, so the moved row carries the first batch's neighbours unharmed and its own new values.
     */
    @Test
    void batchesLandInOrderWithTheLastPosition(TestDatabase db) throws Exception {
        try (JdbcSink sink = sink(db)) {
            sink.begin();
            for (long id = 1; id <= 150; id++) {
                update(sink, 100 + id, id, "first");
            }
            sink.commit(Lsn.of(300), Instant.now());
            sink.begin();
            sink.apply(
                    new ChangeEvent.Update(Lsn.of(400), ONE, row(ONE, true, 1, null), row(ONE, false, 1001, "moved")));
            for (long id = 2; id <= 100; id++) {
                update(sink, 400 + id, id, "second");
            }
            sink.commit(Lsn.of(600), Instant.now());
            sink.awaitCommitted();
            assertThat(sink.position()).contains(Lsn.of(600));
        }
        assertThat(db.queryLong("SELECT count(*) FROM one WHERE id = 1001 AND v = 'moved'"))
                .isEqualTo(1);
        assertThat(db.queryLong("SELECT count(*) FROM one WHERE id = 1")).isZero();
        assertThat(db.queryLong("SELECT count(*) FROM one WHERE id BETWEEN 2 AND 100 AND v = 'second'"))
                .isEqualTo(99);
        assertThat(db.queryLong("SELECT count(*) FROM one WHERE id BETWEEN 101 AND 150 AND v = 'first'"))
                .isEqualTo(50);
        assertThat(db.queryLong("SELECT count(*) FROM one WHERE v = 'old'")).isEqualTo(50);
    }

    /**
     * The destination refuses a batch written behind: the commit that handed it over returned, the next commit
     * throws the failure with its table, nothing of the refused batch is in, and its position is neither recorded nor
     * reported durable, so the engine delivers its transactions again.
     */
    @Test
    void aRefusedBatchIsThrownByTheNextCommitAndLeavesItsPositionUnrecorded(TestDatabase db) throws Exception {
        try (JdbcSink sink = sink(db)) {
            sink.begin();
            update(sink, 101, 1, "kept");
            sink.commit(Lsn.of(200), Instant.now());
            sink.awaitCommitted();

            sink.begin();
            update(sink, 201, 2, "lost with its batch");
            update(sink, 202, 3, "refused");
            sink.commit(Lsn.of(300), Instant.now());
            sink.begin();
            update(sink, 301, 4, "next");
            assertThatThrownBy(() -> sink.commit(Lsn.of(400), Instant.now()))
                    .isInstanceOfSatisfying(
                            TableFailure.class, e -> assertThat(e.table()).isEqualTo("one"))
                    .hasMessageContaining("check");
            assertThat(sink.durablePosition().isAfter(Lsn.of(200))).isFalse();
            sink.rollback();
            assertThat(sink.position()).isEqualTo(Optional.of(Lsn.of(200)));
        }
        assertThat(db.queryLong("SELECT count(*) FROM one WHERE v = 'kept'")).isEqualTo(1);
        assertThat(db.queryLong("SELECT count(*) FROM one WHERE v <> 'old' AND v <> 'kept'"))
                .isZero();
    }

    /**
     * A batch of 12,000 updates of one table fills two runs of {@link OpenRuns#MAX_RUN_ROWS}: the sink's thread writes
     * none of them (its session has no transaction id yet), so the whole batch goes behind. A key change, written
     * alone, first writes the closed runs and then lands after them.
     */
    @Test
    void runsClosedFullAreWrittenWithTheBatch(TestDatabase db) throws Exception {
        try (JdbcSink sink = sink(db)) {
            db.execute("INSERT INTO one SELECT i, 'old' FROM generate_series(201, 12000) i");
            sink.begin();
            for (long id = 1; id <= 12_000; id++) {
                update(sink, 1000 + id, id, "batched");
            }
            assertThat(writingSessions(db)).isZero();
            sink.commit(Lsn.of(20_000), Instant.now());
            sink.begin();
            for (long id = 1; id <= 6_000; id++) {
                update(sink, 20_000 + id, id, "again");
            }
            sink.apply(new ChangeEvent.Update(
                    Lsn.of(30_000), ONE, row(ONE, true, 6_000, null), row(ONE, false, 50_000, "moved")));
            sink.commit(Lsn.of(30_001), Instant.now());
            sink.awaitCommitted();
            assertThat(sink.position()).contains(Lsn.of(30_001));
        }
        assertThat(db.queryLong("SELECT count(*) FROM one WHERE id BETWEEN 1 AND 5999 AND v = 'again'"))
                .isEqualTo(5_999);
        assertThat(db.queryLong("SELECT count(*) FROM one WHERE id BETWEEN 6000 AND 12000 AND v = 'batched'"))
                .isEqualTo(6_000);
        assertThat(db.queryLong("SELECT count(*) FROM one WHERE id = 50000 AND v = 'moved'"))
                .isEqualTo(1);
        assertThat(db.queryLong("SELECT count(*) FROM one WHERE id = 6000")).isZero();
    }

    /** Sessions of this database, other than the caller's, inside a transaction that has written something. */
    private static long writingSessions(TestDatabase db) throws SQLException {
        return db.queryLong("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                + " AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()");
    }
}
