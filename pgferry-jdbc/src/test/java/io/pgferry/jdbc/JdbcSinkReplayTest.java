package io.pgferry.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.core.event.Row;
import io.pgferry.core.pgoutput.TupleData;
import io.pgferry.core.sink.MovedRows;
import io.pgferry.core.value.BuiltinTypes;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JDBC sink's idempotent replay of key changes after a chunked copy, at a real PostgreSQL. */
@PgTest
class JdbcSinkReplayTest {
    private static final Relation PAIRS = new Relation(
            1,
            "public",
            "pairs",
            ReplicaIdentity.DEFAULT,
            List.of(new Column("id", BuiltinTypes.INT4, -1, true), new Column("v", BuiltinTypes.TEXT, -1, false)));

    /**
     * Regression (issue 5): a key change replayed after a chunked copy did nothing when the row was at neither key.
     * That happens when the change moved the row from a chunk read after it to a chunk read before it: no chunk saw
     * the row, and the target lacked it for good (seen as ChunkedCopyTest's target missing rows of "pairs" on a
     * loaded machine). The update's row is written.
     */
    @Test
    void aKeyChangeWhoseRowNoChunkCopiedWritesTheRow(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE pairs (id int PRIMARY KEY, v text)",
                "INSERT INTO pairs VALUES (10, 'at old'), (21, 'x')");
        replay(
                db,
                move(1, 1001, "moved"), // at neither key
                move(10, 1010, "moved"), // still at its old key
                move(20, 21, "replaced")); // already at its new key
        assertThat(db.queryString("SELECT string_agg(id || '=' || v, ',' ORDER BY id) FROM pairs"))
                .isEqualTo("21=replaced,1001=moved,1010=moved");
    }

    /** The row at neither key with a value the update left unchanged (TOAST): no value to write, so it stops. */
    @Test
    void aMovedRowWithAnUnchangedToastValueAndNoRowIsAClearError(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE pairs (id int PRIMARY KEY, v text)");
        Row after = row(TupleData.UNCHANGED_TOAST, 2, null);
        ChangeEvent.Update u = new ChangeEvent.Update(Lsn.of(100), PAIRS, key(1), after);
        assertThatThrownBy(() -> replay(db, u))
                .isInstanceOf(PgFerryException.class)
                .hasMessageContaining("table public.pairs changed its key while the chunked copy read the table")
                .hasMessageContaining("column v");
        assertThat(db.queryLong("SELECT count(*) FROM pairs")).isZero();
    }

    /**
     * The same with somewhere to read the row: it is written as read, or not at all when the source has it no more;
     * the replay extended meanwhile is recorded with the batch.
     */
    @Test
    void aMovedRowWithAnUnchangedToastValueIsReadThroughMovedRows(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE pairs (id int PRIMARY KEY, v text)");
        ArrayDeque<ChangeEvent.Update> reads = new ArrayDeque<>(List.of(move(1, 2, "read at the source")));
        replay(
                db,
                reads::poll,
                Lsn.of(500),
                new ChangeEvent.Update(Lsn.of(100), PAIRS, key(1), row(TupleData.UNCHANGED_TOAST, 2, null)),
                new ChangeEvent.Update(Lsn.of(101), PAIRS, key(3), row(TupleData.UNCHANGED_TOAST, 4, null)));
        assertThat(db.queryString("SELECT string_agg(id || '=' || v, ',' ORDER BY id) FROM pairs"))
                .isEqualTo("2=read at the source");
        assertThat(db.queryLong("SELECT exact_from FROM pgferry.sync_progress WHERE sync_name = 'replay'"))
                .isEqualTo(500);
    }

    private static ChangeEvent.Update move(int from, int to, String v) {
        return new ChangeEvent.Update(Lsn.of(100), PAIRS, key(from), row(TupleData.TEXT, to, v));
    }

    private static void replay(TestDatabase db, ChangeEvent... changes) throws Exception {
        replay(db, null, Lsn.INVALID, changes);
    }

    private static void replay(TestDatabase db, MovedRows rows, Lsn replayBefore, ChangeEvent... changes)
            throws Exception {
        JdbcSink sink = TestSinks.sink(db, "replay", r -> new TargetTable("public", "pairs"));
        try {
            sink.idempotent(true);
            if (rows != null) {
                sink.movedRows(rows);
            }
            sink.begin();
            for (ChangeEvent change : changes) {
                sink.apply(change);
            }
            if (replayBefore.isValid()) {
                sink.extendReplay(replayBefore);
            }
            sink.commit(Lsn.of(1000), Instant.now());
        } finally {
            sink.close();
        }
    }

    /** The old key of an update: the key column only, as pgoutput sends it. */
    private static Row key(int id) {
        byte[] a = Integer.toString(id).getBytes(StandardCharsets.UTF_8);
        TupleData t = new TupleData(
                a, new byte[] {TupleData.TEXT, TupleData.NULL}, new int[] {0, a.length}, new int[] {a.length, 0});
        return new Row(PAIRS, t, BuiltinTypes.builtin(), true);
    }

    /** A new row whose value column has kind {@code vKind} (text, or unchanged TOAST with no bytes). */
    private static Row row(byte vKind, int id, String v) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] a = Integer.toString(id).getBytes(StandardCharsets.UTF_8);
        byte[] b = v == null ? new byte[0] : v.getBytes(StandardCharsets.UTF_8);
        buf.writeBytes(a);
        buf.writeBytes(b);
        TupleData t = new TupleData(
                buf.toByteArray(), new byte[] {TupleData.TEXT, vKind}, new int[] {0, a.length}, new int[] {
                    a.length, b.length
                });
        return new Row(PAIRS, t, BuiltinTypes.builtin(), false);
    }
}
