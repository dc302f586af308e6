package io.pgferry.connect.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.Lsn;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Transaction;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a source transaction may be acknowledged to the stream: never before Connect stores its records' offsets. */
class AcknowledgementsTest {
    private static Transaction tx(long commit) {
        return new Transaction(
                1,
                Lsn.of(commit),
                Lsn.of(commit + 8),
                null,
                null,
                Transaction.Kind.COMMITTED,
                List.<ChangeEvent>of().iterator(),
                l -> {});
    }

    @Test
    void aTransactionIsAcknowledgedOneOffsetFlushAfterItsRecordsAreCommitted() {
        Acknowledgements acks = new Acknowledgements();
        Transaction a = tx(100);
        acks.open(a.commitLsn());
        acks.made(a.commitLsn());
        acks.made(a.commitLsn());
        acks.polled(a.commitLsn(), a, true);
        acks.committed(100);
        assertThat(acks.onCommit(false)).as("one record still out").isNull();
        acks.committed(100);
        assertThat(acks.onCommit(false))
                .as("held now, but the flush that just ended may have begun before")
                .isNull();
        assertThat(acks.onCommit(false)).as("stored by the next flush").isSameAs(a);
    }

    @Test
    void withRecordsCommittedOnlyWithTheirOffsetsWhatIsHeldIsAcknowledgedAtOnce() {
        Acknowledgements acks = new Acknowledgements();
        Transaction a = tx(100);
        acks.open(a.commitLsn());
        acks.made(a.commitLsn());
        acks.polled(a.commitLsn(), a, true);
        acks.committed(100);
        assertThat(acks.onCommit(true)).isSameAs(a);
    }

    @Test
    void aLaterTransactionCommittedFirstWaitsForTheEarlierOne() {
        Acknowledgements acks = new Acknowledgements();
        Transaction a = tx(100);
        Transaction b = tx(200);
        for (Transaction t : List.of(a, b)) {
            acks.open(t.commitLsn());
            acks.made(t.commitLsn());
            acks.polled(t.commitLsn(), t, true);
        }
        acks.committed(200);
        assertThat(acks.onCommit(true)).isNull();
        acks.committed(100);
        assertThat(acks.onCommit(true)).isSameAs(b);
        assertThat(acks.pending()).isZero();
    }

    @Test
    void aTransactionWithoutRecordsIsNeverAcknowledgedOnItsOwn() {
        Acknowledgements acks = new Acknowledgements();
        Transaction a = tx(100);
        Transaction empty = tx(200);
        acks.open(a.commitLsn());
        acks.made(a.commitLsn());
        acks.polled(a.commitLsn(), a, true);
        acks.open(empty.commitLsn());
        acks.polled(empty.commitLsn(), empty, true);
        acks.committed(100);
        assertThat(acks.onCommit(true))
                .as("acknowledging the empty one would put the slot past every stored offset")
                .isSameAs(a);
    }

    @Test
    void snapshotTablesAreOneUnitAcknowledgedByTheLast() {
        Acknowledgements acks = new Acknowledgements();
        Transaction first = new Transaction(
                0,
                Lsn.of(100),
                Lsn.INVALID,
                null,
                null,
                Transaction.Kind.SNAPSHOT,
                List.<ChangeEvent>of().iterator(),
                l -> {});
        Transaction last = new Transaction(
                0,
                Lsn.of(100),
                Lsn.of(100),
                null,
                null,
                Transaction.Kind.SNAPSHOT,
                List.<ChangeEvent>of().iterator(),
                l -> {});
        acks.open(first.commitLsn());
        acks.made(first.commitLsn());
        acks.polled(first.commitLsn(), first, false);
        acks.committed(100);
        assertThat(acks.onCommit(true)).as("more tables to come").isNull();
        acks.open(last.commitLsn());
        acks.made(last.commitLsn());
        acks.polled(last.commitLsn(), last, true);
        acks.committed(100);
        assertThat(acks.onCommit(true)).isSameAs(last);
    }
}
