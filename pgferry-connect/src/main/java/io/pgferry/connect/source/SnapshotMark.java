package io.pgferry.connect.source;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.TransactionContext;

/**
 * The record that must be stored before a snapshot's slot is created. Connect restarts tasks at will (a rebalance, a
 * worker leaving), and a task restarted after it created its slot but before any offset was stored would find a slot
 * it cannot take a snapshot from, and no offset to say why. So the task first writes this record (on the heartbeat
 * topic) with an offset that says a snapshot has begun and not finished, and creates the slot only once Connect has
 * stored that offset: a restart then knows the slot as its own, drops it and takes the snapshot again. The snapshot's
 * end replaces the offset with a finished one.
 *
 * <p>Thread-safe: made and polled on the task's thread, committed on the producer's.
 */
final class SnapshotMark {
    private final SourceRecord record;
    private final CountDownLatch stored = new CountDownLatch(1);
    private volatile boolean committed;
    private boolean heldAtLastCommit;

    SnapshotMark(Map<String, Object> partition, Heartbeat heartbeat) {
        this.record = new SourceRecord(
                partition,
                Map.of("lsn", 0L, "index", 0L, "snapshot", true),
                heartbeat.topic(),
                null,
                heartbeat.keySchema(),
                heartbeat.key(),
                heartbeat.valueSchema(),
                heartbeat.value(Instant.now()));
    }

    /** The record, for the task's first poll; with exactly-once delivery it is a Kafka transaction of its own. */
    SourceRecord record(TransactionContext transactions) {
        if (transactions != null) {
            transactions.commitTransaction(record);
        }
        return record;
    }

    boolean isMark(SourceRecord r) {
        return r == record;
    }

    void committed() {
        committed = true;
    }

    /**
     * Connect finished storing offsets; as for {@link Acknowledgements}, what was committed at the previous call is
     * stored now, or what is committed now when records are committed only with their offsets.
     */
    synchronized void onCommit(boolean storedWithRecords) {
        if (committed && (storedWithRecords || heldAtLastCommit)) {
            stored.countDown();
        }
        heldAtLastCommit = committed;
    }

    /** Waits up to {@code wait} for the offset to be stored. */
    boolean awaitStored(Duration wait) throws InterruptedException {
        return stored.await(wait.toNanos(), TimeUnit.NANOSECONDS);
    }
}
