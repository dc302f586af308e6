package io.pgferry.connect.source;

import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Transaction;
import io.pgferry.kafka.event.UnchangedToast;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.TransactionContext;

/**
 * One source transaction being turned into records, across as many polls as it takes. Each record is held back until
 * the next one is made, so that the last one is known as such: its offset says so ({@code last}), and with
 * exactly-once delivery it ends the Kafka transaction. After a restart, records the stored offset shows were written
 * already are skipped. Rows of the initial snapshot are no transaction: their Kafka transactions end every so many
 * rows, and a record on the heartbeat topic marks the snapshot's end. On the task's thread only.
 */
final class Reading {
    private record Made(
            String topic,
            Schema keySchema,
            Object key,
            Schema valueSchema,
            Object value,
            String unchangedToast,
            long index) {}

    private final Handoff.Handed handed;
    private final Transaction tx;
    private final Iterator<ChangeEvent> changes;
    private final SourceConfig.Settings settings;
    private final Offsets offsets;
    private final Encoder events;
    private final Heartbeat heartbeat;
    private final Acknowledgements acks;
    private final Offsets.Resume resume;
    private final TransactionContext transactions;
    private final TransactionStruct metadata;
    private final Encoder.Origin origin;
    private final boolean snapshot;
    private final Handoff.Prepared prepared;
    /** The position of the next change in the transaction, for its prepared records. */
    private int changeIndex;

    private List<SourceRecord> out;
    private Made held;
    private long index;
    private long rowsInKafkaTransaction;
    /** The last record emitted that may end a Kafka transaction (the last of a source transaction); null for none. */
    private SourceRecord lastEnding;

    Reading(
            Handoff.Handed handed,
            SourceConfig.Settings settings,
            Offsets offsets,
            Encoder events,
            Heartbeat heartbeat,
            Acknowledgements acks,
            Offsets.Resume resume,
            TransactionContext transactions) {
        this.handed = handed;
        this.tx = handed.tx();
        this.changes = handed.changes();
        this.settings = settings;
        this.offsets = offsets;
        this.events = events;
        this.heartbeat = heartbeat;
        this.acks = acks;
        this.resume = resume;
        this.transactions = transactions;
        this.snapshot = tx.kind() == Transaction.Kind.SNAPSHOT;
        this.prepared = handed.prepared();
        boolean withMetadata = settings.transactionMetadata()
                && tx.kind() != Transaction.Kind.SNAPSHOT
                && tx.kind() != Transaction.Kind.MESSAGE;
        this.metadata = withMetadata ? new TransactionStruct(handed.tx(), Instant.now()) : null;
        this.origin = new Encoder.Origin(handed.tx().xid(), handed.tx().commitTime(), metadata);
        acks.open(handed.tx().commitLsn());
    }

    /**
     * Adds records to {@code out} until it holds {@code max}, the transaction is done, or {@code deadline} (a {@link
     * System#nanoTime()} value) has passed with {@code out} not empty: a snapshot's rows are read from the source as
     * they are made into records, and a slow read must not keep poll() from returning for long (issue 10).
     *
     * @return true when the transaction is done: every record made, the transaction released
     */
    boolean fill(List<SourceRecord> out, int max, int snapshotRowsPerTransaction, long deadline) {
        this.out = out;
        while (out.size() < max && (out.isEmpty() || System.nanoTime() - deadline < 0)) {
            if (!changes.hasNext()) {
                finish(snapshotRowsPerTransaction);
                return true;
            }
            ChangeEvent change = changes.next();
            int i = changeIndex++;
            if (PgferrySourceTask.isHeartbeat(change)) {
                makeHeartbeat();
            } else if (prepared != null) {
                for (int r = i == 0 ? 0 : prepared.ends()[i - 1]; r < prepared.ends()[i]; r++) {
                    Encoder.Encoded e = prepared.records().get(r);
                    make(e.topic(), e.keySchema(), e.key(), e.valueSchema(), e.value(), e.unchangedToast());
                }
            } else if (!(change instanceof ChangeEvent.Message) || settings.messages()) {
                events.add(change, origin, this::make);
            }
            if (snapshot
                    && held != null
                    && transactions != null
                    && ++rowsInKafkaTransaction >= snapshotRowsPerTransaction) {
                rowsInKafkaTransaction = 0;
                emit(held, false, true);
                held = null;
            }
        }
        return false;
    }

