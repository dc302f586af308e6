package io.pgferry.jdbc;

import static io.pgferry.jdbc.JdbcSinkKeyOrderTest.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.Lsn;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.core.sink.SourceTransaction;
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
 * A sink with a second session ({@link JdbcSink#secondSession()}, issue 5), at a real PostgreSQL: a batch's tables are
 * written by two sessions, the larger table by the second, which records its tables' positions; when the sink's own
 * session fails after the second committed, the batch delivered again, to a new sink as after a crash, applies the
 * other tables and not the second session's again.
 */
@PgTest
class JdbcSinkSecondSessionTest {
    private static final Relation BIG = relation(1, "big");
    private static final Relation SMALL = relation(2, "small");

    private static Relation relation(int oid, String table) {
        return new Relation(
                oid,
                "public",
                table,
                ReplicaIdentity.DEFAULT,
                List.of(new Column("id", BuiltinTypes.INT8, -1, true), new Column("v", BuiltinTypes.TEXT, -1, false)));
    }

    private static JdbcSink sink(TestDatabase db) throws SQLException {
        JdbcSink sink = TestSinks.sink(db, "lanes", r -> new TargetTable("public", r.table()));
        sink.secondSession();
        return sink;
    }

    /**
     * One transaction a hundred changes: {@code bigRows} inserts into big and {@code smallRows} into small, from id
     * {@code from}, the transaction ending at {@code from + 1000}; the batch ends with the last.
     */
    private static Lsn batch(JdbcSink sink, long from, int transactions, int bigRows, int smallRows, String v) {
        sink.begin();
        Lsn end = Lsn.INVALID;
        for (int t = 0; t < transactions; t++) {
            long first = from + (long) t * 1000;
            end = Lsn.of(first + 1000);
            sink.beginTransaction(new SourceTransaction(t, end, end, Instant.now(), -1));
            for (int i = 0; i < bigRows; i++) {
                sink.apply(new ChangeEvent.Insert(Lsn.of(first + i), BIG, row(BIG, false, first + i, v)));
            }
            for (int i = 0; i < smallRows; i++) {
                sink.apply(new ChangeEvent.Insert(Lsn.of(first + 500 + i), SMALL, row(SMALL, false, first + i, v)));
            }
        }
        sink.commit(end, Instant.now());
        return end;
    }

    @Test
    void theLargerTableIsWrittenByTheSecondSessionWithItsPosition(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE big (id bigint PRIMARY KEY, v text)",
                "CREATE TABLE small (id bigint PRIMARY KEY, v text)");
        try (JdbcSink sink = sink(db)) {
            Lsn end = batch(sink, 1000, 5, 60, 20, "one");
            sink.awaitCommitted();
            assertThat(sink.position()).contains(end);
            assertThat(db.queryLong("SELECT lsn FROM pgferry.apply_lane WHERE sync_name = 'lanes'"
                            + " AND source_table = '\"public\".\"big\"'"))
                    .isEqualTo(end.value());
            assertThat(db.queryLong("SELECT count(*) FROM pgferry.apply_lane")).isEqualTo(1);
        }
        assertThat(db.queryLong("SELECT count(*) FROM big")).isEqualTo(300);
        assertThat(db.queryLong("SELECT count(*) FROM small")).isEqualTo(100);
    }

    /**
     * The sink's own session refuses its part of a batch (a CHECK constraint) after the second session committed
     * big's: the batch's position is not recorded, so the source delivers it again; a new sink (as after a crash)
     * skips big's changes, which big already holds, and applies small's. Without the second session's positions the
     * inserts into big would fail on their keys.
     */
    @Test
    void aBatchDeliveredAgainAfterTheSecondSessionCommittedAppliesTheRestOnce(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE big (id bigint PRIMARY KEY, v text)",
                "CREATE TABLE small (id bigint PRIMARY KEY, v text CONSTRAINT refused CHECK (v <> 'refused'))");
        Lsn first;
        try (JdbcSink sink = sink(db)) {
            first = batch(sink, 1000, 2, 60, 20, "first");
            sink.awaitCommitted();
            batch(sink, 10_000, 5, 60, 20, "refused");
            assertThatThrownBy(sink::awaitCommitted)
                    .isInstanceOfSatisfying(
                            TableFailure.class, e -> assertThat(e.table()).isEqualTo("small"));
            sink.rollback();
            assertThat(sink.position()).isEqualTo(Optional.of(first));
        }
        assertThat(db.queryLong("SELECT count(*) FROM big")).isEqualTo(420);
        assertThat(db.queryLong("SELECT count(*) FROM small")).isEqualTo(40);

        db.execute("ALTER TABLE small DROP CONSTRAINT refused");
        try (JdbcSink sink = sink(db)) {
            Lsn end = batch(sink, 10_000, 5, 60, 20, "refused");
            sink.awaitCommitted();
            assertThat(sink.position()).contains(end);
        }
        assertThat(db.queryLong("SELECT count(*) FROM big")).isEqualTo(420);
        assertThat(db.queryLong("SELECT count(*) FROM small")).isEqualTo(140);
    }
}
