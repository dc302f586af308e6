package io.pgferry.connect.source;

import io.pgferry.connect.PluginVersion;
import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.Transaction;
import io.pgferry.core.sink.MaskingStage;
import io.pgferry.core.sink.Stage;
import io.pgferry.core.sink.ValueMask;
import io.pgferry.kafka.event.TableFacts;
import io.pgferry.postgres.ChangeStream;
import io.pgferry.postgres.MissingValues;
import io.pgferry.postgres.admin.SlotAdmin;
import io.pgferry.postgres.admin.SlotLostException;
import io.pgferry.postgres.connect.Connections;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.apache.kafka.connect.source.TransactionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams one slot into Connect. The stream ({@link ChangeStream}) runs on a thread of its own and hands each committed
 * transaction to this task ({@link Handoff}: small ones read at once, large ones retained, so memory stays bounded by
 * the stream's limit and spill files) until {@link #poll()} has turned it into records, a bounded batch at a time; each
 * record's offset says where in which transaction it stands ({@link Offsets}). A transaction is acknowledged to the
 * stream, and so confirmed to the slot, only once Connect has committed its records and stored their offsets ({@link
 * Acknowledgements}): never ahead. With exactly-once delivery and {@code transaction.boundary=connector}, each poll's
 * whole source transactions are one Kafka transaction (or each source transaction one, with {@code
 * kafka.transaction.per.source.transaction}).
 */
public final class PgferrySourceTask extends SourceTask {
    private static final Logger log = LoggerFactory.getLogger(PgferrySourceTask.class);
    /** Rows of the initial snapshot per Kafka transaction, with exactly-once delivery: a snapshot is no transaction. */
    private static final int SNAPSHOT_ROWS_PER_TRANSACTION = 10_000;

    /** Changes waiting for poll(), at most. */
    private static final long MAX_WAITING_CHANGES = 50_000;

    private volatile Handoff handed = new Handoff(MAX_WAITING_CHANGES, Long.MAX_VALUE, null);
    private final Acknowledgements acks = new Acknowledgements();
    private SourceConfig.Settings settings;
    /** The connector's name, for the REST calls an error's fix names. */
    private String connectorName = "pgferry";

    private Offsets offsets;
    private Optional<Offsets.Resume> resume;
    private Encoder events;
    private Heartbeat heartbeat;
    /** Before a snapshot's slot is created: the record to be stored first; null once streaming. */
    private volatile SnapshotMark mark;

    private boolean markPolled;
    private volatile ChangeStream stream;
    /**
     * The start of a snapshot's stream, on a thread of its own: creating the slot waits until every transaction open on
     * the source has ended (PostgreSQL docs, "Streaming Replication Protocol", CREATE_REPLICATION_SLOT), however long
     * that is, and poll() may not block for so long. Null once started.
     */
    private volatile CompletableFuture<Void> starting;

    private TransactionContext transactions;
    private volatile boolean stopping;
    /**
     * The end of the last transaction handed over; a transaction the stream delivers again after a reconnect is one
     * this task already holds. Stream thread only.
     */
    private Lsn lastHanded = Lsn.INVALID;
    /** The transaction being turned into records, on the task's thread; null between transactions. */
    private volatile Reading reading;
    /** The primary keys of the tables with REPLICA IDENTITY FULL, shared by both encoders. */
    private PrimaryKeys primaryKeys;

    private MissingValues missingValues;

    @Override
    public String version() {
        return PluginVersion.get();
    }

    @Override
    public void start(Map<String, String> props) {
        try {
            settings = SourceConfig.parse(props);
            settings.refuseBadMask();
        } catch (PgFerryException e) {
            throw new ConnectException(e.getMessage(), e);
        }
        String connector = props.getOrDefault("name", "pgferry");
        connectorName = connector;
        Map<String, Object> partition = Offsets.partition(settings.source(), settings.slot());
        Map<String, Object> stored = context.offsetStorageReader().offset(partition);
        offsets = new Offsets(partition, stored, connector);
        resume = offsets.resume();
        if (resume.isPresent() && resume.get().snapshotUnfinished()) {
            dropSlotOfUnfinishedSnapshot();
            resume = Optional.empty();
        }
        transactions = context.transactionContext();
        String prefix = settings.topics().prefix();
        primaryKeys = new PrimaryKeys(settings.source());
        missingValues = new MissingValues(settings.source());
        events = encoder();
        if (!settings.transactionMetadata()) {
            // A second encoder, the stream thread's own: encoders are not thread-safe.
            Encoder ahead = encoder();
            handed = new Handoff(
                    MAX_WAITING_CHANGES, settings.memoryLimitBytes(), (tx, read) -> prepare(ahead, tx, read));
        } else {
            handed = new Handoff(MAX_WAITING_CHANGES, settings.memoryLimitBytes(), null);
        }
        heartbeat = new Heartbeat(prefix, settings.recordFormat());
        if (settings.snapshot() && offsets.resume().isEmpty()) {
            // The slot is created once an offset saying so is stored: see SnapshotMark.
            mark = new SnapshotMark(partition, heartbeat);
            log.info("taking a snapshot from a new slot {} once Connect has stored that it began", settings.slot());
            return;
        }
        // Here the slot is created (or checked) before the task is running, so that a running task captures every
        // change committed from then on.
        startStream();
    }

    /** An encoder of the record format, that first masks each change when a mask file is set. */
    private Encoder encoder() {
        Encoder encoder = formatEncoder();
        if (settings.mask() == ValueMask.NONE) {
            return encoder;
        }
        // One stage per encoder: each is used by one thread, and the stage caches per table.
        Stage stage = new MaskingStage(settings.mask());
        return (change, origin, out) -> {
            ChangeEvent masked = stage.process(change);
            if (masked != null) {
                encoder.add(masked, origin, out);
            }
        };
    }

    private Encoder formatEncoder() {
        String prefix = settings.topics().prefix();
        return settings.recordFormat() == RecordFormat.STRUCT
                ? new StructEvents(
                        settings.topics(),
                        new SourceStruct(prefix, settings.source().dbname()),
                        settings.tombstones(),
                        Clock.systemUTC(),
                        this::facts)
                : new JsonEncoder(
                        prefix,
                        settings.source().dbname(),
                        settings.recordFormat() == RecordFormat.JSON_WITH_SCHEMAS,
                        settings.tombstones(),
                        Clock.systemUTC(),
                        this::facts);
    }

    /** What the source's catalog says of the table of {@code relation}, for its records' schemas. */
    private TableFacts facts(Relation relation) {
        return new TableFacts(primaryKeys.apply(relation), missingValues.apply(relation));
    }

    /**
     * On the stream's thread: the records of a transaction read whole, made with {@code encoder}, as {@link Reading}
     * would make them (heartbeats aside, which it makes itself).
     */
    private Handoff.Prepared prepare(Encoder encoder, Transaction tx, List<ChangeEvent> read) {
        List<Encoder.Encoded> records = new ArrayList<>(read.size() * 2);
        int[] ends = new int[read.size()];
        Encoder.Origin origin = new Encoder.Origin(tx.xid(), tx.commitTime(), null);
        for (int i = 0; i < read.size(); i++) {
            ChangeEvent change = read.get(i);
            if (!isHeartbeat(change) && (!(change instanceof ChangeEvent.Message) || settings.messages())) {
                encoder.add(
                        change,
                        origin,
                        (topic, keySchema, key, valueSchema, value, unchangedToast) -> records.add(
                                new Encoder.Encoded(topic, keySchema, key, valueSchema, value, unchangedToast)));
            }
            ends[i] = records.size();
        }
        return new Handoff.Prepared(records, ends);
    }

    private CompletableFuture<Void> startInBackground() {
        CompletableFuture<Void> started = new CompletableFuture<>();
        Thread t = new Thread(
                () -> {
                    try {
                        startStream();
                        started.complete(null);
                    } catch (RuntimeException | Error e) {
                        started.completeExceptionally(e);
                    }
                },
                "pgferry-start-" + settings.slot());
        t.setDaemon(true);
        t.start();
        return started;
    }

    /** Waits up to poll.wait.ms for the stream to start; false if it is still starting. */
    private boolean awaitStarted() throws InterruptedException {
        try {
            starting.get(settings.pollWait().toMillis(), TimeUnit.MILLISECONDS);
            starting = null;
            return true;
        } catch (TimeoutException e) {
            log.debug("slot {} is still being created or checked", settings.slot());
            return false;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof ConnectException ce ? ce : new ConnectException(cause.getMessage(), cause);
        }
    }

    private void startStream() {
        ChangeStream s =
                ChangeStream.create(settings.stream().checkpointStore(offsets).build(), this::onTransaction);
        stream = s;
        try {
            s.start();
        } catch (PgFerryException e) {
            throw failure(e);
        }
        if (stopping) {
            // stop() came while the stream was starting, and found nothing to stop yet.
            s.stop();
            return;
        }
        log.info(
                "streaming slot {} of {} into topics {}.* ({})",
                settings.slot(),
                settings.source().masked(),
                settings.topics().prefix(),
                resume.map(r -> "resuming after offset at " + r.lsn()).orElse("no stored offset"));
    }

    /**
     * The initial snapshot was cut off (the task stopped before its last row was committed): its slot is dropped so
     * that the stream takes the snapshot again from a new one. Its rows written so far are written again.
     */
    private void dropSlotOfUnfinishedSnapshot() {
        log.warn("the initial snapshot of slot {} did not finish; dropping the slot to take it again", settings.slot());
        try (Connection c = Connections.open(settings.source())) {
            SlotAdmin slots = new SlotAdmin(c, settings.source());
            if (slots.find(settings.slot()).isPresent()) {
                slots.drop(settings.slot());
            }
        } catch (SQLException e) {
            throw new ConnectException(
                    Connections.classify(e, settings.source()).getMessage(), e);
        } catch (PgFerryException e) {
            throw new ConnectException(e.getMessage(), e);
        }
    }

    /** On the stream's thread: hands the transaction to {@link #poll()}. */
    private void onTransaction(Transaction tx) throws InterruptedException {
        if (tx.kind() != Transaction.Kind.SNAPSHOT && tx.endLsn().isValid()) {
            if (!tx.endLsn().isAfter(lastHanded)) {
                return; // delivered again after a reconnect: the task holds it already
            }
        }
        if (handed.put(tx, () -> stopping)
                && tx.kind() != Transaction.Kind.SNAPSHOT
                && tx.endLsn().isValid()) {
            lastHanded = tx.endLsn();
        }
    }

    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        if (mark != null) {
            if (!markPolled) {
                markPolled = true;
                return List.of(mark.record(transactions));
            }
            if (!mark.awaitStored(settings.pollWait())) {
                return null;
            }
            mark = null;
            starting = startInBackground();
        }
        if (starting != null && !awaitStarted()) {
            return null;
        }
        failIfStreamEnded();
        long deadline = System.nanoTime() + settings.pollWait().toNanos();
        List<SourceRecord> out = new ArrayList<>();
        SourceRecord lastEnding = null;
        while (out.size() < settings.maxBatch() && !stopping && (out.isEmpty() || System.nanoTime() - deadline < 0)) {
            if (reading == null) {
                long wait = out.isEmpty() ? deadline - System.nanoTime() : 0;
                Handoff.Handed tx = handed.poll(Math.max(wait, 0));
                if (tx == null) {
                    break;
                }
                reading =
                        new Reading(tx, settings, offsets, events, heartbeat, acks, resume.orElse(null), transactions);
            }
            try {
                boolean done = reading.fill(out, settings.maxBatch(), SNAPSHOT_ROWS_PER_TRANSACTION, deadline);
                SourceRecord ending = reading.takeLastEnding();
                lastEnding = ending != null ? ending : lastEnding;
                if (done) {
                    reading = null;
                }
            } catch (IllegalStateException e) {
                if (stopping) {
                    break; // the stream ended the transaction as it stopped
                }
                throw e;
            }
        }
        if (lastEnding != null) {
            // One Kafka transaction for the whole source transactions of this poll: never part of one.
            transactions.commitTransaction(lastEnding);
        }
        return out.isEmpty() ? null : out;
    }

    private void failIfStreamEnded() {
        if (stream != null && stream.state() == ChangeStream.State.STOPPED && !stopping) {
            Throwable e = stream.lastError();
            if (e instanceof PgFerryException p) {
                throw failure(p);
            }
            throw new ConnectException(
                    e == null
                            ? "the change stream stopped"
                            : "the change stream failed: " + e.getClass().getName());
        }
    }

    /**
     * The task's error for {@code e}; a lost slot says how a connector starts over, in Connect's terms (its offsets
     * are the checkpoint the library's message tells to delete).
     */
    private ConnectException failure(PgFerryException e) {
        if (!(e instanceof SlotLostException lost)) {
            return new ConnectException(e.getMessage(), e);
        }
        String fix = "stop the connector (PUT /connectors/" + connectorName + "/stop), reset its offsets (DELETE"
                + " /connectors/" + connectorName + "/offsets), drop slot " + lost.slot() + " if it is still there,"
                + " and resume it (PUT /connectors/" + connectorName + "/resume) with snapshot=true to send the rows"
                + " again" + (lost.invalidated() ? "; to keep it from happening, raise max_slot_wal_keep_size" : "");
        return new ConnectException(lost.problem() + "; fix: " + fix, e);
    }

    @Override
    public void commitRecord(SourceRecord record, RecordMetadata metadata) {
        SnapshotMark m = mark;
        if (m != null && m.isMark(record)) {
            m.committed();
            return;
        }
        if (record.sourceOffset() != null && record.sourceOffset().get("lsn") instanceof Long lsn) {
            acks.committed(lsn);
        }
    }

    @Override
    public void commit() {
        SnapshotMark m = mark;
        if (m != null) {
            m.onCommit(transactions != null);
        }
        Transaction tx = acks.onCommit(transactions != null);
        if (tx != null) {
            tx.ack();
        }
    }

    @Override
    public void stop() {
        stopping = true;
        ChangeStream s = stream;
        if (s != null) {
            s.stop();
        }
        handed.releaseAll();
        if (missingValues != null) {
            missingValues.close();
        }
        Reading r = reading;
        if (r != null) {
            // A poll() still reading it stops at its next change (see poll()).
            r.release();
        }
        log.info(
                "stopped streaming slot {} ({} records not yet committed by Connect are written again on the next"
                        + " start)",
                settings == null ? "?" : settings.slot(),
                acks.pending());
    }

    /** Whether {@code change} is the stream's heartbeat. */
    static boolean isHeartbeat(ChangeEvent change) {
        return change instanceof ChangeEvent.Message m && ChangeStream.HEARTBEAT_PREFIX.equals(m.prefix());
    }
}
