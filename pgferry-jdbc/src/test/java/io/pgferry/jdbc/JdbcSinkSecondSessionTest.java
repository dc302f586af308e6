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
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongFunction;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * A sink with a second session ({@link JdbcSink#secondSession()}, issue 5), at a real PostgreSQL: a batch's rows are
 * written by two sessions, split by key, or whole for a table with another unique index; the second session records
 * what it wrote of each table. When the sink's own session fails after the second committed, the batch delivered
 * again, to a new sink as after a crash, applies the rest and not the second session's rows again.
 */
@PgTest
class JdbcSinkSecondSessionTest {
    private static final Relation BIG = relation(1, "big");
    private static final Relation SMALL = relation(2, "small");
    private static final Relation UNIQ = relation(3, "uniq");

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

    /** Whether the second session writes the row with key {@code id} of a table split by key. */
    private static boolean laneHalf(long id) {
        return Key.of(new Object[] {Long.toString(id)}, new int[] {0}).half() == ApplyLane.LANE_HALF;
    }

    /**
     * Inserts into {@code a} and {@code b}, {@code rows} each a transaction, from id {@code from}, the transaction
     * ending at {@code from + 1000}; each row's value is {@code value} of its id. The batch ends with the last.
     */
    private static Lsn batch(
            JdbcSink sink, long from, int transactions, Relation a, Relation b, int rows, LongFunction<String> value) {
        sink.begin();
        Lsn end = Lsn.INVALID;
        for (int t = 0; t < transactions; t++) {
            long first = from + (long) t * 1000;
            end = Lsn.of(first + 1000);
            sink.beginTransaction(new SourceTransaction(t, end, end, Instant.now(), -1));
            for (Relation r : List.of(a, b)) {
                for (int i = 0; i < rows; i++) {
                    long id = first + i;
                    sink.apply(new ChangeEvent.Insert(Lsn.of(first + i), r, row(r, false, id, value.apply(id))));
                }
            }
        }
        sink.commit(end, Instant.now());
        return end;
    }

    /** The ids of {@code table}'s rows written in the transaction that wrote the second session's record of it. */
    private static Set<Long> writtenBySecond(TestDatabase db, String table) throws SQLException {
        return db.withConnection(c -> {
            Set<Long> ids = new TreeSet<>();
            try (var rs = c.createStatement()
                    .executeQuery("SELECT t.id FROM " + table + " t JOIN pgferry.apply_lane l ON l.xmin = t.xmin"
                            + " AND l.source_table = '\"public\".\"" + table + "\"'")) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
            return ids;
        });
    }

    /** The ids {@link #batch} writes, from {@code from}, whose key falls in the second session's half or not. */
    private static Set<Long> ids(long from, int transactions, int rows, boolean laneHalf) {
        return LongStream.range(0, transactions * 1000L)
                .filter(n -> n % 1000 < rows)
                .map(n -> from + n)
                .filter(id -> laneHalf(id) == laneHalf)
                .boxed()
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void eachKeyIsWrittenByOneSessionTheSecondRecordingItsHalf(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE big (id bigint PRIMARY KEY, v text)",
                "CREATE TABLE small (id bigint PRIMARY KEY, v text)");
        try (JdbcSink sink = sink(db)) {
            Lsn end = batch(sink, 1000, 5, BIG, SMALL, 60, id -> "one");
            sink.awaitCommitted();
            assertThat(sink.position()).contains(end);
            for (String t : List.of("big", "small")) {
                assertThat(db.queryString("SELECT lsn || ' ' || whole FROM pgferry.apply_lane"
                                + " WHERE sync_name = 'lanes' AND source_table = '\"public\".\"" + t + "\"'"))
                        .isEqualTo(end.value() + " false");
                assertThat(writtenBySecond(db, t)).isEqualTo(ids(1000, 5, 60, true));
                assertThat(db.queryLong("SELECT count(*) FROM " + t)).isEqualTo(300);
            }
        }
    }

    /**
     * A table with a unique index besides its key is not split: with 305 rows of big split by key, the second
     * session has fewer and takes uniq whole.
     */
    @Test
    void aTableWithAnotherUniqueIndexIsWrittenWholeByOneSession(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE big (id bigint PRIMARY KEY, v text)",
                "CREATE TABLE uniq (id bigint PRIMARY KEY, v text UNIQUE)");
        try (JdbcSink sink = sink(db)) {
            Lsn end = batch(sink, 1000, 5, BIG, UNIQ, 61, id -> "u" + id);
            sink.awaitCommitted();
            assertThat(db.queryString("SELECT lsn || ' ' || whole FROM pgferry.apply_lane"
                            + " WHERE source_table = '\"public\".\"uniq\"'"))
                    .isEqualTo(end.value() + " true");
        }
        assertThat(writtenBySecond(db, "uniq")).hasSize(305);
        assertThat(db.queryLong("SELECT count(*) FROM uniq")).isEqualTo(305);
    }

    /**
     * A trigger enabled ALWAYS fires in the apply session all the same, and may write rows of other tables: split
     * between two sessions, each could wait for a row the other holds, the second session in the server and the
     * sink's in the client, unseen by the server's deadlock detection. Such a table keeps its batches on the sink's
     * session.
     */
    @Test
    void aBatchWithATriggerThatFiresAllTheSameStaysOnTheSinksSession(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE big (id bigint PRIMARY KEY, v text)",
                "CREATE TABLE small (id bigint PRIMARY KEY, v text)",
                "CREATE TABLE audit (id bigint)",
                "CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS"
                        + " $$BEGIN INSERT INTO audit VALUES (NEW.id); RETURN NEW; END$$",
                "CREATE TRIGGER audited AFTER INSERT ON small FOR EACH ROW EXECUTE FUNCTION audit()",
                "ALTER TABLE small ENABLE ALWAYS TRIGGER audited");
        try (JdbcSink sink = sink(db)) {
            batch(sink, 1000, 5, BIG, SMALL, 60, id -> "one");
            sink.awaitCommitted();
        }
        assertThat(db.queryLong("SELECT count(*) FROM pgferry.apply_lane")).isZero();
        assertThat(db.queryLong("SELECT count(DISTINCT xmin::text) FROM (SELECT xmin FROM big UNION ALL"
                        + " SELECT xmin FROM small UNION ALL SELECT xmin FROM audit) x"))
                .isEqualTo(1);
        assertThat(db.queryLong("SELECT count(*) FROM audit")).isEqualTo(300);
    }

    /**
     * The sink's own session refuses its part of a batch (a CHECK constraint on small's rows of its half) after the
     * second session committed its half of both tables: the batch's position is not recorded, so the source
     * delivers it again; a new sink (as after a crash) skips the changes of the second session's half, which the
     * tables already hold, and applies the rest. Without the second session's positions the inserts of its half
     * would fail on their keys.
     */
    @Test
    void aBatchDeliveredAgainAfterTheSecondSessionCommittedAppliesTheRestOnce(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE big (id bigint PRIMARY KEY, v text)",
                "CREATE TABLE small (id bigint PRIMARY KEY, v text CONSTRAINT refused CHECK (v <> 'refused'))");
        LongFunction<String> refusedInOwnHalf = id -> laneHalf(id) ? "lane" : "refused";
        Lsn first;
        try (JdbcSink sink = sink(db)) {
            first = batch(sink, 1000, 2, BIG, SMALL, 60, id -> "first");
            sink.awaitCommitted();
            batch(sink, 10_000, 5, BIG, SMALL, 60, refusedInOwnHalf);
            assertThatThrownBy(sink::awaitCommitted)
                    .isInstanceOfSatisfying(
                            TableFailure.class, e -> assertThat(e.table()).isEqualTo("small"));
            sink.rollback();
            assertThat(sink.position()).isEqualTo(Optional.of(first));
        }
        int laneRows = ids(10_000, 5, 60, true).size();
        assertThat(db.queryLong("SELECT count(*) FROM big")).isEqualTo(120 + laneRows);
        assertThat(db.queryLong("SELECT count(*) FROM small")).isEqualTo(120 + laneRows);

        db.execute("ALTER TABLE small DROP CONSTRAINT refused");
        try (JdbcSink sink = sink(db)) {
            Lsn end = batch(sink, 10_000, 5, BIG, SMALL, 60, refusedInOwnHalf);
            sink.awaitCommitted();
            assertThat(sink.position()).contains(end);
        }
        assertThat(db.queryLong("SELECT count(*) FROM big")).isEqualTo(420);
        assertThat(db.queryLong("SELECT count(*) FROM small")).isEqualTo(420);
    }
}
