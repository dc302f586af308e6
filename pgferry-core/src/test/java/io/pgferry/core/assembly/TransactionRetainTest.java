package io.pgferry.core.assembly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.Lsn;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Transaction;
import io.pgferry.core.pgoutput.ParserOptions;
import io.pgferry.core.value.BuiltinTypes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The buffer of a delivered transaction is reused only once the transaction has ended: when the sink returns, or when
 * a retained transaction is released. Guards issue #5, where a transaction read after delivery saw a buffer already
 * given to the next transaction; the real-server tests are in pgferry-postgres (ChangeStreamRetainTest).
 */
class TransactionRetainTest {
    private static final int ROWS = 3_000;
    private static final String PAD = "x".repeat(300);

    @TempDir
    Path spill;

    private final MemoryBudget budget = new MemoryBudget(1 << 20);

    private TransactionAssembler assembler(Consumer<Transaction> sink) {
        return new TransactionAssembler(
                new ParserOptions(4, false),
                BuiltinTypes.builtin(),
                budget,
                spill,
                new SpillStats(),
                Lsn.INVALID,
                sink,
                lsn -> {},
                r -> {});
    }

    /** A transaction of {@link #ROWS} rows (about 1 MB: the whole budget) with ids {@code first...}. */
    private static void transaction(TransactionAssembler a, long lsn, int first) {
        transaction(a, lsn, first, ROWS);
    }

    private static void transaction(TransactionAssembler a, long lsn, int first, int rows) {
        byte[] begin = Wire.begin(lsn, lsn);
        a.accept(begin, 0, begin.length, Lsn.of(lsn));
        byte[] relation = Wire.relation(0);
        a.accept(relation, 0, relation.length, Lsn.of(lsn));
        for (int i = 0; i < rows; i++) {
            byte[] insert = Wire.insert(0, Integer.toString(first + i), PAD + (first + i));
            a.accept(insert, 0, insert.length, Lsn.of(lsn));
        }
        byte[] commit = Wire.commit(lsn, lsn + 8);
        a.accept(commit, 0, commit.length, Lsn.of(lsn));
    }

    private static List<String> ids(Transaction tx) {
        List<String> ids = new ArrayList<>();
        for (ChangeEvent e : tx) {
            ChangeEvent.Insert insert = (ChangeEvent.Insert) e;
            assertThat(insert.after().text(1)).isEqualTo(PAD + insert.after().text(0));
            ids.add(insert.after().text(0));
        }
        return ids;
    }

    @Test
    void aRetainedTransactionKeepsItsChangesWhileLaterOnesComeAndGo() {
        List<Transaction> kept = new ArrayList<>();
        List<List<String>> others = new ArrayList<>();
        TransactionAssembler a = assembler(tx -> {
            if (kept.isEmpty()) {
                kept.add(tx.retain());
            } else {
                others.add(ids(tx));
            }
        });
        transaction(a, 100, 1);
        long held = budget.retainedBytes();
        assertThat(held)
                .as("the retained transaction counts against the budget")
                .isGreaterThan(0);
        // The retained one holds the memory: these spill, and their buffers are freed and reused in turn.
        transaction(a, 200, 10_001);
        transaction(a, 300, 20_001);
        assertThat(others).hasSize(2);

        Transaction first = kept.get(0);
        assertThat(ids(first)).hasSize(ROWS).first().isEqualTo("1");
        first.release();
        assertThat(budget.retainedBytes()).isZero();
        assertThatThrownBy(first::iterator).isInstanceOf(IllegalStateException.class);

        // Its memory is the next transaction's now.
        List<Transaction> next = new ArrayList<>();
        TransactionAssembler b = assembler(tx -> next.add(tx.retain()));
        transaction(b, 400, 30_001);
        assertThat(ids(next.get(0))).hasSize(ROWS).first().isEqualTo("30001");
        next.get(0).release();
    }

    /**
     * A small retained transaction holds its own bytes on the heap, not a chunk of the budget: a sink can queue many
     * more of them than the budget has chunks (16 here) without the later ones going to disk.
     */
    @Test
    void smallRetainedTransactionsGiveTheirChunksBack() {
        List<Transaction> kept = new ArrayList<>();
        SpillStats stats = new SpillStats();
        TransactionAssembler a = new TransactionAssembler(
                new ParserOptions(4, false),
                BuiltinTypes.builtin(),
                budget,
                spill,
                stats,
                Lsn.INVALID,
                tx -> kept.add(tx.retain()),
                lsn -> {},
                r -> {});
        for (int t = 0; t < 100; t++) {
            transaction(a, 100 + t * 100L, t * 5 + 1, 5);
        }
        assertThat(budget.inUseBytes()).isZero();
        assertThat(budget.retainedBytes()).isGreaterThan(0);
        assertThat(stats.files()).isZero();
        for (int t = 0; t < 100; t++) {
            assertThat(ids(kept.get(t))).hasSize(5).first().isEqualTo(Integer.toString(t * 5 + 1));
            kept.get(t).release();
        }
        assertThat(budget.retainedBytes()).isZero();
    }

    @Test
    void aTransactionNotRetainedEndsWhenTheSinkReturns() {
        List<Transaction> kept = new ArrayList<>();
        TransactionAssembler a = assembler(kept::add);
        transaction(a, 100, 1);
        transaction(a, 200, 10_001);
        assertThat(budget.retainedBytes()).isZero();
        assertThatThrownBy(() -> kept.get(0).iterator())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ended when onTransaction returned");
        assertThatThrownBy(() -> kept.get(0).retain()).isInstanceOf(IllegalStateException.class);
    }
}
