package io.pgferry.core.assembly;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.Lsn;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Transaction;
import io.pgferry.core.pgoutput.ParserOptions;
import io.pgferry.core.value.BuiltinTypes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The assembly state machine on hand-built message sequences; the real-server tests are in pgferry-postgres. */
class TransactionAssemblerTest {
    @TempDir
    Path spill;

    record Delivered(Transaction.Kind kind, long xid, Lsn commit, Lsn end, List<String> ids) {}

    private final List<Delivered> delivered = new ArrayList<>();
    private final List<Lsn> acks = new ArrayList<>();

    private TransactionAssembler assembler(long memory, Lsn skipBefore) {
        return new TransactionAssembler(
                new ParserOptions(4, false),
                BuiltinTypes.builtin(),
                new MemoryBudget(memory),
                spill,
                new SpillStats(),
                skipBefore,
                tx -> {
                    List<String> ids = new ArrayList<>();
                    for (ChangeEvent e : tx) {
                        ids.add(((ChangeEvent.Insert) e).after().text(0));
                    }
                    delivered.add(new Delivered(tx.kind(), tx.xid(), tx.commitLsn(), tx.endLsn(), ids));
                    tx.ack();
                },
                acks::add,
                r -> {});
    }

    private static void feed(TransactionAssembler a, byte[]... messages) {
        for (byte[] m : messages) {
            a.accept(m, 0, m.length, Lsn.of(1));
        }
    }

    @Test
    void deliversOrdinaryTransactionAtCommit() {
        TransactionAssembler a = assembler(1 << 20, Lsn.INVALID);
        feed(a, Wire.begin(100, 7), Wire.relation(0), Wire.insert(0, "1", "a"), Wire.insert(0, "2", "b"));
        assertThat(delivered).isEmpty();
        assertThat(a.isBetweenTransactions()).isFalse();
        feed(a, Wire.commit(100, 110));
        assertThat(delivered)
                .containsExactly(
                        new Delivered(Transaction.Kind.COMMITTED, 7, Lsn.of(100), Lsn.of(110), List.of("1", "2")));
        assertThat(acks).containsExactly(Lsn.of(110));
        assertThat(a.lastDeliveredEnd()).isEqualTo(Lsn.of(110));
    }

    @Test
    void skipsTransactionsCommittedBeforeTheCheckpoint() {
        TransactionAssembler a = assembler(1 << 20, Lsn.of(200));
        feed(a, Wire.begin(100, 7), Wire.relation(0), Wire.insert(0, "1", "a"), Wire.commit(100, 110));
        feed(a, Wire.begin(300, 8), Wire.insert(0, "2", "b"), Wire.commit(300, 310));
        assertThat(delivered).extracting(Delivered::xid).containsExactly(8L);
    }

    /**
     * Issue 5 regression: PostgreSQL 14 sends Begin and Commit for a transaction that touched no published table; it
     * was delivered, and a handler that acknowledges late held the slot on a transaction it never looked at.
     */
    @Test
    void dropsATransactionWithNoChange() {
        TransactionAssembler a = assembler(1 << 20, Lsn.INVALID);
        feed(a, Wire.begin(100, 7), Wire.commit(100, 110));
        assertThat(delivered).isEmpty();
        assertThat(acks).isEmpty();
        assertThat(a.isBetweenTransactions()).isTrue();
        feed(a, Wire.begin(200, 8), Wire.relation(0), Wire.insert(0, "1", "a"), Wire.commit(200, 210));
        assertThat(delivered).extracting(Delivered::xid).containsExactly(8L);
    }

    /** Issue 2 regression: a savepoint rolled back in a streamed transaction removes only its own changes. */
    @Test
    void streamedSubtransactionAbortDropsOnlyItsChanges() {
        TransactionAssembler a = assembler(1 << 20, Lsn.INVALID);
        feed(
                a,
                Wire.streamStart(10, true),
                Wire.relation(10),
                Wire.insert(10, "1", "a"),
                Wire.insert(11, "2", "b"),
                Wire.streamStop(),
                Wire.streamStart(10, false),
                Wire.insert(12, "3", "c"),
                Wire.streamStop(),
                Wire.streamAbort(10, 11));
        assertThat(delivered).isEmpty();
        feed(a, Wire.streamCommit(10, 500, 510));
        assertThat(delivered).singleElement().satisfies(d -> {
            assertThat(d.kind()).isEqualTo(Transaction.Kind.STREAMED);
            assertThat(d.ids()).containsExactly("1", "3");
        });
    }

    /** Issue 2 regression: an aborted streamed transaction delivers nothing. */
    @Test
    void abortedStreamedTransactionDeliversNothing() {
        TransactionAssembler a = assembler(1 << 20, Lsn.INVALID);
        feed(
                a,
                Wire.streamStart(10, true),
                Wire.relation(10),
                Wire.insert(10, "1", "a"),
                Wire.streamStop(),
                Wire.streamAbort(10, 10));
        feed(a, Wire.begin(100, 11), Wire.insert(0, "2", "b"), Wire.commit(100, 110));
        assertThat(delivered).extracting(Delivered::xid).containsExactly(11L);
    }