    private void finish(int snapshotRowsPerTransaction) {
        if (metadata != null && !metadata.isEmpty()) {
            make(
                    settings.topics().transaction(),
                    TransactionStruct.KEY_SCHEMA,
                    metadata.key(),
                    TransactionStruct.VALUE_SCHEMA,
                    metadata.value(true),
                    null);
        }
        boolean snapshotEnds = snapshot && tx.endLsn().isValid();
        if (held != null) {
            emit(held, !snapshot, !snapshot);
            held = null;
        }
        if (snapshotEnds) {
            // The snapshot's last row is in once this record is: its offset says the snapshot is done.
            makeHeartbeat();
            emit(held, true, true);
            held = null;
        }
        handed.release();
        acks.polled(tx.commitLsn(), tx, !snapshot || snapshotEnds);
    }

    /**
     * The last record emitted since the previous call after which a Kafka transaction may end (the last record of a
     * source transaction, or of a chunk of snapshot rows), or null. With grouped transactions the task ends one there
     * once per poll, so a Kafka transaction holds whole source transactions, never part of one.
     */
    SourceRecord takeLastEnding() {
        SourceRecord r = lastEnding;
        lastEnding = null;
        return r;
    }

    /** Gives the transaction back to the stream; reading it afterwards throws {@link IllegalStateException}. */
    void release() {
        handed.release();
    }

    private void makeHeartbeat() {
        make(
                heartbeat.topic(),
                heartbeat.keySchema(),
                heartbeat.key(),
                heartbeat.valueSchema(),
                heartbeat.value(Instant.now()),
                null);
    }

    /** A record of this transaction: the one held before it goes out. */
    private void make(
            String topic, Schema keySchema, Object key, Schema valueSchema, Object value, String unchangedToast) {
        if (metadata != null
                && held == null
                && index == 0
                && !topic.equals(settings.topics().transaction())) {
            // BEGIN, before the transaction's first record (Debezium writes none for a transaction without any).
            long i = index++;
            hold(new Made(
                    settings.topics().transaction(),
                    TransactionStruct.KEY_SCHEMA,
                    metadata.key(),
                    TransactionStruct.VALUE_SCHEMA,
                    metadata.value(false),
                    null,
                    i));
        }
        long i = index++;
        hold(new Made(topic, keySchema, key, valueSchema, value, unchangedToast, i));
    }

    private void hold(Made m) {
        if (!snapshot && resume != null && resume.written(tx.commitLsn(), m.index())) {
            return; // written before the restart
        }
        if (held != null) {
            emit(held, false, false);
        }
        held = m;
    }

    private void emit(Made m, boolean last, boolean endsKafkaTransaction) {
        ConnectHeaders headers = new ConnectHeaders();
        if (m.unchangedToast() != null) {
            headers.addString(UnchangedToast.HEADER, m.unchangedToast());
        }
        SourceRecord r = new SourceRecord(
                offsets.partition(),
                offsets.offset(tx, m.index(), last),
                m.topic(),
                null,
                m.keySchema(),
                m.key(),
                m.valueSchema(),
                m.value(),
                null,
                headers);
        acks.made(tx.commitLsn());
        out.add(r);
        if (endsKafkaTransaction && transactions != null) {
            if (settings.kafkaTransactionPerSourceTransaction()) {
                transactions.commitTransaction(r);
            } else {
                lastEnding = r;
            }
        }
    }
}
