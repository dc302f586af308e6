package io.pgferry.core.assembly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.Lsn;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.Transaction;
import io.pgferry.core.pgoutput.ParserOptions;
import io.pgferry.core.value.BuiltinTypes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The assembler with a preparer: every change is handed over as it arrives, its bytes are buffered in its place, and
 * a delivered transaction carries the bytes of exactly the changes an ordinary handler would have been given.
 */
class TransactionAssemblerPreparingTest {
    @TempDir
    Path spill;

    record Delivered(Transaction.Kind kind, long xid, Lsn commit, List<String> lines) {}

    private final List<Delivered> delivered = new ArrayList<>();
    /** Every change handed to the preparer, in order, as its line. */
    private final List<String> prepared = new ArrayList<>();

    private long nextLsn = 0x1000;

    /** A change as one line: op, table, values (or prefix), position. */
    private static String line(ChangeEvent e) {
        String what;
        if (e instanceof ChangeEvent.Insert c) {
            what = "insert " + table(c.relation()) + " " + c.after().text(0) + "="
                    + c.after().text(1);
        } else if (e instanceof ChangeEvent.Truncate c) {
            what = "truncate " + c.relations().stream().map(r -> table(r)).toList() + " cascade=" + c.cascade();
        } else if (e instanceof ChangeEvent.Message c) {
            what = "message " + c.prefix() + " " + new String(c.content(), StandardCharsets.UTF_8);
        } else {
            what = e.op().toString();
        }
        return what + " @" + e.lsn();
    }

    private static String table(Relation r) {
        return r.schema() + "." + r.table() + "(" + r.columns().size() + ")";
    }

    private final Function<ChangeEvent, byte[]> preparer = e -> {
        String line = line(e);
        prepared.add(line);
        return line.getBytes(StandardCharsets.UTF_8);
    };

    private TransactionAssembler assembler(long memory, Lsn skipBefore) {
        return new TransactionAssembler(
                new ParserOptions(4, false),
                BuiltinTypes.builtin(),
                new MemoryBudget(memory),
                spill,
                new SpillStats(),
                skipBefore,
                tx -> {
                    assertThat(tx.hasPreparedChanges()).isTrue();
                    assertThatThrownBy(tx::iterator)
                            .isInstanceOf(IllegalStateException.class)
                            .hasMessageContaining("preparedChanges()");
                    List<String> lines = new ArrayList<>();
                    for (Iterator<byte[]> it = tx.preparedChanges(); it.hasNext(); ) {
                        lines.add(new String(it.next(), StandardCharsets.UTF_8));
                    }
                    assertThatThrownBy(tx::preparedChanges).isInstanceOf(IllegalStateException.class);
                    delivered.add(new Delivered(tx.kind(), tx.xid(), tx.commitLsn(), lines));
                },
                lsn -> {},
                r -> {},
                preparer);
    }

    /** Feeds the messages, each at the next of a series of WAL positions. */
    private void feed(TransactionAssembler a, byte[]... messages) {
        for (byte[] m : messages) {
            a.accept(m, 0, m.length, Lsn.of(nextLsn));
            nextLsn += 0x10;
        }
    }

    /** TRUNCATE of relation 16384 (CASCADE); {@code xid} > 0 inside a streamed block. */
    private static byte[] truncate(long xid) {
        Wire w = Wire.tag('T');
        if (xid > 0) {
            w.i32(xid);
        }
        return w.i32(1).u8(1).i32(16384).build();
    }

    /** A transactional logical message; {@code xid} > 0 inside a streamed block. */
    private static byte[] message(long xid, String prefix, String content) {
        Wire w = Wire.tag('M');
        if (xid > 0) {
            w.i32(xid);
        }
        byte[] c = content.getBytes(StandardCharsets.UTF_8);
        w.u8(1).i64(0x1).str(prefix).i32(c.length);
        for (byte b : c) {
            w.u8(b);
        }
        return w.build();
    }

    /** Relation 16384 described anew as public.t2 with a third column; {@code xid} > 0 inside a streamed block. */
    private static byte[] relationAltered(long xid) {
        Wire w = Wire.tag('R');
        if (xid > 0) {
            w.i32(xid);
        }
        return w.i32(16384)
                .str("public")
                .str("t2")
                .u8('d')
                .i16(3)
                .u8(1)
                .str("id")
                .i32(23)
                .i32(-1)
                .u8(0)
                .str("v")
                .i32(25)
                .i32(-1)
                .u8(0)
                .str("w")
                .i32(25)
                .i32(-1)
                .build();
    }