    @Test
    void interleavedStreamedTransactionsStaySeparate() {
        TransactionAssembler a = assembler(1 << 20, Lsn.INVALID);
        feed(
                a,
                Wire.streamStart(10, true),
                Wire.relation(10),
                Wire.insert(10, "1", "x"),
                Wire.streamStop(),
                Wire.streamStart(20, true),
                Wire.relation(20),
                Wire.insert(20, "2", "y"),
                Wire.streamStop(),
                Wire.streamStart(10, false),
                Wire.insert(10, "3", "x"),
                Wire.streamStop(),
                Wire.streamCommit(20, 400, 410),
                Wire.streamCommit(10, 500, 510));
        assertThat(delivered).extracting(Delivered::ids).containsExactly(List.of("2"), List.of("1", "3"));
    }

    @Test
    void preparedTransactionWaitsForCommitPreparedAndCapsTheConfirmablePosition() {
        TransactionAssembler a = assembler(1 << 20, Lsn.INVALID);
        feed(
                a,
                Wire.beginPrepare(100, 110, 7, "g1"),
                Wire.relation(0),
                Wire.insert(0, "1", "a"),
                Wire.prepare(100, 110, 7, "g1"));
        assertThat(delivered).isEmpty();
        assertThat(a.hasPendingPrepared()).isTrue();
        assertThat(a.confirmable(Lsn.of(900))).isEqualTo(Lsn.of(100));
        feed(a, Wire.beginPrepare(200, 210, 8, "g2"), Wire.insert(0, "2", "b"), Wire.prepare(200, 210, 8, "g2"));
        feed(a, Wire.rollbackPrepared(210, 220, 8, "g2"));
        feed(a, Wire.commitPrepared(300, 310, 7, "g1"));
        assertThat(delivered).singleElement().satisfies(d -> {
            assertThat(d.kind()).isEqualTo(Transaction.Kind.PREPARED);
            assertThat(d.commit()).isEqualTo(Lsn.of(300));
            assertThat(d.ids()).containsExactly("1");
        });
        assertThat(a.hasPendingPrepared()).isFalse();
        assertThat(a.confirmable(Lsn.of(900))).isEqualTo(Lsn.of(900));
    }

    @Test
    void largeTransactionSpillsToDiskAndComesBackInOrder() {
        SpillStats stats = new SpillStats();
        TransactionAssembler a = new TransactionAssembler(
                new ParserOptions(4, false),
                BuiltinTypes.builtin(),
                new MemoryBudget(1 << 20),
                spill,
                stats,
                Lsn.INVALID,
                tx -> {
                    List<String> ids = new ArrayList<>();
                    tx.forEach(e -> ids.add(((ChangeEvent.Insert) e).after().text(0)));
                    delivered.add(new Delivered(tx.kind(), tx.xid(), tx.commitLsn(), tx.endLsn(), ids));
                },
                acks::add,
                r -> {});
        feed(a, Wire.begin(100, 7), Wire.relation(0));
        String pad = "x".repeat(200);
        for (int i = 0; i < 20_000; i++) {
            feed(a, Wire.insert(0, Integer.toString(i), pad));
        }
        feed(a, Wire.commit(100, 110));
        assertThat(stats.files()).isEqualTo(1);
        assertThat(stats.fileBytes()).isPositive().isLessThan(stats.rawBytes());
        List<String> ids = delivered.get(0).ids();
        assertThat(ids).hasSize(20_000);
        for (int i = 0; i < ids.size(); i++) {
            assertThat(ids.get(i)).isEqualTo(Integer.toString(i));
        }
        assertThat(spill.toFile().list()).isEmpty();
    }

    @Test
    void resetDropsEverythingOpen() {
        TransactionAssembler a = assembler(1 << 20, Lsn.INVALID);
        feed(a, Wire.begin(100, 7), Wire.relation(0), Wire.insert(0, "1", "a"));
        a.reset();
        assertThat(a.isBetweenTransactions()).isTrue();
        feed(a, Wire.begin(200, 8), Wire.relation(0), Wire.insert(0, "2", "b"), Wire.commit(200, 210));
        assertThat(delivered).extracting(Delivered::xid).containsExactly(8L);
    }

    /** Issue 2: empty streamed blocks (PostgreSQL 14 sends them) keep nothing and still end cleanly. */
    @Test
    void emptyStreamedBlocksKeepNoBuffer() {
        TransactionAssembler a = assembler(1 << 20, Lsn.INVALID);
        feed(a, Wire.streamStart(30, true), Wire.streamStop(), Wire.streamStart(30, false), Wire.streamStop());
        assertThat(a.isBetweenTransactions()).isTrue();
        feed(a, Wire.streamCommit(30, 600, 610));
        assertThat(delivered).isEmpty();
        feed(
                a,
                Wire.streamStart(31, true),
                Wire.streamStop(),
                Wire.streamStart(31, false),
                Wire.relation(31),
                Wire.insert(31, "9", "z"),
                Wire.streamStop(),
                Wire.streamCommit(31, 700, 710));
        assertThat(delivered).extracting(Delivered::ids).containsExactly(List.of("9"));
    }
}
