package io.pgferry.connect.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.Lsn;
import io.pgferry.core.checkpoint.Checkpoint;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Transaction;
import io.pgferry.postgres.connect.Dsn;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where the stream resumes from a stored offset, and which records a restart skips. */
class OffsetsTest {
    static final Map<String, Object> PARTITION =
            Offsets.partition(Dsn.parse("host=db port=5432 dbname=shop user=u"), "s");

    private static Transaction tx(long commit, long end) {
        return new Transaction(
                7,
                Lsn.of(commit),
                Lsn.of(end),
                null,
                null,
                Transaction.Kind.COMMITTED,
                List.<ChangeEvent>of().iterator(),
                l -> {});
    }

    /** The offset a record would carry, as Connect gives it back (numbers may come back as Integer or Long). */
    private static Map<String, Object> stored(Transaction tx, long index, boolean last) {
        Offsets writer = new Offsets(PARTITION, null, "c");
        writer.bind("fingerprint");
        return new HashMap<>(writer.offset(tx, index, last));
    }

    @Test
    void afterTheLastRecordOfATransactionTheStreamResumesPastIt() {
        Offsets o = new Offsets(PARTITION, stored(tx(100, 140), 5, true), "c");
        o.bind("fingerprint");
        assertThat(o.load()).contains(new Checkpoint(Lsn.of(140), "fingerprint"));
        Offsets.Resume r = o.resume().orElseThrow();
        assertThat(r.written(Lsn.of(100), 5)).isTrue();
        assertThat(r.written(Lsn.of(200), 0)).isFalse();
    }

    @Test
    void midTransactionTheStreamResumesAtItsCommitAndTheWrittenRecordsAreSkipped() {
        Offsets o = new Offsets(PARTITION, stored(tx(100, 140), 2, false), "c");
        o.bind("fingerprint");
        assertThat(o.load()).contains(new Checkpoint(Lsn.of(100), "fingerprint"));
        Offsets.Resume r = o.resume().orElseThrow();
        assertThat(r.written(Lsn.of(100), 2)).isTrue();
        assertThat(r.written(Lsn.of(100), 3)).isFalse();
        assertThat(r.written(Lsn.of(50), 9)).as("an earlier transaction").isTrue();
    }

    @Test
    void offsetsOfAnotherStreamAreNotTakenForThisOnes() {
        Offsets o = new Offsets(PARTITION, stored(tx(100, 140), 0, true), "c");
        o.bind("another fingerprint");
        assertThat(o.load().orElseThrow().fingerprint()).isNotEqualTo("another fingerprint");
    }

    @Test
    void anUnfinishedSnapshotIsTakenAgain() {
        Transaction snapshot = new Transaction(
                0,
                Lsn.of(100),
                Lsn.INVALID,
                null,
                null,
                Transaction.Kind.SNAPSHOT,
                List.<ChangeEvent>of().iterator(),
                l -> {});
        Offsets o = new Offsets(PARTITION, stored(snapshot, 10, false), "c");
        o.bind("fingerprint");
        assertThat(o.resume().orElseThrow().snapshotUnfinished()).isTrue();
        assertThat(o.load()).isEmpty();
    }

    @Test
    void noStoredOffsetMeansTheSlotsPosition() {
        Offsets o = new Offsets(PARTITION, null, "c");
        o.bind("fingerprint");
        assertThat(o.load()).isEmpty();
        assertThat(o.resume()).isEmpty();
    }

    /**
     * Connect stores an offset under its partition's serialized form: the partition's keys must come in one order in
     * every JVM, or a task moved to another worker finds no offset (issue 10).
     */
    @Test
    void thePartitionsKeysKeepOneOrder() {
        assertThat(PARTITION.keySet()).containsExactly("server", "database", "slot");
    }
}