    @Test
    void ordinaryTransactionChangesArePreparedOnArrivalAndDeliveredAtCommit() {
        TransactionAssembler a = assembler(1 << 20, Lsn.INVALID);
        feed(a, Wire.begin(100, 7), Wire.relation(0), Wire.insert(0, "1", "a"), Wire.insert(0, "2", "b"));
        feed(a, truncate(0), message(0, "pfx", "hi"));
        List<String> expected = List.of(
                "insert public.t(2) 1=a @0/1020",
                "insert public.t(2) 2=b @0/1030",
                "truncate [public.t(2)] cascade=true @0/1040",
                "message pfx hi @0/1050");
        assertThat(prepared).isEqualTo(expected);
        assertThat(delivered).isEmpty();
        feed(a, Wire.commit(100, 110));
        assertThat(delivered).containsExactly(new Delivered(Transaction.Kind.COMMITTED, 7, Lsn.of(100), expected));
    }

    @Test
    void streamedSavepointRolledBackDropsOnlyItsPreparedChanges() {
        TransactionAssembler a = assembler(1 << 20, Lsn.INVALID);
        feed(
                a,
                Wire.streamStart(10, true),
                Wire.relation(10),
                Wire.insert(10, "1", "a"),
                Wire.insert(11, "2", "b"),
                truncate(11),
                Wire.streamStop(),
                Wire.streamStart(10, false),
                message(12, "pfx", "kept"),
                Wire.insert(12, "3", "c"),
                Wire.streamStop(),
                Wire.streamAbort(10, 11));
        assertThat(prepared).hasSize(5);
        assertThat(delivered).isEmpty();
        feed(a, Wire.streamCommit(10, 500, 510));
        assertThat(delivered).singleElement().satisfies(d -> {
            assertThat(d.kind()).isEqualTo(Transaction.Kind.STREAMED);
            assertThat(d.xid()).isEqualTo(10);
            assertThat(d.commit()).isEqualTo(Lsn.of(500));
            assertThat(d.lines())
                    .containsExactly(
                            "insert public.t(2) 1=a @0/1020",
                            "message pfx kept @0/1070",
                            "insert public.t(2) 3=c @0/1080");
        });
    }

    @Test
    void abortedStreamedTransactionDeliversNoneOfItsPreparedChanges() {
        TransactionAssembler a = assembler(1 << 20, Lsn.INVALID);
        feed(
                a,
                Wire.streamStart(10, true),
                Wire.relation(10),
                Wire.insert(10, "1", "a"),
                Wire.streamStop(),
                Wire.streamAbort(10, 10));
        feed(a, Wire.begin(100, 11), Wire.insert(0, "2", "b"), Wire.commit(100, 110));
        assertThat(prepared).hasSize(2);
        assertThat(delivered).singleElement().satisfies(d -> {
            assertThat(d.xid()).isEqualTo(11);
            assertThat(d.lines()).containsExactly("insert public.t(2) 2=b @0/1060");
        });
    }

    @Test
    void twoPhaseTransactionIsPreparedAtArrivalAndDeliveredAtCommitPrepared() {
        TransactionAssembler a = assembler(1 << 20, Lsn.INVALID);
        feed(
                a,
                Wire.beginPrepare(100, 110, 7, "g1"),
                Wire.relation(0),
                Wire.insert(0, "1", "a"),
                Wire.prepare(100, 110, 7, "g1"));
        feed(
                a,
                Wire.beginPrepare(200, 210, 8, "g2"),
                Wire.insert(0, "2", "b"),
                Wire.prepare(200, 210, 8, "g2"),
                Wire.rollbackPrepared(210, 220, 8, "g2"));
        assertThat(prepared).hasSize(2);
        assertThat(delivered).isEmpty();
        assertThat(a.confirmable(Lsn.of(900))).isEqualTo(Lsn.of(100));
        feed(a, Wire.commitPrepared(300, 310, 7, "g1"));
        assertThat(delivered)
                .containsExactly(new Delivered(
                        Transaction.Kind.PREPARED, 7, Lsn.of(300), List.of("insert public.t(2) 1=a @0/1020")));
        assertThat(a.hasPendingPrepared()).isFalse();
    }

