package io.pgferry.cli.json;

import io.pgferry.core.Lsn;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.core.event.Row;
import io.pgferry.core.event.Transaction;
import io.pgferry.core.pgoutput.TupleData;
import io.pgferry.core.value.BuiltinTypes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Consumer;

/** Builds relations, rows and transactions by hand, as the parser would, for tests that need no server. */
final class Changes {
    /** Marks a column as an unchanged TOAST value in {@link #row}. */
    static final Object UNCHANGED_TOAST = new Object();

    static final Instant COMMIT_TIME = Instant.parse("2026-01-02T03:04:05.123456Z");

    private Changes() {}

    /** A table {@code public.<name>} with REPLICA IDENTITY DEFAULT; {@code id int4} is its key and first column. */
    static Relation relation(String name, Column... others) {
        List<Column> columns = new ArrayList<>();
        columns.add(new Column("id", BuiltinTypes.INT4, -1, true));
        columns.addAll(List.of(others));
        return new Relation(16_384, "public", name, ReplicaIdentity.DEFAULT, columns);
    }

    static Column column(String name, int typeOid) {
        return new Column(name, typeOid, -1, false);
    }

    /**
     * A row in text format: a String is the value's text, null is NULL, {@link #UNCHANGED_TOAST} an unsent TOAST
     * value.
     */
    static Row row(Relation relation, Object... values) {
        return build(relation, false, values);
    }

    /** An old key as REPLICA IDENTITY DEFAULT sends it: the key columns' values, NULL placeholders elsewhere. */
    static Row oldKey(Relation relation, Object... values) {
        return build(relation, true, values);
    }

    private static Row build(Relation relation, boolean keyOnly, Object... values) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        byte[] kinds = new byte[values.length];
        int[] offsets = new int[values.length];
        int[] lengths = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            Object v = values[i];
            offsets[i] = buffer.size();
            if (v == null) {
                kinds[i] = TupleData.NULL;
            } else if (v == UNCHANGED_TOAST) {
                kinds[i] = TupleData.UNCHANGED_TOAST;
            } else {
                kinds[i] = TupleData.TEXT;
                byte[] text = ((String) v).getBytes(StandardCharsets.UTF_8);
                buffer.writeBytes(text);
                lengths[i] = text.length;
            }
        }
        TupleData data = new TupleData(buffer.toByteArray(), kinds, offsets, lengths);
        return new Row(relation, data, BuiltinTypes.builtin(), keyOnly);
    }

    static ChangeEvent.Insert insert(long lsn, Relation relation, Object... values) {
        return new ChangeEvent.Insert(Lsn.of(lsn), relation, row(relation, values));
    }

    /** A committed transaction of {@code changes}, committed at {@code commitLsn}, acknowledging to {@code acks}. */
    static Transaction transaction(long xid, long commitLsn, List<ChangeEvent> changes, Consumer<Lsn> acks) {
        return transaction(xid, commitLsn, Transaction.Kind.COMMITTED, changes.iterator(), acks);
    }

    static Transaction transaction(
            long xid, long commitLsn, Transaction.Kind kind, Iterator<ChangeEvent> changes, Consumer<Lsn> acks) {
        // As the stream builds them: the server records no commit time for snapshot rows and lone messages.
        Instant time = kind == Transaction.Kind.SNAPSHOT || kind == Transaction.Kind.MESSAGE ? null : COMMIT_TIME;
        return new Transaction(xid, Lsn.of(commitLsn), Lsn.of(commitLsn + 0x30), time, null, kind, changes, acks);
    }

    /**
     * The transaction as the stream hands it to a {@link io.pgferry.core.event.PreparingHandler}: each change was
     * given to {@code handler}'s {@code prepare} as it arrived, and the transaction carries the bytes.
     */
    static Transaction prepared(
            JsonLinesHandler handler,
            long xid,
            long commitLsn,
            Transaction.Kind kind,
            List<ChangeEvent> changes,
            Consumer<Lsn> acks)
            throws IOException {
        return Transaction.withPreparedChanges(
                xid,
                Lsn.of(commitLsn),
                Lsn.of(commitLsn + 0x30),
                COMMIT_TIME,
                null,
                kind,
                prepareAll(handler, changes).iterator(),
                acks);
    }

    static List<byte[]> prepareAll(JsonLinesHandler handler, List<ChangeEvent> changes) throws IOException {
        List<byte[]> bytes = new ArrayList<>();
        for (ChangeEvent c : changes) {
            bytes.add(handler.prepare(c));
        }
        return bytes;
    }

    /** Yields {@code items}, then throws {@code failure} instead of reporting the end, as a lost connection does. */
    static <T> Iterator<T> failingAfter(List<T> items, RuntimeException failure) {
        Iterator<T> it = items.iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                if (!it.hasNext()) {
                    throw failure;
                }
                return true;
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return it.next();
            }
        };
    }
}