    /** A change is prepared with the relation as the server last described it before the change, as replay does. */
    @Test
    void changesSeeTheRelationAsItWasWhenTheyArrived() {
        List<List<String>> replayed = new ArrayList<>();
        Consumer<Transaction> replaying = tx -> {
            List<String> lines = new ArrayList<>();
            tx.forEach(e -> lines.add(line(e)));
            replayed.add(lines);
        };
        TransactionAssembler ordinary = new TransactionAssembler(
                new ParserOptions(4, false),
                BuiltinTypes.builtin(),
                new MemoryBudget(1 << 20),
                spill,
                new SpillStats(),
                Lsn.INVALID,
                replaying,
                lsn -> {},
                r -> {});
        TransactionAssembler preparing = assembler(1 << 20, Lsn.INVALID);
        for (TransactionAssembler a : List.of(ordinary, preparing)) {
            nextLsn = 0x1000;
            feed(
                    a,
                    Wire.streamStart(10, true),
                    Wire.relation(10),
                    Wire.insert(10, "1", "a"),
                    Wire.streamStop(),
                    Wire.streamStart(20, true),
                    relationAltered(20),
                    Wire.streamStop(),
                    Wire.streamStart(10, false),
                    relationAltered(10),
                    Wire.tag('I')
                            .i32(10)
                            .i32(16384)
                            .u8('N')
                            .textColumns("2", "b", "c")
                            .build(),
                    Wire.streamStop(),
                    Wire.streamCommit(10, 500, 510),
                    Wire.streamAbort(20, 20));
        }
        assertThat(replayed)
                .containsExactly(List.of("insert public.t(2) 1=a @0/1020", "insert public.t2(3) 2=b @0/1090"));
        assertThat(delivered).extracting(Delivered::lines).containsExactlyElementsOf(replayed);
    }

    @Test
    void skippedTransactionsAreNotPrepared() {
        TransactionAssembler a = assembler(1 << 20, Lsn.of(200));
        feed(a, Wire.begin(100, 7), Wire.relation(0), Wire.insert(0, "1", "a"), Wire.commit(100, 110));
        feed(a, Wire.begin(300, 8), Wire.insert(0, "2", "b"), Wire.commit(300, 310));
        assertThat(prepared).containsExactly("insert public.t(2) 2=b @0/1050");
        assertThat(delivered).extracting(Delivered::xid).containsExactly(8L);
    }

    @Test
    void preparedChangesSpillToDiskAndComeBackInOrder() {
        SpillStats stats = new SpillStats();
        List<Integer> ids = new ArrayList<>();
        TransactionAssembler a = new TransactionAssembler(
                new ParserOptions(4, false),
                BuiltinTypes.builtin(),
                new MemoryBudget(1 << 20),
                spill,
                stats,
                Lsn.INVALID,
                tx -> tx.preparedChanges().forEachRemaining(b -> {
                    String line = new String(b, StandardCharsets.UTF_8);
                    ids.add(Integer.parseInt(line.substring(0, line.indexOf(' '))));
                }),
                lsn -> {},
                r -> {},
                e -> (((ChangeEvent.Insert) e).after().text(0) + " "
                                + ((ChangeEvent.Insert) e).after().text(1))
                        .getBytes(StandardCharsets.UTF_8));
        feed(a, Wire.streamStart(10, true), Wire.relation(10));
        String pad = "x".repeat(200);
        for (int i = 0; i < 20_000; i++) {
            feed(a, Wire.insert(10, Integer.toString(i), pad));
        }
        feed(a, Wire.streamStop(), Wire.streamCommit(10, 500, 510));
        assertThat(stats.files()).isEqualTo(1);
        assertThat(spill.toFile().list()).isEmpty();
        assertThat(ids).hasSize(20_000);
        for (int i = 0; i < ids.size(); i++) {
            assertThat(ids.get(i)).isEqualTo(i);
        }
    }

    @Test
    void aFailingPreparerStopsTheMessageAndBuffersNothing() {
        RuntimeException failure = new IllegalStateException("cannot encode");
        List<Integer> calls = new ArrayList<>();
        TransactionAssembler a = new TransactionAssembler(
                new ParserOptions(4, false),
                BuiltinTypes.builtin(),
                new MemoryBudget(1 << 20),
                spill,
                new SpillStats(),
                Lsn.INVALID,
                tx -> delivered.add(new Delivered(tx.kind(), tx.xid(), tx.commitLsn(), List.of())),
                lsn -> {},
                r -> {},
                e -> {
                    calls.add(1);
                    throw failure;
                });
        feed(a, Wire.begin(100, 7), Wire.relation(0));
        byte[] insert = Wire.insert(0, "1", "a");
        assertThatThrownBy(() -> a.accept(insert, 0, insert.length, Lsn.of(0x2000)))
                .isSameAs(failure);
        assertThat(calls).hasSize(1);
        assertThat(delivered).isEmpty();
    }
}
